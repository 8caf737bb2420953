"""The harness's own error: misuse of :class:`~astraweave.testing.IntegrationHarness`.

Problems with the world it describes (an unknown planner, an entity in a wall) are
the scenario loader's :class:`~astraweave.errors.ScenarioError` subclasses, raised
unchanged, so a harness world fails exactly as the same scenario file would.
:class:`HarnessError` itself lives in :mod:`astraweave.errors` with every other error.
"""

from __future__ import annotations

from astraweave.errors import HarnessError

__all__ = ["HarnessError"]
