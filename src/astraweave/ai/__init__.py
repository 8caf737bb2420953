"""Planners and the AI stage systems.

Map of this package:

- ``_planner``: the :class:`Planner` protocol (and :class:`RepairingPlanner`), the
  planner registry (:func:`register_planner`, :func:`create_planner`,
  :func:`planner_names`).
- ``_rule``: :class:`RulePlanner`, the deterministic priority-rule planner
  (registered as ``"rule"``).
- ``_system``: :class:`AiSystem`, the AI_PLANNING system (perceive, plan, validate,
  hand over to core's executor), :func:`plugin`, :class:`PlanLog`.
- ``_run``: :func:`run_scenario`, :func:`build_app`, :func:`verify_replay`.
- ``_crowd*``: the vectorised crowd (:class:`CrowdPlanner`, :func:`crowd_plugin`,
  :func:`spawn_crowd`): columns in, actions out, validated against the same rules
  as the sandbox, for tens of thousands of agents per tick.
- ``_llm_planner``: :class:`LlmPlanner` (registered as ``"llm"``): the LLM behind a
  fallback chain (GOAP, utility, rule, a safe Wait), blocking or submit/collect.

Later planners (utility, GOAP, behaviour trees, LLM, hybrid, crowd) register
themselves here by name.
"""

from astraweave.ai._crowd import CrowdTickReport, crowd_plugin, spawn_crowd
from astraweave.ai._crowd_planner import CrowdPlanner
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_state import CrowdActions, CrowdConfig, CrowdState
from astraweave.ai._crowd_systems import CrowdAgent, CrowdRuntime, crowd_state
from astraweave.ai._llm_planner import (
    DEFAULT_FALLBACKS,
    LlmPlanner,
    LlmPlanTicket,
    UnavailableLlm,
    safe_wait_plan,
)
from astraweave.ai._planner import (
    MAX_REPAIRS,
    Planner,
    PlannerFactory,
    RepairingPlanner,
    create_planner,
    planner_names,
    register_planner,
)
from astraweave.ai._rule import RulePlanner
from astraweave.ai._run import ReplayCheck, RunResult, build_app, run_scenario, verify_replay
from astraweave.ai._system import (
    DEFAULT_BUDGET_S,
    AiSystem,
    PlanLog,
    PlanRecord,
    ai_system,
    plan_log,
    plugin,
)

register_planner("rule", RulePlanner, replace=True)
register_planner("llm", LlmPlanner, replace=True)

__all__ = [
    "DEFAULT_BUDGET_S",
    "DEFAULT_FALLBACKS",
    "MAX_REPAIRS",
    "AiSystem",
    "CrowdAction",
    "CrowdActions",
    "CrowdAgent",
    "CrowdConfig",
    "CrowdPlanner",
    "CrowdReject",
    "CrowdRules",
    "CrowdRuntime",
    "CrowdState",
    "CrowdTickReport",
    "LlmPlanTicket",
    "LlmPlanner",
    "PlanLog",
    "PlanRecord",
    "Planner",
    "PlannerFactory",
    "RepairingPlanner",
    "ReplayCheck",
    "RulePlanner",
    "RunResult",
    "UnavailableLlm",
    "ai_system",
    "build_app",
    "create_planner",
    "crowd_plugin",
    "crowd_state",
    "plan_log",
    "planner_names",
    "plugin",
    "register_planner",
    "run_scenario",
    "safe_wait_plan",
    "spawn_crowd",
    "verify_replay",
]
