"""Errors of :mod:`astraweave.eval`."""

from __future__ import annotations

__all__: list[str] = []
