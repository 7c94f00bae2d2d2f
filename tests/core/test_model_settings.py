"""The language-model settings: unset is offline only; a base URL and a model go together; the timeout is
bounded; the key never shows in a printed `Settings`."""

from __future__ import annotations

import sys

import pytest

from bot.settings import SettingsError, model_settings_from_mapping, settings_from_mapping


def test_no_model_settings_means_offline_only():
    settings = settings_from_mapping({})
    assert not settings.llm.enabled and settings.llm.timeout_seconds == 8


def test_a_base_url_and_a_model_turn_the_writer_on_and_the_key_stays_out_of_sight():
    llm = model_settings_from_mapping({"PUSHBACK_LLM_BASE_URL": "http://127.0.0.1:11434/v1",
                                       "PUSHBACK_LLM_MODEL": "llama3.1", "PUSHBACK_LLM_API_KEY": "sk-secret",
                                       "PUSHBACK_LLM_TIMEOUT_SECONDS": "3"})
    assert llm.enabled and (llm.model, llm.timeout_seconds) == ("llama3.1", 3)
    settings = settings_from_mapping({"PUSHBACK_LLM_BASE_URL": "http://h/v1", "PUSHBACK_LLM_MODEL": "m",
                                      "PUSHBACK_LLM_API_KEY": "sk-secret"})
    assert settings.llm.api_key == "sk-secret" and "sk-secret" not in repr(settings)


@pytest.mark.parametrize(("env", "named"), [
    ({"PUSHBACK_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "PUSHBACK_LLM_MODEL"),
    ({"PUSHBACK_LLM_MODEL": "llama3.1"}, "PUSHBACK_LLM_BASE_URL"),
    ({"PUSHBACK_LLM_BASE_URL": "localhost:11434", "PUSHBACK_LLM_MODEL": "m"}, "PUSHBACK_LLM_BASE_URL"),
    ({"PUSHBACK_LLM_BASE_URL": "http://h/v1", "PUSHBACK_LLM_MODEL": "m", "PUSHBACK_LLM_TIMEOUT_SECONDS": "0"},
     "PUSHBACK_LLM_TIMEOUT_SECONDS"),
], ids=["no model", "no base url", "not a url", "zero timeout"])
def test_a_malformed_model_setting_names_itself(env, named):
    with pytest.raises(SettingsError, match=named):
        model_settings_from_mapping(env)


def test_a_configured_model_without_the_extra_says_how_to_install_it(monkeypatch):
    from bot.triage.openai_writer import writer_for
    from bot.triage.writer import WriterError

    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(WriterError, match=r"\.\[llm\]"):
        writer_for(model_settings_from_mapping({"PUSHBACK_LLM_BASE_URL": "http://h/v1", "PUSHBACK_LLM_MODEL": "m"}))
