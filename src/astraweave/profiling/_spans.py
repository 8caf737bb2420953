"""A minimal span recorder that exports Chrome trace-event JSON (opens in Perfetto).

Spans are recorded into the *current* profiler, set with :meth:`Profiler.recording`.
With none recording, :func:`span` returns a shared no-op context manager.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from astraweave.errors import ProfilingError

__all__ = ["Profiler", "SpanRecord", "current_profiler", "span"]

_NULL: AbstractContextManager[None] = nullcontext()
_current: Profiler | None = None


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One finished span: ``name``, start and duration in nanoseconds, thread id."""

    name: str
    start_ns: int
    duration_ns: int
    thread: int
    args: dict[str, Any] = field(default_factory=dict)


class Profiler:
    """Collects spans and frame marks while :meth:`recording` is active."""

    def __init__(self) -> None:
        self.spans: list[SpanRecord] = []
        self.frames: list[int] = []
        self._lock = threading.Lock()
        self._origin_ns = time.perf_counter_ns()

    @contextmanager
    def recording(self) -> Iterator[Profiler]:
        """Make this the current profiler for the duration of the ``with`` block.

        Raises:
            ProfilingError: another profiler is already recording.
        """
        global _current
        if _current is not None:
            raise ProfilingError(
                "another Profiler is already recording",
                hint="finish the outer `with profiler.recording()` block first",
            )
        _current = self
        try:
            yield self
        finally:
            _current = None

    @contextmanager
    def _span(self, name: str, args: dict[str, Any]) -> Iterator[None]:
        start = time.perf_counter_ns()
        try:
            yield
        finally:
            end = time.perf_counter_ns()
            rec = SpanRecord(
                name, start - self._origin_ns, end - start, threading.get_ident(), args
            )
            with self._lock:
                self.spans.append(rec)

    def mark_frame(self) -> None:
        """Record a frame boundary (a tick) at the current time."""
        self.frames.append(time.perf_counter_ns() - self._origin_ns)

    def totals_ms(self) -> dict[str, float]:
        """Total milliseconds per span name, largest first."""
        totals: dict[str, float] = {}
        for rec in self.spans:
            totals[rec.name] = totals.get(rec.name, 0.0) + rec.duration_ns / 1e6
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_chrome_trace(self) -> dict[str, Any]:
        """The recorded spans as a Chrome trace-event document (``traceEvents``)."""
        events: list[dict[str, Any]] = [
            {
                "name": rec.name,
                "ph": "X",
                "ts": rec.start_ns / 1000.0,
                "dur": rec.duration_ns / 1000.0,
                "pid": 1,
                "tid": rec.thread,
                "args": rec.args,
            }
            for rec in self.spans
        ]
        events.extend(
            {"name": "frame", "ph": "i", "s": "g", "ts": ts / 1000.0, "pid": 1, "tid": 0}
            for ts in self.frames
        )
        return {"traceEvents": events, "displayTimeUnit": "ms"}

    def write_chrome_trace(self, path: str | Path) -> Path:
        """Write :meth:`to_chrome_trace` as JSON to ``path`` and return the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.to_chrome_trace()), encoding="utf-8")
        return out


def current_profiler() -> Profiler | None:
    """The profiler now recording, or ``None``."""
    return _current


def span(name: str, **args: Any) -> AbstractContextManager[None]:
    """Time the ``with`` block as a span called ``name`` in the current profiler.

    Costs one global lookup when nothing is recording.
    """
    prof = _current
    if prof is None:
        return _NULL
    return prof._span(name, args)
