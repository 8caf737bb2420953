"""The AI contract: what an agent may know, what it may do, and the guarantee that
nothing it proposes takes effect unless the game allows it.

Map of this package:

- ``_components``: game components (:class:`Team`, :class:`Health`, :class:`Ammo`,
  :class:`Inventory`, :class:`Status`, :class:`Agent`, :class:`ActivePlan`, ...).
- ``_map``: :class:`TileMap` (walls, low cover, doors; paths, sight, cover);
  ``_pathing``: the tile search and line test behind it.
- ``_rules``: :class:`GameRules`, damage, healing, revive, hit chance, and the
  vectorised SIMULATION systems.
- ``_snapshot``: :class:`WorldSnapshot` (stable JSON); ``_perception``:
  :func:`perceive` and the memory system.
- ``_plan``: :class:`PlanIntent`, :class:`ToolArgs`, :class:`Provenance`.
- ``_registry``: :class:`Tool`, :class:`ToolRegistry` (the one vocabulary);
  ``_step``: :class:`ActorState`, :class:`Forecast`, :class:`StepRun`.
- ``_tools_move``, ``_tools_combat``, ``_tools_support``, ``_tools_utility``: the 20
  built-in tools;
  ``_checks``: their shared preconditions; ``_actions``: :data:`ActionStep` and
  :func:`facts_of` (symbolic facts for GOAP).
- ``_sandbox``: :func:`validate` (dry run, every violation), :class:`Report`.
- ``_executor``: :func:`submit_plan`, the executor system, :class:`PlanInbox`.
- ``_movement``: kinematic path following; ``_bodies``: physics movement (characters
  as bodies with character controllers, door colliders).
- ``_locomotion``: a bridge from nav paths to physics controllers
  (``locomotion_plugin``, for worlds driven by ``NavAgent`` goals).
- ``_mission``: :class:`Mission`, :class:`Outcome`, success/failure predicates.
- ``_scenario_model``, ``_scenario``, ``_scenario_check``: scenario files
  (:func:`load_scenario`, :class:`Scenario`); ``_builtin`` and ``scenarios/``: the
  built-in scenarios.
- ``_replay``: capture and replay (:class:`ReplayRecorder`, :func:`read_replay`).
- ``_draw``: a top-down PNG of a world (:func:`draw_world`).
- ``_plugin``: :func:`plugin` (registers the systems).
- ``_events``: :class:`GameEvent`; ``_view``: :class:`WorldView`.

See ``docs/ai-contract.md`` and ``docs/scenarios.md``.
"""

