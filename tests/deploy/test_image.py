"""The container image, built and checked for real: deploy/build-image.sh (a debootstrapped Debian base, then the
Dockerfile with buildah) and deploy/check-image.sh (non-root, no compilers, `pushback triage`, `pushback db
upgrade`, `pushback run` until the image's HEALTHCHECK passes and /healthz answers 200).

Slow (minutes, more the first time while the base is made), so not part of the default run:
    python -m pytest -m slow tests/deploy/test_image.py
It needs root, buildah and debootstrap, and skips saying which is missing otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TAG = "localhost/pushback:slow-test"
BUILD_TIMEOUT_SECONDS = 45 * 60  # the first run debootstraps the base from the apt mirror
CHECK_TIMEOUT_SECONDS = 10 * 60


def _why_not() -> str | None:
    missing = [tool for tool in ("buildah", "debootstrap") if shutil.which(tool) is None]
    if missing:
        return f"building the image needs {' and '.join(missing)} (apt-get install -y buildah debootstrap)"
    if os.geteuid() != 0:
        return "building the image needs root (debootstrap and buildah's chroot isolation)"
    return None


def _run(script: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([str(DEPLOY / script), TAG], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _tail(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"


@pytest.mark.slow
def test_the_image_builds_and_passes_its_checks():
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    build = _run("build-image.sh", BUILD_TIMEOUT_SECONDS)
    try:
        assert build.returncode == 0, _tail(build)
        assert f"build-image: built {TAG}" in build.stdout, _tail(build)

        check = _run("check-image.sh", CHECK_TIMEOUT_SECONDS)
        assert check.returncode == 0, _tail(check)
        lines = check.stdout.splitlines()
        for expected in ("check-image: no compilers; running as uid 10001",
                         "check-image: pushback triage",
                         "Verdict: PUSH BACK",
                         "Suggested reply (neutral):",
                         "check-image: pushback db upgrade",
                         "Database is up to date: sqlite:////var/lib/pushback/pushback.sqlite3",
                         "healthz: 200",
                         "pushback run: stopped cleanly on SIGTERM"):
            assert expected in lines, _tail(check)
        assert any(line.startswith("HEALTHCHECK: passed after ") for line in lines), _tail(check)
        assert lines[-1].startswith("check-image: all checks passed"), _tail(check)
    finally:
        subprocess.run(["buildah", "--storage-driver", "vfs", "rmi", TAG], capture_output=True, check=False)
