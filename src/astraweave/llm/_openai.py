""":class:`OpenAiClient`: any OpenAI-compatible chat-completions server.

One client speaks to hosted APIs and to local servers alike through ``base_url``:
Ollama (``http://localhost:11434/v1``), vLLM (``http://localhost:8000/v1``),
llama.cpp's ``llama-server`` (``http://localhost:8080/v1``). It uses the ``openai``
package with its own retries off (:class:`~astraweave.llm.ResilientClient` retries),
a per-request timeout, a cap on the response body (a server that streams gigabytes
is cut off), and a hard deadline on reading the body (a server that trickles bytes
cannot hold a request past its timeout). Structured output is sent as
``response_format`` with the plan's strict JSON Schema.

Every ``openai`` exception is translated at the boundary (:data:`OPENAI_ERROR_MAP`)
and raised ``from`` the original.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from astraweave.errors import (
    LlmBackendMissingError,
    LlmConfigError,
    LlmConnectionError,
    LlmError,
    LlmRateLimitError,
    LlmRequestError,
    LlmResponseError,
    LlmServerError,
    LlmTimeoutError,
)
from astraweave.llm._client import DEFAULT_TIMEOUT_S, LlmRequest, LlmResponse, TokenUsage
from astraweave.llm._schema import strict_json_schema

if TYPE_CHECKING:
    import httpx2
    import openai

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "OPENAI_ERROR_MAP",
    "OpenAiClient",
    "StructuredMode",
    "translate_openai_error",
]

DEFAULT_MAX_RESPONSE_BYTES = 1 << 20
"""Largest response body accepted, bytes (1 MiB); a plan needs a few kilobytes."""

StructuredMode = Literal["json_schema", "json_object", "none"]

OPENAI_ERROR_MAP: tuple[tuple[str, type[LlmError]], ...] = (
    ("APITimeoutError", LlmTimeoutError),
    ("APIConnectionError", LlmConnectionError),
    ("RateLimitError", LlmRateLimitError),
    ("InternalServerError", LlmServerError),
    ("BadRequestError", LlmRequestError),
    ("AuthenticationError", LlmRequestError),
    ("PermissionDeniedError", LlmRequestError),
    ("NotFoundError", LlmRequestError),
    ("ConflictError", LlmRequestError),
    ("UnprocessableEntityError", LlmRequestError),
    ("APIStatusError", LlmRequestError),
    ("APIResponseValidationError", LlmResponseError),
    ("LengthFinishReasonError", LlmResponseError),
    ("ContentFilterFinishReasonError", LlmResponseError),
    ("APIError", LlmResponseError),
    ("OpenAIError", LlmResponseError),
)
"""``openai`` exception class name -> our error, most specific first. An
``APIStatusError`` of status 5xx becomes :class:`LlmServerError` and 408 an
:class:`LlmTimeoutError` whatever its class; a connection error caused by an
oversized body becomes :class:`LlmResponseError`."""

_INSTALL_HINT = "pip install openai  (a core dependency of astraweave)"


def _import_openai() -> Any:
    try:
        import openai
    except ImportError as exc:  # pragma: no cover  (openai is a core dependency)
        raise LlmBackendMissingError(
            "the OpenAI-compatible backend needs the 'openai' package",
            package="openai",
            hint=_INSTALL_HINT,
        ) from exc
    return openai


_BODY_ERROR: type[Exception] | None = None


def _body_error(limit: int, seen: int) -> Exception:
    """An httpx2 transport error marking an oversized body (openai wraps it in an
    APIConnectionError; :func:`translate_openai_error` finds it in the cause chain)."""
    global _BODY_ERROR
    if _BODY_ERROR is None:
        import httpx2

        class BodyTooLargeError(httpx2.TransportError):
            """The response body exceeds the client's cap."""

        _BODY_ERROR = BodyTooLargeError
    err = _BODY_ERROR(f"response body exceeds {limit} bytes (read {seen})")
    err.limit_bytes = limit  # type: ignore[attr-defined]  # marker read by _body_too_large
    return err


def _limits_of(request: httpx2.Request, default_timeout: float) -> float:
    timeout = request.extensions.get("timeout", {})
    read = timeout.get("read") if isinstance(timeout, Mapping) else None
    return float(read) if isinstance(read, int | float) else default_timeout


