"""The rooms of the house: the core in `bot/` speaks no Slack, the adapter in `bot/slack/` is the only code that
does besides the listeners in `handlers/`, and no two modules import each other, even from inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers")
ADAPTER = "bot.slack"
SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")
ENTRY_POINT = "bot.cli"  # `pushback`: wires the core to the adapter and starts the server
SERVER = "bot.slack.serve"  # assembles the Bolt app from the listeners and serves it


def module_name(path: Path) -> str:
    """`bot/slack/serve.py` -> `bot.slack.serve`; a package's `__init__.py` is the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    """Every importable module of the project's packages (Alembic's migration scripts are not imported)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = module_name(path)
            if not name.startswith("bot.migrations"):
                modules[name] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The modules `name` imports anywhere in its file, at the top or inside a function. `from a import b` counts
    as importing `a.b` when that is one of the project's modules, else `a`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield submodule if submodule in known else source


def import_graph() -> dict[str, set[str]]:
    """Each project module and the modules it imports."""
    modules = project_modules()
    known = set(modules)
    return {name: set(imports_of(name, path, known)) for name, path in modules.items()}


def within(module: str, prefix: str) -> bool:
    """Whether `module` is `prefix` or inside it."""
    return module == prefix or module.startswith(prefix + ".")


def is_core(module: str) -> bool:
    """The Slack-free core: everything in `bot/` outside the adapter."""
    return within(module, "bot") and not within(module, ADAPTER)


def crossings(allowed_from: tuple[str, ...], source_in, targets: tuple[str, ...]) -> list[str]:
    """`module -> import` for each import from a module `source_in` accepts into one of `targets`, except from
    the modules in `allowed_from`."""
    return sorted(f"{module} -> {imported}" for module, imported_modules in import_graph().items()
                  if source_in(module) and module not in allowed_from
                  for imported in imported_modules if any(within(imported, target) for target in targets))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or round a loop (Tarjan's strongly connected
    components of more than one module, or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.get(module, ()):
            if imported not in graph:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in graph[module]:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_core_imports_no_slack_library_and_no_listener():
    assert crossings((), is_core, (*SLACK_LIBRARIES, "handlers")) == []


def test_only_the_entry_point_reaches_from_the_core_into_the_slack_adapter():
    assert crossings((ENTRY_POINT,), is_core, (ADAPTER,)) == []


def test_the_adapter_leaves_the_listeners_to_the_server_that_assembles_them():
    assert crossings((SERVER,), lambda module: within(module, ADAPTER), ("handlers",)) == []


def test_listeners_do_not_reach_the_server():
    assert crossings((), lambda module: within(module, "handlers"), (SERVER, "gunicorn")) == []


def test_no_modules_import_each_other_even_from_inside_a_function():
    assert cycles(import_graph()) == []


def test_the_checks_see_an_import_inside_a_function_and_a_cycle_through_it(tmp_path):
    module = tmp_path / "loop.py"
    module.write_text("def later():\n    from bot.accounts import add_account\n    return add_account\n")
    assert list(imports_of("bot.reminders.tick", module, {"bot.accounts"})) == ["bot.accounts"]
    assert cycles({"bot.accounts": {"bot.reminders.tick"}, "bot.reminders.tick": {"bot.accounts"},
                   "bot.db": set()}) == [["bot.accounts", "bot.reminders.tick"]]
