"""Errors of :mod:`astraweave.core`."""

from __future__ import annotations

__all__: list[str] = []
