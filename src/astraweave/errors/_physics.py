"""Errors of :mod:`astraweave.physics`."""

from __future__ import annotations

__all__: list[str] = []
