"""Errors of :mod:`astraweave.ai`.

::

    PlannerError                      (base in _subsystems.py; context: planner)
    ├── PlannerConfigError            a planner's configuration is invalid (UsageError)
    │   └── BehaviorTreeError         a behaviour-tree definition is invalid
    ├── NoActionsError                no tool the planner may use (empty registry/allowlist)
    ├── GoalUnreachableError          no goal can be reached from the current facts
    └── PlannerTimeoutError           a slow planner gave no plan in time
"""

from __future__ import annotations

from astraweave.errors._base import UsageError
from astraweave.errors._subsystems import PlannerError

__all__ = [
    "BehaviorTreeError",
    "GoalUnreachableError",
    "NoActionsError",
    "PlannerConfigError",
    "PlannerTimeoutError",
]


class PlannerConfigError(PlannerError, UsageError):
    """A planner's configuration (a scenario's table or Python arguments) is invalid.
    Context: ``planner``, ``key`` (the dotted path of the bad value), ``reason``."""


class BehaviorTreeError(PlannerConfigError):
    """A behaviour-tree definition is invalid (unknown node type, missing child,
    unknown tool or fact). Context: ``planner``, ``key`` (path of the node, e.g.
    ``tree.children[2].child``), ``reason``."""


class NoActionsError(PlannerError):
    """The planner has no tool to plan with: the registry is empty or every tool is
    forbidden. Context: ``planner``, ``agent``."""


class GoalUnreachableError(PlannerError):
    """No goal can be reached from the current facts with the tools available (or
    the search hit its limit). Context: ``planner``, ``agent``, ``goals`` (the goals
    tried, in order, each with why it failed)."""


class PlannerTimeoutError(PlannerError):
    """A slow (asynchronous) planner gave no plan within its time limit.
    Context: ``planner``, ``agent``, ``submitted_tick``, ``limit_ticks``."""
