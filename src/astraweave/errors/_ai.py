"""Errors of :mod:`astraweave.ai`."""

from __future__ import annotations

__all__: list[str] = []
