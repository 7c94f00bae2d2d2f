"""The knowledge files: loaded and checked at start; a bad file names the file, the line and the problem."""

import shutil
from pathlib import Path

import pytest

from bot.triage import KnowledgeError, load_knowledge, triage
from bot.triage.knowledge import DEFAULT_DIRECTORY


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    target = tmp_path / "triage"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def test_the_shipped_knowledge_loads():
    knowledge = load_knowledge()
    assert len(knowledge.cues) > 50 and knowledge.topics and knowledge.tones


def _break(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("file", "old", "new", "problem"), [
    ("cues.toml", 'reason = "unethical_or_illegal"', 'reason = "naughty"', "unknown reason 'naughty'"),
    ("cues.toml", "weight = 3", "weight = 9", "weight must be a whole number from 1 to 5"),
    ("cues.toml", "pattern = '\\b(leave|write", "pattern = '\\b((leave|write", "bad regular expression"),
    ("topics.toml", "[topics.fake_reviews]", "[topics.fake_reviews]\nbroken = ", "topics.toml"),
])
def test_a_bad_file_names_the_file_the_line_and_the_problem(knowledge_copy, file, old, new, problem):
    _break(knowledge_copy, file, old, new)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(knowledge_copy)
    message = str(raised.value)
    assert file in message and problem in message
    assert "line" in message


def test_an_edited_cue_changes_the_triage_without_code(knowledge_copy):
    with open(knowledge_copy / "cues.toml", "a") as cues:
        cues.write('\n[[cue]]\nreason = "unethical_or_illegal"\ntopic = "false_claims"\n'
                   "pattern = '\\bmoon cheese\\b'\nweight = 3\n")
    assert triage("Please advertise our moon cheese.", knowledge_dir=knowledge_copy).verdict == "decline"


def test_a_file_cut_off_mid_table_names_the_file_and_a_line(knowledge_copy):
    with open(knowledge_copy / "context.toml", "a") as context:
        context.write("\n[[mitigation]]\nreasons = [\"out_of_scope\"\n")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(knowledge_copy)
    assert "context.toml" in str(raised.value) and "line" in str(raised.value)
