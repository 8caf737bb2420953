"""``astraweave demo hello-companion`` and ``astraweave replay`` (the AI contract demo)."""

from __future__ import annotations

__all__: list[str] = []
