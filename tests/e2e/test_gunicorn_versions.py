"""HTTP mode starts, answers `/healthz` and a signed slash command, and stops on SIGTERM on the lowest and on the
highest gunicorn that `pyproject.toml` allows: each is installed into a throwaway folder that shadows the one in
the test environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.version import Version

from tests.conftest import SIGNING_SECRET
from tests.support.process import PROJECT_ROOT, AppProcess


def _gunicorn_requirement() -> str:
    """The gunicorn requirement in pyproject.toml, e.g. `gunicorn>=22,<28`."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [item for item in project["dependencies"] if re.match(r"gunicorn\b", item)]
    assert len(found) == 1, found
    return found[0].replace(" ", "")


def _lowest(requirement: str) -> str:
    """The exact lowest version a `>=` lower bound allows."""
    bound = re.search(r">=([0-9.]+)", requirement)
    assert bound, f"{requirement}: no lower bound to test"
    return f"gunicorn=={bound.group(1)}"


def test_the_gunicorn_range_has_an_upper_bound():
    assert "<" in _gunicorn_requirement()


@pytest.mark.parametrize("end", ["lowest", "highest"])
def test_http_mode_starts_and_stops_on_each_end_of_the_gunicorn_range(end, app_env, standin, tmp_path):
    requirement = _gunicorn_requirement()
    wanted = _lowest(requirement) if end == "lowest" else requirement
    target = tmp_path / "gunicorn"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                                wanted], capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    version = next(target.glob("gunicorn-*.dist-info")).name.removeprefix("gunicorn-").removesuffix(".dist-info")
    if end == "lowest":
        assert Version(version) == Version(wanted.removeprefix("gunicorn=="))
    path = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    process = AppProcess({**app_env, "PYTHONPATH": path, "PUSHBACK_SCHEDULER": "off"}, standin, SIGNING_SECRET,
                         tmp_path)
    process.start()
    try:
        reply = process.driver.slash_command("Please take 40% off the final invoice")
        assert reply.status == 200
    finally:
        code = process.stop()

    assert f"Starting gunicorn {version}" in process.log()
    assert code == 0, process.log()
