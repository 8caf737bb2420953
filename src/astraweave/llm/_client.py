"""The one interface of every LLM backend: requests, responses and :class:`LlmClient`.

A backend turns an :class:`LlmRequest` (chat messages, model, sampling parameters and
an optional JSON Schema for structured output) into an :class:`LlmResponse` (the
reply text, token usage, latency), synchronously with :meth:`LlmClient.complete` or
on an asyncio loop with :meth:`LlmClient.acomplete`. Backends raise only
:class:`~astraweave.errors.LlmError` subclasses.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from astraweave.errors import LlmConfigError

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_TIMEOUT_S",
    "ChatMessage",
    "LlmClient",
    "LlmRequest",
    "LlmResponse",
    "SamplingParams",
    "TokenUsage",
]

DEFAULT_TIMEOUT_S = 30.0
"""Per-request timeout, seconds, when a request sets none. Tune per backend: a local
CPU model answers in seconds, a hosted one in well under a second."""

DEFAULT_MAX_TOKENS = 384
"""Completion tokens a plan may use. A 6-step plan in compact JSON needs about 200."""

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One chat message.

    Args:
        role: ``"system"``, ``"user"`` or ``"assistant"``.
        content: the text.

    Example:
        >>> ChatMessage("user", "hi").as_dict()
        {'role': 'user', 'content': 'hi'}
    """

    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        """The message as the OpenAI chat API spells it."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, slots=True, kw_only=True)
class SamplingParams:
    """Sampling parameters sent with a request (part of the cache key).

    Args:
        temperature: 0 for greedy decoding (the default; plans should not be creative).
        top_p: nucleus sampling mass, in (0, 1].
        max_tokens: completion tokens at most (default :data:`DEFAULT_MAX_TOKENS`).
        seed: sampling seed for backends that honour it, or ``None``.

    Raises:
        LlmConfigError: a value out of range.

    Example:
        >>> SamplingParams(temperature=0.2).as_dict()["temperature"]
        0.2
    """

    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    seed: int | None = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.temperature) and 0.0 <= self.temperature <= 2.0):
            raise LlmConfigError(
                "temperature must be within [0, 2]", field="temperature", value=self.temperature
            )
        if not (math.isfinite(self.top_p) and 0.0 < self.top_p <= 1.0):
            raise LlmConfigError("top_p must be within (0, 1]", field="top_p", value=self.top_p)
        if self.max_tokens < 1:
            raise LlmConfigError(
                "max_tokens must be at least 1", field="max_tokens", value=self.max_tokens
            )

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain data (stable key order)."""
        return {
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "temperature": self.temperature,
            "top_p": self.top_p,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmRequest:
    """One chat-completion request.

    Args:
        messages: the conversation, usually a system and a user message.
        model: the model name; ``""`` lets the client use its default model.
        sampling: sampling parameters.
        response_schema: a JSON Schema the reply must follow. Backends that can
            constrain decoding (``response_format`` of OpenAI-compatible servers,
            a grammar in the local backend) do; the others ignore it.
        schema_name: the name sent with the schema (``[a-zA-Z0-9_-]``).
        request_id: who asked (an agent id); carried into the response, used by
            batches to match results to agents.
        timeout_s: the per-request timeout in seconds, or ``None`` for the
            client's default.

    Example:
        >>> req = LlmRequest(messages=(ChatMessage("user", "plan"),), request_id="7")
        >>> req.request_id, len(req.canonical_json()) > 0
        ('7', True)
    """

    messages: tuple[ChatMessage, ...]
    model: str = ""
    sampling: SamplingParams = field(default_factory=SamplingParams)
    response_schema: dict[str, Any] | None = None
    schema_name: str = "plan"
    request_id: str = ""
    timeout_s: float | None = None

    def __post_init__(self) -> None:
        if not self.messages:
            raise LlmConfigError("a request needs at least one message", field="messages")
        if self.timeout_s is not None and not (
            math.isfinite(self.timeout_s) and self.timeout_s > 0
        ):
            raise LlmConfigError(
                "timeout_s must be a positive number of seconds",
                field="timeout_s",
                value=self.timeout_s,
            )

    def canonical_json(self) -> str:
        """Everything that determines the reply, as compact sorted JSON (stable bytes;
        ``request_id`` and ``timeout_s`` are excluded)."""
        return json.dumps(
            {
                "messages": [m.as_dict() for m in self.messages],
                "model": self.model,
                "sampling": self.sampling.as_dict(),
                "schema": self.response_schema,
                "schema_name": self.schema_name,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenUsage:
    """Tokens a request used, as the backend reported them (0 when it did not)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmResponse:
    """A backend's reply.

    Attributes:
        text: the reply's text (the first choice's message content).
        model: the model that answered, as the backend names it.
        backend: the backend's name (``"openai"``, ``"local"``, ``"scripted"``).
        request_id: copied from the request.
        usage: token counts.
        latency_s: wall-clock seconds from sending to the full reply.
        finish_reason: ``"stop"``, ``"length"`` (cut at ``max_tokens``), ...
        structured: whether decoding was constrained to the request's schema.
        attempts: transport attempts it took (1 without retries).
    """

    text: str
    model: str = ""
    backend: str = ""
    request_id: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    latency_s: float = 0.0
    finish_reason: str = "stop"
    structured: bool = False
    attempts: int = 1


@runtime_checkable
class LlmClient(Protocol):
    """What every backend offers (OpenAI-compatible HTTP, embedded, scripted, and
    the wrappers that add retries, a circuit breaker and caching).

    Implementations are safe to call from several threads, and ``acomplete`` from
    any asyncio loop. ``close`` releases connections or the model; a closed client
    must not be used again.
    """

    @property
    def name(self) -> str:
        """The backend's name, used in provenance and benchmark reports."""
        ...

    @property
    def model(self) -> str:
        """The default model name of this client."""
        ...

    @property
    def supports_schema(self) -> bool:
        """Whether the backend constrains decoding to ``request.response_schema``."""
        ...

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Send ``request`` and wait for the reply.

        Raises:
            LlmError: a subclass saying what failed (see :mod:`astraweave.errors`).
        """
        ...

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """:meth:`complete` on an asyncio loop, without blocking it."""
        ...

    def close(self) -> None:
        """Release connections, threads or the model."""
        ...
