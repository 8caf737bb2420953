""":class:`ScriptedLlm`: a fake backend that answers from a script, for tests.

Like httpx's ``MockTransport``, it lets a game test its LLM-driven agents offline and
deterministically: canned replies in order (valid plans, malformed text, slow
replies, failures), or a function of the request.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from astraweave.errors import LlmConfigError, LlmError, LlmScriptExhaustedError, LlmTimeoutError
from astraweave.llm._client import DEFAULT_TIMEOUT_S, LlmRequest, LlmResponse, TokenUsage

__all__ = ["ScriptedLlm", "ScriptedReply"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptedReply:
    """One canned reply of a :class:`ScriptedLlm`.

    Args:
        text: the reply text.
        delay_s: seconds to wait before answering (a slow model). A delay past the
            request's timeout raises :class:`~astraweave.errors.LlmTimeoutError`
            after waiting the timeout, as a real client would.
        error: raise this instead of answering (a failing model or server).
        finish_reason: reported finish reason (``"length"`` for a cut reply).

    Example:
        >>> ScriptedReply.plan([{"tool": "Wait", "seconds": 1.0}]).text
        '{"steps":[{"tool":"Wait","seconds":1.0}]}'
    """

    text: str = ""
    delay_s: float = 0.0
    error: LlmError | None = None
    finish_reason: str = "stop"

    @classmethod
    def plan(cls, steps: Sequence[Mapping[str, Any]], *, delay_s: float = 0.0) -> ScriptedReply:
        """A reply holding a plan with ``steps`` as compact JSON."""
        text = json.dumps({"steps": [dict(s) for s in steps]}, separators=(",", ":"))
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def fail(cls, error: LlmError, *, delay_s: float = 0.0) -> ScriptedReply:
        """A reply that raises ``error`` (after ``delay_s``)."""
        return cls(error=error, delay_s=delay_s)


Script = Iterable["str | ScriptedReply"] | Callable[[LlmRequest], "str | ScriptedReply"]


class ScriptedLlm:
    """A backend answering from a script; implements :class:`~astraweave.llm.LlmClient`.

    Args:
        script: replies in order (strings or :class:`ScriptedReply`), or a function
            from the request to a reply.
        repeat_last: after the script runs out, repeat its last reply instead of
            raising :class:`~astraweave.errors.LlmScriptExhaustedError`.
        model: the model name it reports.
        supports_schema: whether it claims to constrain decoding (it does not check
            the schema; a test scripting only valid replies can set it).
        timeout_s: the default per-request timeout, seconds.
        sleep: the function that waits ``delay_s`` (inject a fake in tests).

    Example:
        >>> from astraweave.llm import ChatMessage, LlmRequest
        >>> llm = ScriptedLlm(["first", ScriptedReply(text="second")])
        >>> req = LlmRequest(messages=(ChatMessage("user", "hi"),))
        >>> llm.complete(req).text, llm.complete(req).text, llm.calls
        ('first', 'second', 2)
    """

    def __init__(
        self,
        script: Script,
        *,
        repeat_last: bool = False,
        model: str = "scripted",
        supports_schema: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout_s <= 0:
            raise LlmConfigError("timeout_s must be positive", field="timeout_s", value=timeout_s)
        self._fn: Callable[[LlmRequest], str | ScriptedReply] | None = None
        self._replies: list[str | ScriptedReply] = []
        if callable(script):
            self._fn = script
        else:
            self._replies = list(script)
        self._repeat_last = repeat_last
        self._model = model
        self._supports_schema = supports_schema
        self._timeout_s = timeout_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self.requests: list[LlmRequest] = []
        """Every request received, in order."""

    @property
    def name(self) -> str:
        """``"scripted"``."""
        return "scripted"

    @property
    def model(self) -> str:
        """The model name it reports."""
        return self._model

    @property
    def supports_schema(self) -> bool:
        """As configured."""
        return self._supports_schema

    @property
    def calls(self) -> int:
        """Requests received so far."""
        return len(self.requests)

    def _next(self, request: LlmRequest) -> tuple[ScriptedReply, float]:
        with self._lock:
            index = len(self.requests)
            self.requests.append(request)
            if self._fn is not None:
                reply = self._fn(request)
            elif index < len(self._replies):
                reply = self._replies[index]
            elif self._repeat_last and self._replies:
                reply = self._replies[-1]
            else:
                raise LlmScriptExhaustedError(
                    f"ScriptedLlm has {len(self._replies)} replies and got request {index + 1}",
                    calls=index + 1,
                    hint="add replies or pass repeat_last=True",
                )
        if isinstance(reply, str):
            reply = ScriptedReply(text=reply)
        timeout = request.timeout_s if request.timeout_s is not None else self._timeout_s
        return reply, timeout

    def _finish(self, request: LlmRequest, reply: ScriptedReply, waited: float) -> LlmResponse:
        if reply.error is not None:
            raise reply.error
        return LlmResponse(
            text=reply.text,
            model=request.model or self._model,
            backend=self.name,
            request_id=request.request_id,
            usage=TokenUsage(
                prompt_tokens=sum(len(m.content) // 4 for m in request.messages),
                completion_tokens=len(reply.text) // 4,
            ),
            latency_s=waited,
            finish_reason=reply.finish_reason,
            structured=self._supports_schema and request.response_schema is not None,
        )

    def _timeout(self, timeout: float) -> LlmTimeoutError:
        return LlmTimeoutError(
            f"scripted reply slower than the {timeout:g} s timeout",
            backend=self.name,
            timeout_s=timeout,
        )

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Answer with the next scripted reply (waiting its delay).

        Raises:
            LlmScriptExhaustedError: the script ran out.
            LlmTimeoutError: the reply's delay exceeds the request's timeout.
            LlmError: the reply's scripted ``error``.
        """
        reply, timeout = self._next(request)
        if reply.delay_s > timeout:
            self._sleep(timeout)
            raise self._timeout(timeout)
        if reply.delay_s > 0:
            self._sleep(reply.delay_s)
        return self._finish(request, reply, reply.delay_s)

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """:meth:`complete` on an asyncio loop (delays are ``asyncio.sleep``)."""
        reply, timeout = self._next(request)
        if reply.delay_s > timeout:
            await asyncio.sleep(timeout)
            raise self._timeout(timeout)
        if reply.delay_s > 0:
            await asyncio.sleep(reply.delay_s)
        return self._finish(request, reply, reply.delay_s)

    def close(self) -> None:
        """Nothing to release."""
