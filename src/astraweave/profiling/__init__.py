"""Spans, frame marks and Chrome trace export; machine facts for benchmark JSON.

Everyone may import this package (it depends only on :mod:`astraweave.errors`).
Recording is off by default and then costs one attribute check per span.

Example:
    >>> from astraweave.profiling import Profiler, span
    >>> prof = Profiler()
    >>> with prof.recording():
    ...     with span("work"):
    ...         _ = sum(range(10))
    >>> [s.name for s in prof.spans]
    ['work']
"""

from astraweave.profiling._machine import machine_info
from astraweave.profiling._spans import Profiler, SpanRecord, current_profiler, span

__all__ = ["Profiler", "SpanRecord", "current_profiler", "machine_info", "span"]
