"""Reading the knowledge files in `data/`: TOML, with a failure that names the file and the line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def read_toml(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The parsed file, or `error` naming the file and what is wrong (tomllib's message carries the line)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: {problem}") from None
