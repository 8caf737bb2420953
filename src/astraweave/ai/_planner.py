"""The :class:`Planner` protocol and the planner registry (planners by name).

A planner turns a :class:`~astraweave.core.WorldSnapshot` (all the agent may know)
into a :class:`~astraweave.core.PlanIntent` over the tools of a
:class:`~astraweave.core.ToolRegistry`. It must be deterministic given the snapshot
and the ``rng`` it is handed (the world's generator: draw from it only, never from
global randomness or the wall clock). ``budget_s`` is the time it should stay
within; the AI system measures it and records an overrun in the plan's provenance
(never changing the plan because of it).

A planner may also implement ``replan(snapshot, registry, *, rng, budget_s,
rejected, errors)``: when the sandbox rejects its plan, the AI system calls it
(up to :data:`MAX_REPAIRS` times per planning) with the rejected plans so far and
the last rejection's typed errors, so it can propose something else (the rule
planner moves to its next rule; an LLM planner can show the model the errors).

Planners are registered by name (:func:`register_planner`) so scenario files and
``--planner`` can name them. Each AI system creates its own instance per name
(planners may keep per-run state such as caches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from astraweave.core import PlanIntent, ToolRegistry, WorldSnapshot
from astraweave.errors import PlannerConfigError, PlannerError, ToolError, UnknownPlannerError

__all__ = [
    "MAX_REPAIRS",
    "Planner",
    "PlannerFactory",
    "RepairingPlanner",
    "create_planner",
    "planner_names",
    "register_planner",
]

MAX_REPAIRS = 2
"""How many times the AI system asks a planner to repair a rejected plan per planning."""


@runtime_checkable
class Planner(Protocol):
    """Anything with a ``name`` and a ``plan`` method of this signature."""

    name: str

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """Propose a plan for the agent described by ``snapshot``.

        Raises:
            PlannerError: the planner cannot produce a plan (the AI system records
                it and may fall back to another planner).
        """
        ...  # pragma: no cover


@runtime_checkable
class RepairingPlanner(Planner, Protocol):
    """A planner that can propose another plan after a rejection."""

    def replan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
        rejected: Sequence[PlanIntent],
        errors: Sequence[ToolError],
    ) -> PlanIntent | None:
        """Another plan avoiding the ``rejected`` ones, or ``None`` to give up."""
        ...  # pragma: no cover


PlannerFactory = Callable[..., Planner]
"""A callable returning a new planner instance: called with no arguments, or with
``config=<mapping>`` for an agent whose scenario gives a ``planner_config`` table."""

_FACTORIES: dict[str, PlannerFactory] = {}


def register_planner(name: str, factory: PlannerFactory, *, replace: bool = False) -> None:
    """Make ``factory`` available under ``name`` (for scenarios and ``--planner``).

    Raises:
        PlannerError: ``name`` is taken (pass ``replace=True`` to override) or empty.

    Example:
        >>> from astraweave.ai import RulePlanner
        >>> register_planner("my-rule", RulePlanner)
        >>> "my-rule" in planner_names()
        True
    """
    if not isinstance(name, str) or not name:
        raise PlannerError(f"a planner name must be a non-empty string, got {name!r}")
    if name in _FACTORIES and not replace:
        raise PlannerError(
            f"a planner named {name!r} is already registered",
            planner=name,
            hint="pass replace=True to override it",
        )
    if not callable(factory):
        raise PlannerError(f"planner factory for {name!r} is not callable", planner=name)
    _FACTORIES[name] = factory


def planner_names() -> list[str]:
    """Registered planner names, sorted."""
    return sorted(_FACTORIES)


def create_planner(name: str, config: Mapping[str, Any] | None = None) -> Planner:
    """A new instance of the planner registered as ``name``.

    Args:
        name: the registered name.
        config: settings passed to the factory as ``config=`` (a scenario's
            ``planner_config`` table); ``None`` or empty: the planner's defaults.

    Raises:
        UnknownPlannerError: no such planner.
        PlannerConfigError: the planner takes no configuration, or rejects this one.
        PlannerError: the factory returned something that is not a planner.
    """
    factory = _FACTORIES.get(name)
    if factory is None:
        raise UnknownPlannerError(
            f"unknown planner {name!r}; registered: {', '.join(planner_names())}",
            planner=name,
            known=planner_names(),
        )
    if config:
        try:
            planner = factory(config=config)
        except TypeError as exc:
            raise PlannerConfigError(
                f"planner {name!r} takes no configuration (got keys {sorted(config)})",
                planner=name,
                hint="remove planner_config from this agent, or use a configurable planner",
            ) from exc
    else:
        planner = factory()
    if not isinstance(planner, Planner):
        raise PlannerError(
            f"the factory of planner {name!r} returned {type(planner).__name__}, "
            "which has no name/plan()",
            planner=name,
        )
    return planner
