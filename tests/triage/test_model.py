"""The learned reader: in step with the examples it was trained on, checked when loaded, and joined to the cues
so that what it finds is explained by the client's own words and cancelled by the same mitigations."""

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.triage import KnowledgeError, check_knowledge, triage
from bot.triage.knowledge import DEFAULT_DIRECTORY, REASONS
from bot.triage.result import VERDICTS
from bot.triage.model import FEATURE_VERSION, MODEL_FILE, examples_digest, load_model, read_model

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 23)


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    target = tmp_path / "triage"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _write_model(directory: Path, words: dict[str, str], threshold: float = 0.5,
                 signals: dict[str, str] | None = None, verdicts: dict[str, str] | None = None,
                 verdict_bias: dict[str, float] | None = None) -> None:
    """A hand-made model: each word in `words` (and each cue signal in `signals`) points strongly to its reason;
    everything else to nothing. With `verdicts` (word -> verdict) or `verdict_bias`, it has verdict columns too."""
    pointers = {f"w {word}": reason for word, reason in words.items()} | dict(signals or {})
    verdict_pointers = {f"w {word}": verdict for word, verdict in (verdicts or {}).items()}
    features = list(dict.fromkeys([*pointers, *verdict_pointers]))
    weights = [[8.0 if reason == pointers.get(feature) else 0.0 for reason in REASONS] for feature in features]
    model = {
        "feature_version": FEATURE_VERSION, "reasons": list(REASONS), "threshold": threshold,
        "bias": [-4.0] * len(REASONS), "features": features, "idf": [1.0] * len(features), "weights": weights,
        "caution": {"lean": 0.99, "bias": -4.0, "weights": [0.0] * len(features)},
    }
    if verdicts is not None or verdict_bias is not None:
        model["verdicts"] = {
            "labels": list(VERDICTS), "earned": 0.5,
            "bias": [(verdict_bias or {}).get(verdict, 0.0) for verdict in VERDICTS],
            "weights": [[8.0 if verdict == verdict_pointers.get(feature) else 0.0 for verdict in VERDICTS]
                        for feature in features]}
    (directory / MODEL_FILE).write_text(json.dumps(model))


def test_the_shipped_model_was_trained_on_the_examples_as_they_are_now():
    model = load_model()
    assert model.digest == examples_digest(DEFAULT_DIRECTORY), (
        "data/triage/examples or the cue files changed since the model was trained: run `python -m bot.triage.train`")
    assert 0 < model.threshold < 1 and len(model.index) > 1000


@pytest.mark.parametrize(("content", "problem"), [
    (None, "missing"),
    (f'{{"feature_version": {FEATURE_VERSION},', "line 1"),
    ('{"feature_version": 99}', "feature version"),
    (f'{{"feature_version": {FEATURE_VERSION}, "reasons": ["a"]}}', "nine labels"),
])
def test_a_broken_model_file_names_the_file_and_the_problem(knowledge_copy, content, problem):
    path = knowledge_copy / MODEL_FILE
    path.unlink()
    if content is not None:
        path.write_text(content)
    with pytest.raises(KnowledgeError) as raised:
        check_knowledge(knowledge_copy)
    assert str(path) in str(raised.value) and problem in str(raised.value)
    assert "python -m bot.triage.train" in str(raised.value)


def test_a_reason_only_the_learned_reader_finds_is_explained_by_the_clause_that_carried_it(knowledge_copy):
    _write_model(knowledge_copy, {"flamingo": "misses_business_objectives"})
    text = "Thanks for the deck. Could the homepage hero be a flamingo, in pink, all year round?"
    result = triage(text, today=TODAY, knowledge_dir=knowledge_copy)
    assert result.reasons == ["misses_business_objectives"] and result.verdict == "push_back"
    [evidence] = result.evidence["misses_business_objectives"]
    assert "flamingo" in evidence and evidence in text and "Thanks for the deck" not in evidence


def test_the_learned_reason_goes_to_the_ask_that_reads_like_it(knowledge_copy):
    _write_model(knowledge_copy, {"flamingo": "misses_business_objectives"})
    result = triage("1) Please send the November report.\n2) Make the homepage hero a flamingo.", today=TODAY,
                    knowledge_dir=knowledge_copy)
    verdicts = {ask.text: ask.verdict for ask in result.asks}
    assert verdicts == {"Please send the November report.": "accept",
                        "Make the homepage hero a flamingo.": "push_back"}


def test_the_clients_own_mitigation_cancels_a_learned_reason_too(knowledge_copy):
    _write_model(knowledge_copy, {"flamingo": "out_of_scope"})
    asked = "Could you add a flamingo page to the site?"
    assert triage(asked, today=TODAY, knowledge_dir=knowledge_copy).reasons == ["out_of_scope"]
    paid = "Could you add a flamingo page to the site? We're happy to pay for it as an add-on."
    assert triage(paid, today=TODAY, knowledge_dir=knowledge_copy).verdict == "accept"


def test_the_learned_reader_skips_what_the_client_rules_out_but_reads_what_they_state(knowledge_copy):
    _write_model(knowledge_copy, {"flamingo": "unethical_or_illegal"})
    for ruled_out in ("No need to add the flamingo photos.", "Please don't use the flamingo photos.",
                      "We don't want the flamingo photos on the site."):
        assert triage(ruled_out, today=TODAY, knowledge_dir=knowledge_copy).verdict == "accept", ruled_out
    stated = "We don't own the flamingo photos, but a friend sent them, so just put them on the homepage."
    result = triage(stated, today=TODAY, knowledge_dir=knowledge_copy)
    assert result.verdict == "decline" and "flamingo" in result.evidence["unethical_or_illegal"][0]


