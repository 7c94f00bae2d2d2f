"""The `Writer` for any OpenAI-compatible chat-completions endpoint (a hosted API, Azure OpenAI, Ollama, vLLM, LM
Studio, llama.cpp), through the official `openai` library: the optional extra `pip install -e '.[llm]'`, imported
only when a model is configured."""

from __future__ import annotations

import json
from typing import Any

from bot.settings import ModelSettings
from bot.triage.writer import DraftRequest, Writer, WriterError, prompt_messages

NO_KEY = "unused"  # local servers need no key, but the client library insists on one


class OpenAIWriter:
    """Drafts with one chat completion, asking for a JSON object (structured output where the server supports it;
    the answer is validated either way)."""

    def __init__(self, settings: ModelSettings) -> None:
        try:
            import openai
        except ImportError:
            raise WriterError("PUSHBACK_LLM_BASE_URL is set but the openai library is not installed; "
                              "pip install -e '.[llm]'") from None
        self.name = settings.model or ""
        self.timeout_seconds = float(settings.timeout_seconds)
        self._openai = openai
        self._client = openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key or NO_KEY,
                                     timeout=self.timeout_seconds, max_retries=0)

    def _complete(self, request: DraftRequest, structured: bool) -> Any:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if structured else {}
        return self._client.chat.completions.create(model=self.name, messages=prompt_messages(request),  # type: ignore[arg-type]
                                                    temperature=0.3, **extra)

    def draft(self, request: DraftRequest) -> Any:
        """The model's JSON object; a server that refuses structured output is asked once more without it."""
        try:
            completion = self._complete(request, structured=True)
        except self._openai.BadRequestError:
            completion = self._complete(request, structured=False)
        except self._openai.APITimeoutError:
            raise WriterError("timeout") from None
        if not completion.choices:
            raise WriterError("no choices")
        message = completion.choices[0].message
        if getattr(message, "refusal", None) or not message.content:
            raise WriterError("refusal")
        try:
            return json.loads(_unfenced(message.content))
        except json.JSONDecodeError:
            raise WriterError("not JSON") from None


def _unfenced(content: str) -> str:
    """The JSON inside a ```json fence some local models wrap it in, or the content as it is."""
    stripped = content.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[-1].rsplit("```", 1)[0]
    return stripped


def writer_for(settings: ModelSettings) -> Writer | None:
    """The configured model's writer, or None when none is configured (offline only)."""
    return OpenAIWriter(settings) if settings.enabled else None
