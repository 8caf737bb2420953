"""Base errors of the subsystems above the ECS.

Each subsystem puts its specific errors in its own module of this package
(``_physics.py``, ``_nav.py``, ``_core.py``, ...) and derives them from the base here.
"""

from __future__ import annotations

from astraweave.errors._base import AstraweaveError

__all__ = [
    "CliError",
    "EvalError",
    "LlmError",
    "NavError",
    "PhysicsError",
    "PlannerError",
    "ProfilingError",
    "ScenarioError",
    "ToolError",
]


class PhysicsError(AstraweaveError):
    """Base of physics errors (:mod:`astraweave.physics`). Context: ``entity``."""


class NavError(AstraweaveError):
    """Base of navigation errors (:mod:`astraweave.nav`). Context: ``point``, ``path``."""


class ToolError(AstraweaveError):
    """Base of plan-step rejections by the sandbox (:mod:`astraweave.core`).
    Context: ``step`` (index), ``tool`` (name), ``reason``."""


class ScenarioError(AstraweaveError):
    """A scenario file is malformed. Context: ``path``, ``key``, ``line``."""


class PlannerError(AstraweaveError):
    """A planner failed or is misconfigured (:mod:`astraweave.ai`). Context: ``planner``."""


class LlmError(AstraweaveError):
    """Base of LLM errors (:mod:`astraweave.llm`). Context: ``text`` (offending reply)."""


class EvalError(AstraweaveError):
    """Base of evaluation-harness errors (:mod:`astraweave.eval`)."""


class ProfilingError(AstraweaveError):
    """Misuse of the span API (:mod:`astraweave.profiling`)."""


class CliError(AstraweaveError):
    """A command-line invocation cannot be carried out."""
