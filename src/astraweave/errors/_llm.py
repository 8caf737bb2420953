"""Errors of :mod:`astraweave.llm`.

::

    LlmError                           (base, in _subsystems.py; context: text)
    ├── LlmTransportError              the request did not get a usable HTTP answer (retried)
    │   ├── LlmTimeoutError            no complete answer within the per-request timeout
    │   ├── LlmConnectionError         refused, reset or dropped connection
    │   ├── LlmServerError             HTTP 5xx
    │   └── LlmRateLimitError          HTTP 429
    ├── LlmRequestError                HTTP 4xx other than 429: bad request, auth, unknown model
    ├── LlmResponseError               an answer that is not a completion (no choices, too large)
    ├── LlmBudgetExceededError         the total time budget of a call ran out
    ├── LlmCircuitOpenError            the client's circuit breaker is open; no request was sent
    ├── LlmParseError                  the reply cannot become a plan (context: text)
    │   ├── LlmInvalidJsonError        no JSON object could be read from the reply
    │   ├── LlmSchemaError             JSON, but not a plan of the registry's tools
    │   └── LlmDisallowedToolError     a step names a tool outside the registry or allowlist
    ├── LlmPlanRejectedError           the sandbox rejected the plan (after the repair round)
    ├── LlmScriptExhaustedError        (UsageError) a ScriptedLlm ran out of replies
    ├── LlmConfigError                 (UsageError) an invalid client, policy or cache setting
    └── LlmBackendMissingError         (UsageError) an optional dependency is not installed

Only :class:`LlmTransportError` and its subclasses are retried (with backoff and
jitter); everything else is final for the request. Errors of the ``openai`` and
``llama_cpp`` packages are translated into this tree at the boundary and raised
``from`` the original exception.
"""

from __future__ import annotations

from astraweave.errors._base import UsageError
from astraweave.errors._subsystems import LlmError

__all__ = [
    "LlmBackendMissingError",
    "LlmBudgetExceededError",
    "LlmCircuitOpenError",
    "LlmConfigError",
    "LlmConnectionError",
    "LlmDisallowedToolError",
    "LlmInvalidJsonError",
    "LlmParseError",
    "LlmPlanRejectedError",
    "LlmRateLimitError",
    "LlmRequestError",
    "LlmResponseError",
    "LlmSchemaError",
    "LlmScriptExhaustedError",
    "LlmServerError",
    "LlmTimeoutError",
    "LlmTransportError",
]


# ------------------------------------------------------------------------ transport
class LlmTransportError(LlmError):
    """The request got no usable HTTP answer. Retried with backoff (see
    :class:`~astraweave.llm.RetryPolicy`). Context: ``backend``, ``url``, ``attempt``."""


class LlmTimeoutError(LlmTransportError):
    """No complete answer within the per-request timeout. Context: ``backend``,
    ``timeout_s``."""


class LlmConnectionError(LlmTransportError):
    """The connection was refused, reset or dropped mid-answer. Context: ``backend``,
    ``url``."""


class LlmServerError(LlmTransportError):
    """The server answered HTTP 5xx. Context: ``backend``, ``status``."""


class LlmRateLimitError(LlmTransportError):
    """The server answered HTTP 429 (too many requests). Context: ``backend``,
    ``status``, ``retry_after_s`` (from the ``Retry-After`` header, when sent)."""


class LlmRequestError(LlmError):
    """The server refused the request itself (HTTP 4xx other than 429: bad request,
    authentication, unknown model). Not retried: fix the request. Context:
    ``backend``, ``status``."""


class LlmResponseError(LlmError):
    """The server answered, but not with a completion: no choices, no content, a body
    larger than the client accepts, or data the client library cannot read.
    Context: ``backend``, ``limit_bytes``."""


class LlmBudgetExceededError(LlmError):
    """The total time budget of one call (all attempts and backoff together) ran
    out. Context: ``budget_s``, ``attempts``."""


class LlmCircuitOpenError(LlmError):
    """The client's circuit breaker is open after repeated failures; the request was
    not sent. Context: ``retry_in_s`` (until the breaker half-opens), ``failures``."""


# -------------------------------------------------------------------------- replies
class LlmParseError(LlmError):
    """The model's reply cannot become a plan. Context: ``text`` (the offending reply,
    cut to 2,000 characters), ``reason``."""


class LlmInvalidJsonError(LlmParseError):
    """No JSON object could be read from the reply, even tolerantly (fences,
    envelopes, thinking blocks, trailing commas and truncation are handled).
    Context: ``text``, ``position`` (character offset of the problem, when known)."""


class LlmSchemaError(LlmParseError):
    """The reply is JSON but not a plan: no step list, a step that is not an object,
    or arguments that do not fit the tool. Context: ``text``, ``step``, ``tool``,
    ``field``."""


class LlmDisallowedToolError(LlmParseError):
    """A step names a tool outside the registry or the actor's allowlist (a
    hallucinated or forbidden tool). Context: ``text``, ``step``, ``tool``, ``known``."""


class LlmPlanRejectedError(LlmError):
    """The sandbox rejected a parsed plan and the repair round did not fix it.
    Context: ``errors`` (the sandbox's messages), ``text``."""


# ---------------------------------------------------------------------------- misuse
class LlmScriptExhaustedError(LlmError, UsageError):
    """A :class:`~astraweave.llm.ScriptedLlm` was asked for more replies than its
    script holds. Context: ``calls``."""


class LlmConfigError(LlmError, UsageError):
    """A client, retry policy, cache or batch setting is invalid (negative timeout,
    zero concurrency). Context: ``field``, ``value``."""


class LlmBackendMissingError(LlmError, UsageError):
    """An optional dependency of a backend is not installed. The message carries the
    install command. Context: ``package``."""
