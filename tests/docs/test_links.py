"""A newcomer follows README's links into docs/ and between the docs: each one leads to a file that exists and,
where it names a section, to a heading that is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)


def _anchor(heading: str) -> str:
    """The id a Markdown renderer such as GitHub's gives a heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _local_links(document: Path) -> list[str]:
    return [target for target in LINK.findall(document.read_text()) if "://" not in target]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_local_link_leads_to_an_existing_file_and_heading(document: Path):
    for target in _local_links(document):
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name}: the link {target} leads to no file"
        if anchor:
            anchors = {_anchor(heading) for heading in HEADING.findall(linked.read_text())}
            assert anchor in anchors, f"{document.name}: the link {target} names no heading of {linked.name}"


def test_readme_links_every_document_in_docs():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in _local_links(ROOT / "README.md")}
    for document in (ROOT / "docs").glob("*.md"):
        assert document.resolve() in linked, f"README.md does not link docs/{document.name}"


def _layout_entries() -> dict[str, list[str]]:
    """README's map: each top-level bullet of its Layout section (`- `folder/`: …`) and the file and folder names it
    mentions in backticks."""
    layout = (ROOT / "README.md").read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    entries: dict[str, list[str]] = {}
    for bullet in re.split(r"^- ", layout, flags=re.MULTILINE)[1:]:
        folder, *names = re.findall(r"`([\w./-]+)`", bullet)
        entries[folder] = [name for name in names if name.endswith((".py", "/"))]
    return entries


def test_readmes_map_names_only_files_and_folders_that_exist():
    entries = _layout_entries()
    assert {"bot/", "bot/slack/", "handlers/"} <= set(entries)
    for folder, names in entries.items():
        for name in names:
            found = (ROOT / name).exists() or any((ROOT / folder).rglob(name.rstrip("/")))
            assert found, f"README.md's map names {name} under {folder}, which the tree does not hold"
