"""Plans: :class:`PlanIntent`, its steps (:class:`ToolArgs`) and its provenance.

A step is an instance of a tool's argument model, a subclass of :class:`ToolArgs`
whose ``tool`` field is a ``Literal`` of the tool's name: the discriminator of the
union of steps. Argument models are strict (no coercion of ``"3"`` to ``3``), forbid
extra fields, reject NaN and infinities, and are frozen.

The canonical JSON of a plan (:meth:`PlanIntent.canonical_json`) is what the world
stores and hashes: sorted keys, no whitespace, and no wall-clock fields (planning
time and budget overruns stay in :attr:`Provenance.elapsed_ms` and
:attr:`Provenance.budget_overrun`, which are excluded), so the same seed gives the
same bytes on any machine.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

__all__ = ["Fallback", "PlanIntent", "Point", "Provenance", "ToolArgs"]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ToolArgs(BaseModel):
    """Base of every tool's argument model (one plan step).

    Subclasses redeclare ``tool`` as ``Literal["Name"] = "Name"``.
    """

    model_config = _STRICT

    tool: str = Field(description="the tool's name (the union's discriminator)")

    def brief(self) -> str:
        """A short human-readable form, e.g. ``MoveTo(x=3.5, y=2.0)``."""
        fields = self.model_dump(exclude={"tool"}, exclude_defaults=False)
        parts = []
        for key, value in fields.items():
            if isinstance(value, float):
                parts.append(f"{key}={value:g}")
            elif isinstance(value, list):
                parts.append(f"{key}=[{len(value)}]")
            else:
                parts.append(f"{key}={value}")
        return f"{self.tool}({', '.join(parts)})"


class Point(BaseModel):
    """A point on the ground plane, in metres."""

    model_config = _STRICT

    x: float = Field(description="metres east")
    y: float = Field(description="metres south")


class Fallback(BaseModel):
    """One fallback taken while planning: which planner gave up, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    planner: str
    reason: str


class Provenance(BaseModel):
    """Where a plan came from.

    ``planner`` produced it; ``fallbacks`` lists planners tried before it (in order)
    and why each failed; ``notes`` free-form deterministic remarks. ``elapsed_ms``
    and ``budget_overrun`` are measured with the wall clock and therefore excluded
    from the canonical JSON.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    planner: str = "unknown"
    fallbacks: list[Fallback] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    elapsed_ms: float | None = None
    budget_overrun: bool = False


class PlanIntent(BaseModel):
    """A plan: an id, the steps in order, and its provenance.

    Build one from raw data with :meth:`ToolRegistry.parse_plan` (which checks every
    step against its tool); constructing it directly accepts any :class:`ToolArgs`.

    Example:
        >>> from astraweave.core import default_registry
        >>> reg = default_registry()
        >>> plan = reg.parse_plan({"plan_id": "p1", "steps": [{"tool": "Wait", "seconds": 1.0}]})
        >>> plan.steps[0].brief(), plan.tools()
        ('Wait(seconds=1)', ['Wait'])
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    plan_id: str = Field(default="plan", max_length=128)
    steps: list[SerializeAsAny[ToolArgs]] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)

    def tools(self) -> list[str]:
        """The tool names of the steps, in order."""
        return [s.tool for s in self.steps]

    def canonical(self) -> dict[str, Any]:
        """The plan as plain data without wall-clock fields (see the module docstring)."""
        data = self.model_dump(mode="json")
        data["provenance"].pop("elapsed_ms", None)
        data["provenance"].pop("budget_overrun", None)
        return data

    def canonical_json(self) -> str:
        """:meth:`canonical` as compact JSON with sorted keys (stable bytes)."""
        return json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))

    def brief(self) -> str:
        """The steps as ``A(...) -> B(...)``."""
        return " -> ".join(s.brief() for s in self.steps) or "(empty)"
