"""OpenAiClient against a real HTTP server on 127.0.0.1 (no mocking of the HTTP layer)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request

import httpx2
import openai
import pytest

from astraweave.errors import (
    LlmConfigError,
    LlmConnectionError,
    LlmError,
    LlmRateLimitError,
    LlmRequestError,
    LlmResponseError,
    LlmServerError,
    LlmTimeoutError,
)
from astraweave.llm import (
    OPENAI_ERROR_MAP,
    ChatMessage,
    LlmRequest,
    OpenAiClient,
    SamplingParams,
    ServerReply,
    translate_openai_error,
)

PLAN = '{"steps": [{"tool": "Wait", "seconds": 1.0}]}'


def test_valid_reply_and_what_is_sent(serve, http_client, request_) -> None:
    server = serve([ServerReply.text(PLAN)])
    reply = http_client(server).complete(request_)
    assert reply.text == PLAN
    assert reply.backend == "openai" and reply.request_id == "agent-1"
    assert reply.structured and reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens > 0
    body = server.requests[0]
    assert body["model"] == "fake-model"
    assert body["temperature"] == 0.0 and body["seed"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


@pytest.mark.parametrize(
    ("mode", "expected"), [("json_object", {"type": "json_object"}), ("none", None)]
)
def test_structured_modes(serve, http_client, request_, mode, expected) -> None:
    server = serve([ServerReply.text(PLAN)])
    client = http_client(server, structured=mode)
    assert client.complete(request_).structured is False
    assert server.requests[0].get("response_format") == expected


def test_request_model_and_sampling_override(serve, http_client) -> None:
    server = serve([ServerReply.text("x")])
    req = LlmRequest(
        messages=(ChatMessage("user", "hi"),),
        model="other",
        sampling=SamplingParams(temperature=0.5, max_tokens=7, seed=None),
    )
    http_client(server).complete(req)
    body = server.requests[0]
    assert body["model"] == "other" and body["max_tokens"] == 7 and "seed" not in body


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (ServerReply.error(500), LlmServerError),
        (ServerReply.error(503), LlmServerError),
        (ServerReply.error(400), LlmRequestError),
        (ServerReply.error(401), LlmRequestError),
        (ServerReply.error(404), LlmRequestError),
        (ServerReply.error(408), LlmTimeoutError),
        (ServerReply(kind="hang", delay_s=3.0), LlmTimeoutError),
        (ServerReply(kind="drop"), LlmConnectionError),
        (ServerReply(kind="raw", body=b"<html>not json</html>"), LlmResponseError),
        (ServerReply(kind="raw", body=b'{"choices": []}'), LlmResponseError),
        (
            ServerReply(
                kind="raw",
                body=b'{"choices": [{"index": 0, "message": {"role": "assistant", '
                b'"content": null, "refusal": "no"}, "finish_reason": "stop"}]}',
            ),
            LlmResponseError,
        ),
        (ServerReply(kind="huge", size_bytes=3 << 20), LlmResponseError),
        (ServerReply(kind="huge", size_bytes=3 << 20, chunked=True), LlmResponseError),
        (ServerReply(kind="trickle", content="x" * 200, delay_s=0.01), LlmTimeoutError),
    ],
    ids=lambda v: getattr(v, "kind", None) and f"{v.kind}-{v.status}",
)
def test_failures_are_typed(serve, http_client, request_, reply, error) -> None:
    server = serve([reply])
    client = http_client(server)
    t0 = time.perf_counter()
    with pytest.raises(error) as info:
        client.complete(request_)
    assert time.perf_counter() - t0 < 3.0  # a hanging or trickling server cannot hold us
    assert isinstance(info.value, LlmError)


def test_rate_limit_carries_retry_after(serve, http_client, request_) -> None:
    server = serve([ServerReply.error(429, headers={"Retry-After": "2"})])
    with pytest.raises(LlmRateLimitError) as info:
        http_client(server).complete(request_)
    assert info.value.retry_after_s == 2.0 and info.value.status == 429
    assert isinstance(info.value.__cause__, openai.RateLimitError)


def test_refused_connection(http_client, serve, request_) -> None:
    server = serve([])
    url = server.url
    server.stop()
    client = OpenAiClient(url, model="m", timeout_s=0.3, trust_env=False)
    with pytest.raises(LlmConnectionError):
        client.complete(request_)
    client.close()


def test_async_path(serve, http_client, request_) -> None:
    server = serve(
        [ServerReply.text(PLAN), ServerReply.error(500), ServerReply(kind="hang", delay_s=3)]
    )
    client = http_client(server)

    async def run() -> list[object]:
        out: list[object] = [await client.acomplete(request_)]
        for _ in range(2):
            try:
                await client.acomplete(request_)
            except LlmError as exc:
                out.append(type(exc))
        await client.aclose()
        return out

    reply, e1, e2 = asyncio.run(run())
    assert reply.text == PLAN  # type: ignore[attr-defined]
    assert (e1, e2) == (LlmServerError, LlmTimeoutError)


def test_async_huge_body(serve, http_client, request_) -> None:
    server = serve([ServerReply(kind="huge", size_bytes=3 << 20, chunked=True)])
    client = http_client(server)

    async def run() -> None:
        try:
            await client.acomplete(request_)
        finally:
            await client.aclose()

    with pytest.raises(LlmResponseError):
        asyncio.run(run())


def test_models_endpoint_and_unknown_paths(serve) -> None:
    server = serve([])
    with urllib.request.urlopen(server.url + "/models", timeout=2) as resp:
        assert json.loads(resp.read())["data"][0]["id"] == "fake-model"


def test_config_errors_and_repr() -> None:
    with pytest.raises(LlmConfigError):
        OpenAiClient("localhost:11434")
    with pytest.raises(LlmConfigError):
        OpenAiClient("http://x/v1", timeout_s=0)
    with pytest.raises(LlmConfigError):
        OpenAiClient("http://x/v1", max_response_bytes=10)
    with pytest.raises(LlmConfigError):
        OpenAiClient("http://x/v1", structured="yaml")  # type: ignore[arg-type]
    client = OpenAiClient("http://x/v1", api_key="sk-very-secret")
    assert "very-secret" not in repr(client) and "***" in repr(client)
    with pytest.raises(LlmConfigError, match="model"):
        client.complete(LlmRequest(messages=(ChatMessage("user", "x"),)))


def _request() -> httpx2.Request:
    return httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")


def _response(status: int) -> httpx2.Response:
    return httpx2.Response(status, request=_request(), headers={"retry-after": "1.5"})


def test_every_mapped_openai_error_translates() -> None:
    """Enumerate the upstream exceptions we map, build each, and check the mapping."""
    names = {name for name, _ in OPENAI_ERROR_MAP}
    for name in names:
        assert hasattr(openai, name), f"openai has no {name}"
    status_classes = {
        "BadRequestError": 400,
        "AuthenticationError": 401,
        "PermissionDeniedError": 403,
        "NotFoundError": 404,
        "ConflictError": 409,
        "UnprocessableEntityError": 422,
        "RateLimitError": 429,
        "InternalServerError": 500,
        "APIStatusError": 418,
    }
    for name, ours in OPENAI_ERROR_MAP:
        cls = getattr(openai, name)
        if name in status_classes:
            exc = cls("boom", response=_response(status_classes[name]), body=None)
        elif name in ("APITimeoutError", "APIConnectionError"):
            exc = cls(request=_request())
        elif name == "APIResponseValidationError":
            exc = cls(response=_response(200), body=None)
        elif name == "APIError":
            exc = cls("boom", _request(), body=None)
        elif name == "LengthFinishReasonError":
            exc = cls.__new__(cls)
            Exception.__init__(exc, "length")
        elif name == "ContentFilterFinishReasonError":
            exc = cls()
        else:
            exc = cls("boom")
        got = translate_openai_error(exc, url="http://x", timeout_s=1.0)
        assert type(got) is ours, (name, type(got))
    rate = translate_openai_error(
        openai.RateLimitError("slow down", response=_response(429), body=None)
    )
    assert isinstance(rate, LlmRateLimitError) and rate.retry_after_s == 1.5
    server = translate_openai_error(
        openai.APIStatusError("bad gateway", response=_response(502), body=None)
    )
    assert isinstance(server, LlmServerError)
