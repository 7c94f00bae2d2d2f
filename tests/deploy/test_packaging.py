"""Packaging: a plain (not editable) install of a wheel in a fresh virtual environment gives a `pushback` that
finds its shipped knowledge and triages and migrates from any directory, writing runtime files only under
`PUSHBACK_DATA_DIR`; and every package in the tree is in the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.process import PROJECT_ROOT

REQUEST = "Hi Sam, can you add a French version of the site by Friday at no extra cost? Thanks, Jordan"
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "tests", "bench", "deploy", "build", "dist", "*.egg-info",
                                  "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".mypy_cache",
                                  "examples", "pushback-data", "*.sqlite3*")


def _listed_packages() -> set[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_in_the_tree_is_listed_in_pyproject():
    in_tree = {".".join(path.parent.relative_to(PROJECT_ROOT).parts)
               for top in ("bot", "handlers") for path in (PROJECT_ROOT / top).rglob("__init__.py")}
    assert in_tree | {"bot.data"} == _listed_packages(), (
        "add each package under bot/ and handlers/ to [tool.setuptools] packages in pyproject.toml")


def _run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PUSHBACK_", "SLACK_", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV"))}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_a_plain_install_triages_and_migrates_from_any_directory(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=LEFT_OUT)  # a clean copy: the build leaves nothing in the tree
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(source)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(source)  # nothing may be read from the tree it was built from
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pushback = str(venv / "bin" / "pushback")

    triaged = _run([pushback, "triage", "--json", REQUEST], elsewhere)
    upgraded = _run([pushback, "db", "upgrade"], elsewhere)

    assert triaged.returncode == 0, triaged.stderr
    assert '"verdict"' in triaged.stdout
    assert upgraded.returncode == 0, upgraded.stderr
    assert (elsewhere / "pushback-data" / "pushback.sqlite3").exists()
    shipped = next((venv / "lib").glob("python3*/site-packages/bot/data"))
    assert (shipped / "triage" / "model.json").exists() and (shipped / "manifest.json").exists()
    assert not list(shipped.rglob("*.sqlite3*"))
