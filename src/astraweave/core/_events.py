"""Game events: what happened this tick, for logs, tests and replay.

One event type, :class:`GameEvent`, keyed by ``kind`` (a stable string), keeps the
log simple to filter and to serialise. Kinds sent by core:

=====================  ==========================================================
kind                   meaning (actor, target, value, detail)
=====================  ==========================================================
``plan_started``       an accepted plan began (agent, -, steps, plan brief)
``plan_done``          every step finished (agent, -, steps, plan id)
``plan_failed``        a step failed when it started or while running (agent, -,
                       step index, error type and message)
``plan_rejected``      the sandbox rejected a whole plan (agent, -, error count,
                       first error)
``plan_replaced``      a newer plan replaced a running one (agent, -, step index
                       it was at, old plan id)
``step_started``       a step passed its check and began (agent, -, step index,
                       tool)
``step_done``          a step finished (agent, -, step index, tool)
``shot``               a shot (shooter, target, damage dealt, ``hit``/``miss``)
``damaged``            hp lost (source: shooter, grenade owner or hazard entity;
                       victim, hp lost, cause: ``shot``, ``aimed shot``, ``cover fire``,
                       ``explosion``, ``hazard``)
``downed``             hp reached 0 (victim, attacker or -1, 0, cause)
``died``               a downed entity bled out (victim, -, 0, "")
``healed``             hp restored (healer, patient, hp gained, "")
``revived``            a downed ally got up (reviver, patient, new hp, "")
``reloaded``           rounds moved into the magazine (agent, -, rounds, "")
``smoke``              a smoke cloud appeared (thrower, smoke entity, radius, "")
``thrown``             an explosive was thrown (thrower, grenade entity, 0, "")
``explosion``          a grenade exploded (owner, -, entities hurt, "")
``interacted``         a point of interest changed (agent, poi, 1/0 active, kind)
``sequence``           a switch of a sequence lock was used (agent, lock's target,
                       progress, ``NAME: advanced``/``reset``/``done``)
``marked``             an enemy was marked (agent, target, seconds, "")
``distracted``         enemies were distracted (agent, -, how many, "")
``scanned``            perception widened (agent, -, seconds, "")
=====================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GameEvent"]


@dataclass(frozen=True, slots=True)
class GameEvent:
    """Something that happened at ``tick`` (see the module docstring for kinds)."""

    tick: int
    kind: str
    actor: int = -1
    target: int = -1
    value: float = 0.0
    detail: str = ""
