"""Errors of :mod:`astraweave.llm`."""

from __future__ import annotations

__all__: list[str] = []