from astraweave.core._actions import FACTS, ActionStep, facts_of
from astraweave.core._builtin import builtin_scenario, builtin_scenarios
from astraweave.core._components import (
    MAX_TOOL_SLOTS,
    PLAN_STATUS,
    ActivePlan,
    Agent,
    Ammo,
    Cooldowns,
    DoorBlocker,
    Explosive,
    Hazard,
    Health,
    Inventory,
    Label,
    Memory,
    Morale,
    Mover,
    PathFollow,
    PointOfInterest,
    SequenceLock,
    SequenceMember,
    Smoke,
    Stance,
    Status,
    Team,
    Weapon,
)
from astraweave.core._draw import Trails, draw_world
from astraweave.core._events import GameEvent
from astraweave.core._executor import PlanInbox, cancel_plan, start_plan, submit_plan
from astraweave.core._map import TileMap
from astraweave.core._mission import Mission, Outcome, Predicate
from astraweave.core._perception import perceive, visible_to
from astraweave.core._plan import Fallback, PlanIntent, Point, Provenance, ToolArgs
from astraweave.core._plugin import EXECUTOR_SYSTEM, plugin
from astraweave.core._registry import (
    MAX_PLAN_STEPS,
    RESOURCES,
    ActorState,
    Forecast,
    StepRun,
    Tool,
    ToolRegistry,
)
from astraweave.core._replay import (
    REPLAY_VERSION,
    ReplayData,
    ReplayRecorder,
    TickRecord,
    first_divergence,
    read_replay,
    write_replay,
)
from astraweave.core._rules import GameRules, apply_damage, heal, hit_chance, revive
from astraweave.core._sandbox import (
    BUILTIN_TOOLS,
    Report,
    default_registry,
    registry_of,
    validate,
)
from astraweave.core._scenario import Scenario, load_scenario
from astraweave.core._snapshot import (
    SNAPSHOT_DECIMALS,
    AllyView,
    EnemyView,
    MapView,
    ObstacleView,
    PoiView,
    SelfView,
    WorldSnapshot,
)
from astraweave.core._tools_combat import (
    AimedShotArgs,
    AttackArgs,
    CoverFireArgs,
    ThrowExplosiveArgs,
    ThrowSmokeArgs,
)
from astraweave.core._tools_move import (
    ApproachArgs,
    MoveToArgs,
    PatrolArgs,
    RegroupArgs,
    RetreatArgs,
    TakeCoverArgs,
)
from astraweave.core._tools_support import HealArgs, ReloadArgs, ReviveArgs, UseItemArgs
from astraweave.core._tools_utility import (
    DistractArgs,
    InteractArgs,
    MarkTargetArgs,
    ScanArgs,
    WaitArgs,
)
from astraweave.core._view import EntityInfo, WorldView

__all__ = [
    "BUILTIN_TOOLS",
    "EXECUTOR_SYSTEM",
    "FACTS",
    "MAX_PLAN_STEPS",
    "MAX_TOOL_SLOTS",
    "PLAN_STATUS",
    "REPLAY_VERSION",
    "RESOURCES",
    "SNAPSHOT_DECIMALS",
    "ActionStep",
    "ActivePlan",
    "ActorState",
    "Agent",
    "AimedShotArgs",
    "AllyView",
    "Ammo",
    "ApproachArgs",
    "AttackArgs",
    "Cooldowns",
    "CoverFireArgs",
    "DistractArgs",
    "DoorBlocker",
    "EnemyView",
    "EntityInfo",
    "Explosive",
    "Fallback",
    "Forecast",
    "GameEvent",
    "GameRules",
    "Hazard",
    "HealArgs",
    "Health",
    "InteractArgs",
    "Inventory",
    "Label",
    "MapView",
    "MarkTargetArgs",
    "Memory",
    "Mission",
    "Morale",
    "MoveToArgs",
    "Mover",
    "ObstacleView",
    "Outcome",
    "PathFollow",
    "PatrolArgs",
    "PlanInbox",
    "PlanIntent",
    "PoiView",
    "Point",
    "PointOfInterest",
    "Predicate",
    "Provenance",
    "RegroupArgs",
    "ReloadArgs",
    "ReplayData",
    "ReplayRecorder",
    "Report",
    "RetreatArgs",
    "ReviveArgs",
    "ScanArgs",
    "Scenario",
    "SelfView",
    "SequenceLock",
    "SequenceMember",
    "Smoke",
    "Stance",
    "Status",
    "StepRun",
    "TakeCoverArgs",
    "Team",
    "ThrowExplosiveArgs",
    "ThrowSmokeArgs",
    "TickRecord",
    "TileMap",
    "Tool",
    "ToolArgs",
    "ToolRegistry",
    "Trails",
    "UseItemArgs",
    "WaitArgs",
    "Weapon",
    "WorldSnapshot",
    "WorldView",
    "apply_damage",
    "builtin_scenario",
    "builtin_scenarios",
    "cancel_plan",
    "default_registry",
    "draw_world",
    "facts_of",
    "first_divergence",
    "heal",
    "hit_chance",
    "load_scenario",
    "perceive",
    "plugin",
    "read_replay",
    "registry_of",
    "revive",
    "start_plan",
    "submit_plan",
    "validate",
    "visible_to",
    "write_replay",
]
