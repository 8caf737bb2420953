""":class:`FakeChatServer`: a real HTTP server speaking the OpenAI chat-completions API,
answering from a script. For tests and benchmarks of the HTTP client path, offline.

It binds ``127.0.0.1`` on a free port, serves ``POST /v1/chat/completions`` and
``GET /v1/models`` on a :class:`http.server.ThreadingHTTPServer`, and answers each
request with the next :class:`ServerReply` of its script (or a function of the
request body): a completion, an HTTP error, a slow or trickled reply, a hang past
the client's timeout, a huge body, a dropped connection, or raw bytes. Every wait
ends when the server stops, so shutdown never hangs.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from astraweave.errors import LlmConfigError

__all__ = ["FakeChatServer", "ServerReply"]

ReplyKind = Literal["content", "status", "hang", "drop", "raw", "huge", "trickle"]
_MAX_REQUEST_BYTES = 4 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerReply:
    """One scripted answer of :class:`FakeChatServer`.

    Args:
        kind: ``"content"`` (a completion whose message is ``content``), ``"status"``
            (HTTP ``status`` with an error body), ``"hang"`` (say nothing for
            ``delay_s``, then close), ``"drop"`` (close the connection at once),
            ``"raw"`` (status 200 with ``body`` bytes as they are), ``"huge"``
            (a body of ``size_bytes``; ``chunked`` sends it without a length),
            ``"trickle"`` (``content`` sent one byte every ``delay_s`` seconds).
        content: the message text of ``"content"`` and ``"trickle"`` replies.
        status: the HTTP status of ``"status"`` replies.
        delay_s: seconds to wait before answering (or between bytes, trickling).
        headers: extra response headers (``Retry-After`` for a 429).
        body: the bytes of a ``"raw"`` reply.
        size_bytes: the size of a ``"huge"`` body.
        chunked: send a ``"huge"`` body without Content-Length.
        finish_reason: the completion's finish reason.

    Example:
        >>> ServerReply.text('{"steps": []}').kind
        'content'
    """

    kind: ReplyKind = "content"
    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    size_bytes: int = 0
    chunked: bool = False
    finish_reason: str = "stop"

    @classmethod
    def text(cls, content: str, *, delay_s: float = 0.0) -> ServerReply:
        """A completion whose message content is ``content``."""
        return cls(kind="content", content=content, delay_s=delay_s)

    @classmethod
    def error(cls, status: int, *, headers: dict[str, str] | None = None) -> ServerReply:
        """An HTTP error status with an OpenAI-style error body."""
        return cls(kind="status", status=status, headers=dict(headers or {}))


Responder = Callable[[dict[str, Any]], ServerReply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many agents connect at once in batches
    owner: FakeChatServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-reply (timeouts, size caps) are expected: quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        """Send small replies at once (no Nagle delay waiting for an ACK)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``FakeChatServer.requests`` instead."""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """``GET /v1/models``."""
        if self.path.rstrip("/").endswith("/models"):
            owner = self.server.owner
            body = {"object": "list", "data": [{"id": owner.model, "object": "model"}]}
            self._send(200, json.dumps(body).encode())
        else:
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        """``POST /v1/chat/completions``."""
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_REQUEST_BYTES:
            self._send(413, b'{"error": {"message": "request too large"}}')
            return
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, b'{"error": {"message": "body is not JSON"}}')
            return
        reply = owner._next(body if isinstance(body, dict) else {})
        self._answer(reply, body if isinstance(body, dict) else {})

    def _wait(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the server is stopping."""
        return not self.server.owner._stopping.wait(seconds) if seconds > 0 else True

    def _answer(self, reply: ServerReply, body: dict[str, Any]) -> None:
        owner = self.server.owner
        if reply.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.kind == "hang":
            self._wait(reply.delay_s)
            self.close_connection = True
            return
        if reply.kind != "trickle" and not self._wait(reply.delay_s):
            return
        if reply.kind == "status":
            err = {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
            self._send(reply.status, json.dumps(err).encode(), reply.headers)
            return
        if reply.kind == "raw":
            self._send(200, reply.body, reply.headers)
            return
        if reply.kind == "huge":
            self._huge(reply.size_bytes, reply.chunked)
            return
        completion = {
            "id": f"chatcmpl-{owner.calls}",
            "object": "chat.completion",
            "created": 0,
            "model": str(body.get("model") or owner.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": len(json.dumps(body.get("messages", []))) // 4,
                "completion_tokens": len(reply.content) // 4,
                "total_tokens": 0,
            },
        }
        data = json.dumps(completion).encode()
        if reply.kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(len(data)):
                if not self._wait(reply.delay_s):
                    return
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
            return
        self._send(200, data, reply.headers)

    def _huge(self, size: int, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        block = b" " * 65536
        sent = 0
        while sent < size and not owner_stopping(self):
            part = block[: min(len(block), size - sent)]
            try:
                self.wfile.write(part)
            except OSError:  # the client hung up (it refused the body): done
                return
            sent += len(part)


def owner_stopping(handler: _Handler) -> bool:
    """Whether the handler's server is stopping."""
    return handler.server.owner._stopping.is_set()


class FakeChatServer:
    """A scripted OpenAI-compatible server on ``127.0.0.1`` (a free port).

    Args:
        script: replies in order, or a function from the request body to a reply.
        repeat_last: keep answering with the last reply after the script runs out
            (otherwise the server answers HTTP 500 ``script exhausted``).
        model: the model name of ``/v1/models``.

    Raises:
        LlmConfigError: an empty script without ``repeat_last`` is allowed, but a
            script that is neither a sequence nor a callable is not.

    Example:
        >>> with FakeChatServer([ServerReply.text("hi")]) as server:
        ...     server.url.startswith("http://127.0.0.1:")
        True
    """

    def __init__(
        self,
        script: Iterable[ServerReply] | Responder,
        *,
        repeat_last: bool = False,
        model: str = "fake-model",
    ) -> None:
        self._fn: Responder | None = None
        self._replies: list[ServerReply] = []
        if callable(script):
            self._fn = script
        elif isinstance(script, Iterable):
            self._replies = list(script)
        else:
            raise LlmConfigError("script must be replies or a function", field="script")
        self._repeat_last = repeat_last
        self.model = model
        self.requests: list[dict[str, Any]] = []
        """Every request body received, in order."""
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def calls(self) -> int:
        """Chat-completion requests received."""
        return len(self.requests)

    @property
    def url(self) -> str:
        """The API root to pass as ``base_url`` (``http://127.0.0.1:PORT/v1``).

        Raises:
            LlmConfigError: the server is not started.
        """
        if self._server is None:
            raise LlmConfigError("the server is not started", hint="call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def _next(self, body: dict[str, Any]) -> ServerReply:
        with self._lock:
            index = len(self.requests)
            self.requests.append(body)
            if self._fn is not None:
                return self._fn(body)
            if index < len(self._replies):
                return self._replies[index]
            if self._repeat_last and self._replies:
                return self._replies[-1]
        return ServerReply.error(500)

    def start(self) -> FakeChatServer:
        """Bind a free port and serve on a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving, end every pending wait, close the socket."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
