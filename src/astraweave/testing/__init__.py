"""Integration testing: whole worlds, full frames, and what happened in them.

A user-facing test utility (as httpx ships ``MockTransport``): build a world from a
scenario or by hand, run full frames (ECS schedule, game rules, AI planning, the
sandbox and executor, physics), and assert on positions, collisions, plans, events,
animation triggers and world hashes. It may import every package below ``cli``.

Map of this package:

- ``_harness``: :class:`IntegrationHarness` (build, spawn, run, inspect, snapshot and
  restore) and :class:`RunReport`.
- ``_probes``: the :class:`Probe` protocol, the extension point for subsystems to
  come (rendering, networking, persistence, asset hot reload, the editor), and the
  built-in probes: :class:`HashProbe`, :class:`EventProbe`, :class:`CollisionProbe`
  (:class:`CollisionRecord`), :class:`PlanProbe`, :class:`AnimationProbe`
  (:class:`AnimationTrigger`, :data:`DEFAULT_CLIPS`), :class:`MemoryProbe`
  (:class:`MemorySample`), :class:`ReplayProbe` (core's replay files).
- ``_llm``: scripting an LLM over HTTP from the snapshot it is shown:
  :class:`PlanScript` (a :class:`~astraweave.llm.FakeChatServer` responder),
  :func:`request_world`, :func:`llm_planner_for`.
- ``_spec``: :class:`WorldSpec`, a world described by hand and written out as a
  scenario file; :func:`rect_tiles`.
- ``_toml``: the small TOML writer behind it.
- ``_errors``: :class:`HarnessError` (misuse of the harness).

See ``docs/testing.md``.

Example:
    >>> from astraweave.testing import IntegrationHarness
    >>> h = IntegrationHarness('''
    ...     ########
    ...     #......#
    ...     ########
    ... ''')
    >>> h.spawn_agent("hero", (1.5, 1.5), team="blue", planner=None)
    'hero'
    >>> h.spawn_enemy("dummy", (5.5, 1.5), hp=10, armor=0.0)
    'dummy'
    >>> h.command("hero", [{"tool": "Attack", "target": "dummy", "shots": 3}])
    >>> _ = h.run(120)
    >>> h.life("dummy"), [e.kind for e in h.events("downed")]
    ('downed', ['downed'])
"""

from astraweave.testing._errors import HarnessError
from astraweave.testing._harness import IntegrationHarness, RunReport, Who
from astraweave.testing._llm import PlanScript, llm_planner_for, request_world
from astraweave.testing._probes import (
    DEFAULT_CLIPS,
    AnimationProbe,
    AnimationTrigger,
    CollisionProbe,
    CollisionRecord,
    EventProbe,
    HashProbe,
    MemoryProbe,
    MemorySample,
    PlanProbe,
    Probe,
    ReplayProbe,
)
from astraweave.testing._spec import WorldSpec, rect_tiles

__all__ = [
    "DEFAULT_CLIPS",
    "AnimationProbe",
    "AnimationTrigger",
    "CollisionProbe",
    "CollisionRecord",
    "EventProbe",
    "HarnessError",
    "HashProbe",
    "IntegrationHarness",
    "MemoryProbe",
    "MemorySample",
    "PlanProbe",
    "PlanScript",
    "Probe",
    "ReplayProbe",
    "RunReport",
    "Who",
    "WorldSpec",
    "llm_planner_for",
    "rect_tiles",
    "request_world",
]