def _make_transports(max_bytes: int, timeout_s: float, trust_env: bool) -> tuple[Any, Any]:
    """Sync and async httpx2 transports that cap the body and enforce a deadline."""
    import httpx2

    def _too_large(headers: httpx2.Headers) -> int | None:
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            return int(length)
        return None

    class _Stream(httpx2.SyncByteStream):
        def __init__(self, inner: httpx2.SyncByteStream, deadline: float, req: Any) -> None:
            self._inner, self._deadline, self._req = inner, deadline, req

        def __iter__(self) -> Iterator[bytes]:
            seen = 0
            for chunk in self._inner:
                seen += len(chunk)
                if seen > max_bytes:
                    raise _body_error(max_bytes, seen)
                if time.monotonic() > self._deadline:
                    raise httpx2.ReadTimeout("body not complete by the deadline", request=self._req)
                yield chunk

        def close(self) -> None:
            self._inner.close()

    class _AsyncStream(httpx2.AsyncByteStream):
        def __init__(self, inner: httpx2.AsyncByteStream, deadline: float, req: Any) -> None:
            self._inner, self._deadline, self._req = inner, deadline, req

        async def __aiter__(self) -> AsyncIterator[bytes]:
            seen = 0
            async for chunk in self._inner:
                seen += len(chunk)
                if seen > max_bytes:
                    raise _body_error(max_bytes, seen)
                if time.monotonic() > self._deadline:
                    raise httpx2.ReadTimeout("body not complete by the deadline", request=self._req)
                yield chunk

        async def aclose(self) -> None:
            await self._inner.aclose()

    class _Sync(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            deadline = time.monotonic() + _limits_of(request, timeout_s)
            response = super().handle_request(request)
            size = _too_large(response.headers)
            if size is not None:
                response.close()
                raise _body_error(max_bytes, size)
            stream = response.stream
            if not isinstance(stream, httpx2.SyncByteStream):  # pragma: no cover
                return response
            return httpx2.Response(
                status_code=response.status_code,
                headers=response.headers,
                stream=_Stream(stream, deadline, request),
                extensions=response.extensions,
                request=request,
            )

    class _Async(httpx2.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            deadline = time.monotonic() + _limits_of(request, timeout_s)
            response = await super().handle_async_request(request)
            size = _too_large(response.headers)
            if size is not None:
                await response.aclose()
                raise _body_error(max_bytes, size)
            stream = response.stream
            if not isinstance(stream, httpx2.AsyncByteStream):  # pragma: no cover
                return response
            return httpx2.Response(
                status_code=response.status_code,
                headers=response.headers,
                stream=_AsyncStream(stream, deadline, request),
                extensions=response.extensions,
                request=request,
            )

    limits = httpx2.Limits(max_connections=256, max_keepalive_connections=64)
    return (
        _Sync(trust_env=trust_env, limits=limits),
        _Async(trust_env=trust_env, limits=limits),
    )


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _body_too_large(exc: BaseException) -> int | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        limit = getattr(cur, "limit_bytes", None)
        if isinstance(limit, int):
            return limit
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


def translate_openai_error(
    exc: BaseException, *, backend: str = "openai", url: str = "", timeout_s: float | None = None
) -> LlmError:
    """Our error for an exception of the ``openai`` package (see :data:`OPENAI_ERROR_MAP`).

    Args:
        exc: the ``openai`` exception.
        backend: the backend name recorded in the error.
        url: the server's base URL.
        timeout_s: the request's timeout (recorded on timeouts).

    Returns:
        The translated error (the caller raises it ``from exc``).

    Example:
        >>> import openai
        >>> type(translate_openai_error(openai.OpenAIError("boom"))).__name__
        'LlmResponseError'
    """
    limit = _body_too_large(exc)
    if limit is not None:
        return LlmResponseError(
            f"the response body is larger than {limit} bytes",
            backend=backend,
            url=url,
            limit_bytes=limit,
            hint="lower max_tokens, or raise max_response_bytes",
        )
    status = getattr(exc, "status_code", None)
    names = [cls.__name__ for cls in type(exc).__mro__]
    target: type[LlmError] = LlmResponseError
    for name, err in OPENAI_ERROR_MAP:
        if name in names:
            target = err
            break
    if isinstance(status, int):
        if status >= 500:
            target = LlmServerError
        elif status == 408:
            target = LlmTimeoutError
    message = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    context: dict[str, Any] = {"backend": backend, "url": url, "status": status}
    if target is LlmTimeoutError:
        context["timeout_s"] = timeout_s
        message = f"no reply within {timeout_s:g} s" if timeout_s else message
    if target is LlmRateLimitError:
        context["retry_after_s"] = _retry_after(exc)
    where = f" from {url}" if url else ""
    return target(f"{type(exc).__name__}{where}: {message[:500]}", **context)


class OpenAiClient:
    """An OpenAI-compatible chat-completions client; implements
    :class:`~astraweave.llm.LlmClient`.

    Args:
        base_url: the server's API root, e.g. ``http://localhost:11434/v1``.
        model: the default model name (requests may name another).
        api_key: the key sent as a bearer token (local servers ignore it); never
            shown by ``repr``. Default: a placeholder, since the environment is not
            read implicitly.
        timeout_s: default per-request timeout, seconds (connect, first byte and
            the whole body each within it).
        max_response_bytes: largest response body accepted.
        structured: ``"json_schema"`` sends the request's schema as a strict
            ``response_format`` (OpenAI, vLLM, Ollama >= 0.5, llama.cpp's server);
            ``"json_object"`` asks only for JSON (older servers); ``"none"`` sends
            nothing (the parser copes).
        trust_env: honour proxy variables of the environment.

    Raises:
        LlmConfigError: an empty URL or a bad limit.

    Example:
        >>> client = OpenAiClient("http://127.0.0.1:9/v1", model="m", api_key="sk-secret")
        >>> "secret" in repr(client)
        False
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "",
        api_key: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        structured: StructuredMode = "json_schema",
        trust_env: bool = True,
    ) -> None:
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise LlmConfigError(
                f"base_url must be an http(s) URL, got {base_url!r}",
                field="base_url",
                value=base_url,
                hint="e.g. http://localhost:11434/v1 for Ollama",
            )
        if not timeout_s > 0:
            raise LlmConfigError("timeout_s must be positive", field="timeout_s", value=timeout_s)
        if max_response_bytes < 1024:
            raise LlmConfigError(
                "max_response_bytes must be at least 1024",
                field="max_response_bytes",
                value=max_response_bytes,
            )
        if structured not in ("json_schema", "json_object", "none"):
            raise LlmConfigError(
                "structured must be 'json_schema', 'json_object' or 'none'",
                field="structured",
                value=structured,
            )
        self.base_url = base_url.rstrip("/")
        self._model = model
        self._api_key = api_key or "sk-no-key-required"
        self.timeout_s = timeout_s
        self.max_response_bytes = max_response_bytes
        self.structured: StructuredMode = structured
        self._trust_env = trust_env
        self._sync: openai.OpenAI | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )
        self._transports: tuple[Any, Any] | None = None

    def __repr__(self) -> str:
        return (
            f"OpenAiClient(base_url={self.base_url!r}, model={self._model!r}, api_key='***', "
            f"timeout_s={self.timeout_s!r}, structured={self.structured!r})"
        )

    @property
    def name(self) -> str:
        """``"openai"``."""
        return "openai"

    @property
    def model(self) -> str:
        """The default model name."""
        return self._model

    @property
    def supports_schema(self) -> bool:
        """Whether schemas are sent as a strict ``response_format``."""
        return self.structured == "json_schema"

    def _transport_pair(self) -> tuple[Any, Any]:
        if self._transports is None:
            self._transports = _make_transports(
                self.max_response_bytes, self.timeout_s, self._trust_env
            )
        return self._transports

    def _sync_client(self) -> openai.OpenAI:
        if self._sync is None:
            oa = _import_openai()
            import httpx2

            http = httpx2.Client(transport=self._transport_pair()[0], trust_env=self._trust_env)
            self._sync = oa.OpenAI(
                base_url=self.base_url,
                api_key=self._api_key,
                timeout=self.timeout_s,
                max_retries=0,
                http_client=http,
            )
        return self._sync

    def _async_client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            oa = _import_openai()
            import httpx2

            _, transport = _make_transports(
                self.max_response_bytes, self.timeout_s, self._trust_env
            )
            http = httpx2.AsyncClient(transport=transport, trust_env=self._trust_env)
            client = oa.AsyncOpenAI(
                base_url=self.base_url,
                api_key=self._api_key,
                timeout=self.timeout_s,
                max_retries=0,
                http_client=http,
            )
            self._async[loop] = client
        return client

    def _kwargs(self, request: LlmRequest) -> dict[str, Any]:
        model = request.model or self._model
        if not model:
            raise LlmConfigError(
                "no model name: pass model= to the client or the request",
                field="model",
                hint="e.g. --model qwen2.5:0.5b for Ollama",
            )
        sampling = request.sampling
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": [m.as_dict() for m in request.messages],
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
            "timeout": request.timeout_s if request.timeout_s is not None else self.timeout_s,
        }
        if sampling.seed is not None:
            kwargs["seed"] = sampling.seed
        if request.response_schema is not None and self.structured == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": strict_json_schema(request.response_schema),
                    "strict": True,
                },
            }
        elif request.response_schema is not None and self.structured == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _response(self, completion: Any, request: LlmRequest, latency: float) -> LlmResponse:
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise LlmResponseError(
                "the server answered without choices", backend=self.name, url=self.base_url
            )
        message = choices[0].message
        text = getattr(message, "content", None)
        if not isinstance(text, str):
            refusal = getattr(message, "refusal", None)
            raise LlmResponseError(
                f"the reply has no text content (refusal: {refusal!r:.200})",
                backend=self.name,
                url=self.base_url,
                text=str(refusal or ""),
            )
        usage = getattr(completion, "usage", None)
        return LlmResponse(
            text=text,
            model=str(getattr(completion, "model", "") or request.model or self._model),
            backend=self.name,
            request_id=request.request_id,
            usage=TokenUsage(
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            ),
            latency_s=latency,
            finish_reason=str(choices[0].finish_reason or "stop"),
            structured=self.supports_schema and request.response_schema is not None,
        )

    def _translate(self, exc: BaseException, kwargs: Mapping[str, Any]) -> LlmError:
        return translate_openai_error(
            exc, backend=self.name, url=self.base_url, timeout_s=kwargs.get("timeout")
        )

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Send one chat completion and wait for it.

        Raises:
            LlmTimeoutError, LlmConnectionError, LlmServerError, LlmRateLimitError:
                transport failures (retryable).
            LlmRequestError: the server refused the request (4xx).
            LlmResponseError: no usable completion, or a body over the size cap.
            LlmConfigError: no model name.
        """
        kwargs = self._kwargs(request)
        oa = _import_openai()
        client = self._sync_client()
        t0 = time.perf_counter()
        try:
            completion = client.chat.completions.create(**kwargs)
        except oa.OpenAIError as exc:
            raise self._translate(exc, kwargs) from exc
        except json.JSONDecodeError as exc:
            raise LlmResponseError(
                f"the server's body is not JSON: {exc}", backend=self.name, url=self.base_url
            ) from exc
        return self._response(completion, request, time.perf_counter() - t0)

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """:meth:`complete` on the running asyncio loop (one connection pool per loop)."""
        kwargs = self._kwargs(request)
        oa = _import_openai()
        client = self._async_client()
        t0 = time.perf_counter()
        try:
            completion = await client.chat.completions.create(**kwargs)
        except oa.OpenAIError as exc:
            raise self._translate(exc, kwargs) from exc
        except json.JSONDecodeError as exc:
            raise LlmResponseError(
                f"the server's body is not JSON: {exc}", backend=self.name, url=self.base_url
            ) from exc
        return self._response(completion, request, time.perf_counter() - t0)

    async def aclose(self) -> None:
        """Close the connection pool of the running loop (call it before the loop
        ends, e.g. at the end of the coroutine given to ``asyncio.run``)."""
        loop = asyncio.get_running_loop()
        client = self._async.pop(loop, None)
        if client is not None:
            await client.close()

    def close(self) -> None:
        """Close the sync pool, and the async pools of loops that still run."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        pools, self._async = list(self._async.items()), weakref.WeakKeyDictionary()
        for loop, client in pools:
            if loop.is_closed():
                continue
            if loop.is_running():
                future = asyncio.run_coroutine_threadsafe(client.close(), loop)
                try:
                    future.result(timeout=2.0)
                except TimeoutError:
                    future.cancel()
            else:
                loop.run_until_complete(client.close())