def test_the_learned_reader_drops_a_cues_reason_only_when_it_all_but_rules_it_out(knowledge_copy):
    text = "Please take 40% off this month's invoice."
    assert triage(text, today=TODAY).reasons == ["unreasonable"]
    _write_model(knowledge_copy, {}, signals={"k strong unreasonable": "unreasonable"})
    assert triage(text, today=TODAY, knowledge_dir=knowledge_copy).reasons == ["unreasonable"]
    doubting = shutil.copytree(knowledge_copy, knowledge_copy.parent / "doubting")
    _write_model(doubting, {})
    assert triage(text, today=TODAY, knowledge_dir=doubting).verdict == "accept"


def test_the_verdict_columns_have_the_last_word_and_a_reason_is_placed_to_carry_it(knowledge_copy):
    _write_model(knowledge_copy, {"zebra": "misses_business_objectives"}, threshold=0.999,
                 verdicts={"zebra": "push_back"}, verdict_bias={"accept": 2.0})
    result = triage("Thanks for the deck. Could the homepage hero be a zebra, all year round?", today=TODAY,
                    knowledge_dir=knowledge_copy)
    assert result.verdict == "push_back" and result.confidence > 0.9
    assert result.reasons == ["misses_business_objectives"]
    [evidence] = result.evidence["misses_business_objectives"]
    assert "zebra" in evidence and "Thanks for the deck" not in evidence
    plain = triage("Could the homepage hero be a photo of the team?", today=TODAY, knowledge_dir=knowledge_copy)
    assert (plain.verdict, plain.reasons) == ("accept", [])


def test_an_accept_from_the_verdict_columns_drops_the_cues_stricter_reasons(knowledge_copy):
    text = "Please take 40% off this month's invoice."
    _write_model(knowledge_copy, {}, signals={"k strong unreasonable": "unreasonable"}, verdict_bias={"accept": 6.0})
    result = triage(text, today=TODAY, knowledge_dir=knowledge_copy)
    assert (result.verdict, result.reasons, result.evidence) == ("accept", [], {})


def test_a_yes_with_conditions_keeps_a_push_back_reason_as_its_condition(knowledge_copy):
    _write_model(knowledge_copy, {}, signals={"k strong unreasonable": "unreasonable"},
                 verdict_bias={"accept_with_conditions": 6.0})
    result = triage("Can you add a French version of the site at no extra cost?", today=TODAY,
                    knowledge_dir=knowledge_copy)
    assert result.verdict == "accept_with_conditions" and "unreasonable" in result.reasons
    assert "at no extra cost" in result.evidence["unreasonable"]


def test_a_practice_of_the_catalogue_is_a_floor_the_verdict_columns_cannot_go_below(knowledge_copy):
    _write_model(knowledge_copy, {}, verdict_bias={"accept": 6.0})
    result = triage("Can you backdate the contract to 1 October?", today=TODAY, knowledge_dir=knowledge_copy)
    assert result.verdict == "decline" and result.asks[0].practice and result.confidence >= 0.95


def test_a_malformed_verdict_block_names_the_problem(knowledge_copy):
    _write_model(knowledge_copy, {}, verdict_bias={"accept": 1.0})
    path = knowledge_copy / MODEL_FILE
    model = json.loads(path.read_text())
    model["verdicts"]["labels"] = ["yes", "no"]
    path.write_text(json.dumps(model))
    with pytest.raises(KnowledgeError) as raised:
        check_knowledge(knowledge_copy)
    assert "verdict columns" in str(raised.value)


def test_below_the_threshold_the_learned_reader_adds_nothing(knowledge_copy):
    _write_model(knowledge_copy, {"flamingo": "misses_business_objectives"}, threshold=0.999)
    assert triage("Make the hero a flamingo.", today=TODAY, knowledge_dir=knowledge_copy).verdict == "accept"


def test_every_piece_of_evidence_is_the_clients_own_words():
    for line in (HERE / "unseen2.jsonl").read_text().splitlines():
        text = json.loads(line)["text"]
        flat = re.sub(r"\s+", " ", text).lower()
        result = triage(text, today=TODAY)
        for reason in result.reasons:
            assert result.evidence[reason], (reason, text)
            for snippet in result.evidence[reason]:
                assert re.sub(r"\s+", " ", snippet).lower() in flat, (snippet, text)


@pytest.mark.slow  # 72-133 s: run by .ci/run as its own step
def test_training_again_gives_the_shipped_model(tmp_path):
    pytest.importorskip("sklearn", reason="training needs scikit-learn: pip install -e '.[train]'")
    from bot.triage.train import train

    copy = tmp_path / "triage"
    shutil.copytree(DEFAULT_DIRECTORY, copy)
    shipped = json.loads((DEFAULT_DIRECTORY / MODEL_FILE).read_text())
    retrained = train(copy)
    assert retrained["features"] == shipped["features"] and retrained["threshold"] == shipped["threshold"]
    flat = [weight for row in retrained["weights"] for weight in row]
    assert flat == pytest.approx([weight for row in shipped["weights"] for weight in row], abs=2e-4)
    assert retrained["caution"]["lean"] == shipped["caution"]["lean"]
    assert retrained["caution"]["weights"] == pytest.approx(shipped["caution"]["weights"], abs=2e-4)
    assert retrained["verdicts"]["earned"] == pytest.approx(shipped["verdicts"]["earned"], abs=2e-3)
    assert [weight for row in retrained["verdicts"]["weights"] for weight in row] == pytest.approx(
        [weight for row in shipped["verdicts"]["weights"] for weight in row], abs=2e-4)
    assert read_model(DEFAULT_DIRECTORY / MODEL_FILE).digest == retrained["examples_digest"]
