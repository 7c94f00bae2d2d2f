"""Nothing in `bot/` or `handlers/` reaches into a library's private names: no private module or name is imported
or read (`re._parser`, `from x import _y`), and no class overrides a library class's underscore method."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

from tests.support.process import PROJECT_ROOT

OURS = ("bot", "handlers")
SOURCES = sorted(path for package in OURS for path in (PROJECT_ROOT / package).rglob("*.py")
                 if "migrations" not in path.parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] not in OURS


def _private_uses(path: Path) -> list[str]:
    """Private library names that `path` imports or reads off an imported library module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name):
                    modules.add(alias.asname or alias.name.split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _library(node.module):
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"from {node.module} import ...")
            found += [f"from {node.module} import {alias.name}" for alias in node.names if _private(alias.name)]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            found.append(f"{node.value.id}.{node.attr}")
    return [f"{path.relative_to(PROJECT_ROOT)}:{use}" for use in found]


def test_no_private_library_module_or_name_is_imported_or_read():
    assert [use for path in SOURCES for use in _private_uses(path)] == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _method(value: object) -> bool:
    return inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod, property))


def _written_in_body(cls: type) -> set[str]:
    """The names a class's own body defines or assigns (not those a metaclass adds, as `enum` does with
    `_generate_next_value_` and `_new_member_` on every Enum)."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(body, ast.ClassDef)
    names = set()
    for node in body.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_no_class_overrides_a_library_classs_underscore_method(path):
    module = importlib.import_module(_module_name(path))
    overrides = []
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__:
            continue
        library_bases = [base for base in cls.__mro__[1:] if _library(base.__module__) and base is not object]
        written = _written_in_body(cls) if library_bases else set()
        overrides += [f"{cls.__name__}.{name}" for name, value in vars(cls).items() if _private(name)
                      and name in written and _method(value) and any(name in vars(base) for base in library_bases)]
    assert overrides == []
