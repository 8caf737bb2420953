"""Errors of :mod:`astraweave.testing` (the integration harness)."""

from __future__ import annotations

from astraweave.errors._base import UsageError

__all__ = ["HarnessError"]


class HarnessError(UsageError):
    """The harness was used wrongly: a character spawned after the world was built,
    an unknown entity name, an obstacle on top of a character, a value TOML cannot
    hold. Context: ``name``, ``entity``, ``value`` where they apply.

    Example:
        >>> err = HarnessError("no entity named 'x'", name="x", hint="spawn it first")
        >>> err.name, str(err)
        ('x', "no entity named 'x' (hint: spawn it first)")
    """
