"""Scripting an LLM over HTTP from the world it is shown.

:class:`PlanScript` is a responder for :class:`~astraweave.llm.FakeChatServer` (a real
OpenAI-compatible HTTP server on 127.0.0.1): each request's snapshot (the ``<world>``
JSON of the prompt) goes to your function, whose answer (a plan dict, text, or a
:class:`~astraweave.llm.ServerReply`) becomes the completion. Exceptions in your
function are recorded (:attr:`PlanScript.errors`) and answered with HTTP 500, so a
bug in a test's script shows up as an error, not as a mysterious connection failure.
:func:`llm_planner_for` points an :class:`~astraweave.ai.LlmPlanner` at the server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from astraweave.ai import LlmPlanner
from astraweave.llm import FakeChatServer, OpenAiClient, ServerReply
from astraweave.testing._errors import HarnessError

__all__ = ["PlanScript", "llm_planner_for", "request_world"]

_WORLD = re.compile(r"<world>(.*?)</world>", re.S)

Answer = Mapping[str, Any] | str | ServerReply
ScriptFn = Callable[[dict[str, Any], int, dict[str, Any]], Answer]


def request_world(body: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot the engine put in a chat-completions request (the JSON between
    ``<world>`` and ``</world>`` of the last user message that has one).

    Args:
        body: the request body (as :attr:`FakeChatServer.requests` holds it).

    Returns:
        The compact snapshot as a dict (``agent``, ``enemies``, ``allies``, ...).

    Raises:
        HarnessError: no user message holds a world.

    Example:
        >>> request_world({"messages": [{"role": "user", "content": '<world>{"a": 1}</world>'}]})
        {'a': 1}
    """
    for message in reversed(list(body.get("messages", []))):
        if message.get("role") != "user":
            continue
        found = _WORLD.search(str(message.get("content", "")))
        if found:
            data = json.loads(found.group(1))
            if isinstance(data, dict):
                return data
    raise HarnessError("the request has no <world> snapshot in a user message")


class PlanScript:
    """A :class:`~astraweave.llm.FakeChatServer` responder computing replies from the
    snapshot in each request.

    Args:
        fn: ``fn(world, call_index, body)`` returning a plan (a dict, sent as JSON),
            raw text, or a :class:`~astraweave.llm.ServerReply`. ``call_index``
            counts requests from 0; repair rounds are requests too (their last
            message lists the sandbox's errors).

    Attributes:
        calls: every request body, in order.
        errors: ``"ExcType: message"`` for each request the function failed on (it
            was answered with HTTP 500).

    Example:
        >>> script = PlanScript(lambda world, i, body: {"steps": [{"tool": "Wait"}]})
        >>> reply = script({"messages": [{"role": "user", "content": "<world>{}</world>"}]})
        >>> reply.content, script.errors
        ('{"steps": [{"tool": "Wait"}]}', [])
    """

    def __init__(self, fn: ScriptFn) -> None:
        self.fn = fn
        self.calls: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def __call__(self, body: dict[str, Any]) -> ServerReply:
        """Answer one request."""
        index = len(self.calls)
        self.calls.append(body)
        try:
            answer = self.fn(request_world(body), index, body)
        except Exception as exc:  # noqa: BLE001  (recorded and answered with a 500)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return ServerReply.error(500)
        if isinstance(answer, ServerReply):
            return answer
        if isinstance(answer, str):
            return ServerReply.text(answer)
        return ServerReply.text(json.dumps(dict(answer)))


def llm_planner_for(
    server: FakeChatServer, *, timeout_s: float = 5.0, **planner_options: Any
) -> LlmPlanner:
    """A blocking :class:`~astraweave.ai.LlmPlanner` over HTTP to ``server``.

    Args:
        server: a started server.
        timeout_s: the HTTP client's timeout per request.
        **planner_options: passed to :class:`~astraweave.ai.LlmPlanner` (``cache``,
            ``repair``, ``fallbacks``, ``persona``, ...).

    Returns:
        The planner; close it (``planner.close()``) when done.

    Example:
        >>> with FakeChatServer([ServerReply.text('{"steps": []}')]) as server:
        ...     planner = llm_planner_for(server, cache=False)
        ...     planner.client.model
        ...     planner.close()
        'fake-model'
    """
    client = OpenAiClient(server.url, model=server.model, timeout_s=timeout_s, trust_env=False)
    return LlmPlanner(client, **planner_options)
