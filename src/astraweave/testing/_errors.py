"""The harness's own error: misuse of :class:`~astraweave.testing.IntegrationHarness`.

Problems with the world it describes (an unknown planner, an entity in a wall) are
the scenario loader's :class:`~astraweave.errors.ScenarioError` subclasses, raised
unchanged, so a harness world fails exactly as the same scenario file would.
"""

from __future__ import annotations

from astraweave.errors import UsageError

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
