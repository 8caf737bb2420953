"""An exact-key LRU cache for LLM plans (no fuzzy matching).

The key is the SHA-256 of the canonical JSON of everything that determines the
answer: the snapshot's canonical JSON, the registry's version, the model, the
sampling parameters, and the prompt's other inputs (persona, objective, style,
allowlist). Two situations that differ in one byte get different keys, so a cached
plan is never served for a situation it was not made for (a similarity key that
dropped short tokens once served stale plans). Keys are byte-stable across
processes: no ``hash()``, sorted keys.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from astraweave.errors import LlmConfigError

__all__ = ["DEFAULT_CACHE_ENTRIES", "PlanCache", "cache_key"]

DEFAULT_CACHE_ENTRIES = 4096
"""Entries a :class:`PlanCache` holds before evicting the least recently used."""

V = TypeVar("V")


def cache_key(
    *,
    snapshot_json: str,
    registry_version: str,
    model: str,
    sampling: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The exact cache key of one planning request.

    Args:
        snapshot_json: the snapshot's canonical JSON (stable bytes).
        registry_version: the tool registry's version string.
        model: the model name.
        sampling: the sampling parameters (``SamplingParams.as_dict()``).
        extra: other inputs of the prompt (persona, objective, style, actor,
            allowlist); JSON-serialisable.

    Returns:
        A 64-character hex SHA-256 digest.

    Example:
        >>> a = cache_key(snapshot_json="{}", registry_version="1", model="m", sampling={})
        >>> b = cache_key(snapshot_json="{ }", registry_version="1", model="m", sampling={})
        >>> len(a), a == b
        (64, False)
    """
    doc = {
        "extra": dict(extra or {}),
        "model": model,
        "registry_version": registry_version,
        "sampling": dict(sampling),
        "snapshot": snapshot_json,
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PlanCache(Generic[V]):
    """A thread-safe LRU map from :func:`cache_key` keys to values, with hit counts.

    Args:
        max_entries: entries kept at most; the least recently used goes first.

    Raises:
        LlmConfigError: ``max_entries`` below 1.

    Example:
        >>> cache: PlanCache[str] = PlanCache(max_entries=2)
        >>> cache.put("a", "plan a"); cache.get("a"), cache.get("b")
        ('plan a', None)
        >>> cache.stats()["hit_rate"]
        0.5
    """

    def __init__(self, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        if max_entries < 1:
            raise LlmConfigError(
                "max_entries must be at least 1", field="max_entries", value=max_entries
            )
        self.max_entries = max_entries
        self._data: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str) -> V | None:
        """The value under ``key`` (marking it recently used), or ``None``; counts a
        hit or a miss."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: V) -> None:
        """Store ``value`` under ``key``, evicting the least recently used entry when full."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
                self.evictions += 1

    def clear(self) -> None:
        """Drop every entry (the counters stay)."""
        with self._lock:
            self._data.clear()

    @property
    def hit_rate(self) -> float:
        """Hits over lookups, 0.0 before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    def stats(self) -> dict[str, Any]:
        """Size, bound, hits, misses, evictions and hit rate, as plain data."""
        return {
            "entries": len(self._data),
            "max_entries": self.max_entries,
            "hits": self.hits,
            "misses": self.misses,
            "evictions": self.evictions,
            "hit_rate": round(self.hit_rate, 6),
        }
