"""Where the shipped knowledge files are, and reading them: TOML, with a failure that names the file and the line.

The files live in the tree's `data/` folder, which `pyproject.toml` installs as the package `bot.data`, so they are
found with `importlib.resources` in a wheel, an editable install or a checkout alike. This is the one place that
resolves them; runtime files (the SQLite database) go under `PUSHBACK_DATA_DIR` instead (`bot.settings`)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

KNOWLEDGE_PACKAGE = "bot.data"


def _knowledge_dir() -> Path:
    """The folder holding the shipped files. Installed packages are unpacked on disk, so it is a real folder;
    a checkout whose environment predates `bot.data` (run without reinstalling) reads the tree's `data/`."""
    try:
        found = resources.files(KNOWLEDGE_PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "data"
    return Path(str(found))


DATA_DIR = _knowledge_dir()
TRIAGE_DIR = DATA_DIR / "triage"
MANIFEST_FILE = DATA_DIR / "manifest.json"


def read_toml(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The parsed file, or `error` naming the file and what is wrong (tomllib's message carries the line)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: {problem}") from None
