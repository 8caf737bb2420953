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
- ``_utility``: :class:`UtilityPlanner` (considerations with response curves).
- ``_goap*``: :class:`GoapPlanner` (actions from the registry's facts, bitmask A*,
  goals with priorities, exact-fact plan cache).
- ``_bt*``: behaviour trees (:class:`Sequence`, :class:`Selector`, :class:`Parallel`,
  decorators) and :class:`BehaviorTreePlanner`; trees from TOML or Python.
- ``_hybrid``: :class:`HybridPlanner`, a fast planner every tick and a slow one
  asynchronously, every switch recorded in provenance.
- ``_crowd*``: the vectorised crowd (:class:`CrowdPlanner`, :func:`crowd_plugin`,
  :func:`spawn_crowd`): columns in, actions out, validated against the same rules
  as the sandbox, for tens of thousands of agents per tick.
- ``_llm_planner``: :class:`LlmPlanner` (registered as ``"llm"``): the LLM behind a
  fallback chain (GOAP, utility, rule, a safe Wait), blocking or submit/collect.

Planners are registered by name: ``rule``, ``utility``, ``goap``, ``bt``, ``hybrid``,
``llm``.
"""

from astraweave.ai._bt import (
    Action,
    BtNode,
    BtStatus,
    Condition,
    Cooldown,
    ForceFailure,
    ForceSuccess,
    Inverter,
    Parallel,
    Repeat,
    Retry,
    Selector,
    Sequence,
    TickContext,
    Timeout,
)
from astraweave.ai._bt_load import load_tree, parse_tree
from astraweave.ai._bt_planner import DEFAULT_TREES, BehaviorTree, BehaviorTreePlanner
from astraweave.ai._crowd import CrowdTickReport, crowd_plugin, spawn_crowd
from astraweave.ai._crowd_planner import CrowdPlanner
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_state import CrowdActions, CrowdConfig, CrowdState
from astraweave.ai._crowd_systems import CrowdAgent, CrowdRuntime, crowd_state
from astraweave.ai._goap import (
    DEFAULT_GOALS,
    SITUATION_FACTS,
    GoalSpec,
    GoapConfig,
    GoapPlanner,
)
from astraweave.ai._hybrid import (
    HybridConfig,
    HybridPlanner,
    SlowPlanner,
    Switch,
    TickDelayPlanner,
)
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
from astraweave.ai._utility import (
    ActionProfile,
    Consideration,
    Curve,
    UtilityConfig,
    UtilityPlanner,
)

register_planner("rule", RulePlanner, replace=True)
register_planner("llm", LlmPlanner, replace=True)
register_planner("utility", UtilityPlanner, replace=True)
register_planner("goap", GoapPlanner, replace=True)
register_planner("bt", BehaviorTreePlanner, replace=True)
register_planner("hybrid", HybridPlanner, replace=True)

__all__ = [
    "DEFAULT_BUDGET_S",
    "DEFAULT_FALLBACKS",
    "DEFAULT_GOALS",
    "DEFAULT_TREES",
    "MAX_REPAIRS",
    "SITUATION_FACTS",
    "Action",
    "ActionProfile",
    "AiSystem",
    "BehaviorTree",
    "BehaviorTreePlanner",
    "BtNode",
    "BtStatus",
    "Condition",
    "Consideration",
    "Cooldown",
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
    "Curve",
    "ForceFailure",
    "ForceSuccess",
    "GoalSpec",
    "GoapConfig",
    "GoapPlanner",
    "HybridConfig",
    "HybridPlanner",
    "Inverter",
    "LlmPlanTicket",
    "LlmPlanner",
    "Parallel",
    "PlanLog",
    "PlanRecord",
    "Planner",
    "PlannerFactory",
    "RepairingPlanner",
    "Repeat",
    "ReplayCheck",
    "Retry",
    "RulePlanner",
    "RunResult",
    "Selector",
    "Sequence",
    "SlowPlanner",
    "Switch",
    "TickContext",
    "TickDelayPlanner",
    "Timeout",
    "UnavailableLlm",
    "UtilityConfig",
    "UtilityPlanner",
    "ai_system",
    "build_app",
    "create_planner",
    "crowd_plugin",
    "crowd_state",
    "load_tree",
    "parse_tree",
    "plan_log",
    "planner_names",
    "plugin",
    "register_planner",
    "run_scenario",
    "safe_wait_plan",
    "spawn_crowd",
    "verify_replay",
]
