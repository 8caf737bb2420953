"""Fixtures of the LLM tests: a real OpenAI-compatible HTTP server on 127.0.0.1.

The server is :class:`astraweave.llm.FakeChatServer` (it lives in the package because
``astraweave bench llm`` serves from it too); each test scripts its replies. Timeouts
are short (0.3 s) so failure paths stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from astraweave.llm import (
    ChatMessage,
    FakeChatServer,
    LlmRequest,
    OpenAiClient,
)

FAST_TIMEOUT_S = 0.3


@pytest.fixture()
def serve() -> Iterator[Callable[..., FakeChatServer]]:
    """Start a scripted server: ``serve([ServerReply...], repeat_last=...)``; all stop
    at teardown."""
    servers: list[FakeChatServer] = []

    def _start(script: Any, **kwargs: Any) -> FakeChatServer:
        server = FakeChatServer(script, **kwargs).start()
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop()


@pytest.fixture()
def http_client() -> Iterator[Callable[..., OpenAiClient]]:
    """Build OpenAiClients for a server (short timeout, no proxies); closed at teardown."""
    clients: list[OpenAiClient] = []

    def _make(server: FakeChatServer, **kwargs: Any) -> OpenAiClient:
        kwargs.setdefault("timeout_s", FAST_TIMEOUT_S)
        kwargs.setdefault("model", "fake-model")
        client = OpenAiClient(server.url, trust_env=False, **kwargs)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


@pytest.fixture()
def request_() -> LlmRequest:
    """A small request with a schema."""
    return LlmRequest(
        messages=(ChatMessage("system", "plan"), ChatMessage("user", "go")),
        response_schema={"type": "object", "properties": {"steps": {"type": "array"}}},
        request_id="agent-1",
    )
