"""The crowd's action codes, rejection codes and rule parameters.

The crowd speaks a subset of the tool registry's vocabulary, one small integer per
agent: ``WAIT`` is ``Wait``, ``MOVE`` and ``RETREAT`` are ``MoveTo`` (towards an
enemy, or away from one), ``ATTACK`` is ``Attack`` with ``shots=1``. Every number the
validation needs comes from the registry (:meth:`CrowdRules.from_registry`): the
Attack tool's cooldown, cooldown slot and ammo cost; weapon ranges and speeds are the
agents' own ``Weapon`` and ``Mover`` components, as for the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from astraweave.errors import (
    ActorUnableError,
    BadArgumentsError,
    FriendlyTargetError,
    InsufficientResourceError,
    InvalidTargetError,
    NoLineOfSightError,
    NoPathError,
    OnCooldownError,
    OutOfRangeError,
    PlannerError,
    PreconditionFailedError,
    TargetOutOfBoundsError,
    ToolError,
    UnknownToolError,
)

__all__ = ["CrowdAction", "CrowdReject", "CrowdRules"]


class CrowdAction(IntEnum):
    """What a crowd agent does this tick (the tool it uses)."""

    WAIT = 0
    """``Wait``: hold position."""
    MOVE = 1
    """``MoveTo(dest)``: walk towards an enemy (or the far goal)."""
    ATTACK = 2
    """``Attack(target, shots=1)``: one shot at the perceived enemy."""
    RETREAT = 3
    """``MoveTo(dest)``: fall back, away from the perceived enemy."""


class CrowdReject(IntEnum):
    """Why the vectorised validation rejected an action (0: it did not).

    Each code names the error the per-agent sandbox raises for the same step
    (:attr:`error`).
    """

    OK = 0
    ACTOR_UNABLE = 1
    OUT_OF_BOUNDS = 2
    NO_PATH = 3
    INVALID_TARGET = 4
    FRIENDLY_TARGET = 5
    NO_WEAPON = 6
    OUT_OF_RANGE = 7
    NO_LINE_OF_SIGHT = 8
    ON_COOLDOWN = 9
    NO_AMMO = 10
    CANNOT_MOVE = 11
    FORBIDDEN = 12
    BAD_ARGUMENTS = 13

    @property
    def error(self) -> type[ToolError] | None:
        """The sandbox's error type for this reason (``None`` for ``OK``)."""
        return _ERRORS[self]


_ERRORS: dict[CrowdReject, type[ToolError] | None] = {
    CrowdReject.OK: None,
    CrowdReject.ACTOR_UNABLE: ActorUnableError,
    CrowdReject.OUT_OF_BOUNDS: TargetOutOfBoundsError,
    CrowdReject.NO_PATH: NoPathError,
    CrowdReject.INVALID_TARGET: InvalidTargetError,
    CrowdReject.FRIENDLY_TARGET: FriendlyTargetError,
    CrowdReject.NO_WEAPON: PreconditionFailedError,
    CrowdReject.OUT_OF_RANGE: OutOfRangeError,
    CrowdReject.NO_LINE_OF_SIGHT: NoLineOfSightError,
    CrowdReject.ON_COOLDOWN: OnCooldownError,
    CrowdReject.NO_AMMO: InsufficientResourceError,
    CrowdReject.CANNOT_MOVE: PreconditionFailedError,
    CrowdReject.FORBIDDEN: UnknownToolError,
    CrowdReject.BAD_ARGUMENTS: BadArgumentsError,
}


@dataclass(frozen=True, kw_only=True)
class CrowdRules:
    """The rule parameters the crowd shares with the sandbox.

    Build it with :meth:`from_registry` so the numbers are the registry's; the
    defaults are only what ``default_registry()`` holds today.

    Attributes:
        attack_tool: registry name of the attack tool (``"Attack"``).
        move_tool: registry name of the walk tool (``"MoveTo"``).
        wait_tool: registry name of the idle tool (``"Wait"``).
        attack_cooldown_s: seconds before the attack tool can be used again.
        attack_slot: the attack tool's cooldown slot (``Cooldowns.remaining_s[slot]``).
        attack_ammo: magazine rounds one ``Attack(shots=1)`` costs.
        cooldown_eps_s: a cooldown at or below this counts as ready (sandbox tolerance).
        range_eps_m: distance tolerance of range checks (sandbox tolerance).
        range_falloff: hit chance lost at full weapon range (``GameRules``).
        forbidden: tools the scenario forbids (``GameRules.forbidden_tools``); actions
            using them are rejected, as the sandbox rejects them.

    Raises:
        PlannerError: a parameter is out of range (negative cooldown or cost).
    """

    attack_tool: str = "Attack"
    move_tool: str = "MoveTo"
    wait_tool: str = "Wait"
    attack_cooldown_s: float = 0.5
    attack_slot: int = 2
    attack_ammo: int = 1
    cooldown_eps_s: float = 1e-6
    range_eps_m: float = 1e-9
    range_falloff: float = 0.4
    forbidden: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.attack_cooldown_s < 0 or self.attack_ammo < 0 or self.attack_slot < 0:
            raise PlannerError(
                f"crowd rules out of range: cooldown {self.attack_cooldown_s} s, ammo "
                f"{self.attack_ammo}, slot {self.attack_slot}",
                planner="crowd",
            )

    @classmethod
    def from_registry(cls, registry: Any = None, game_rules: Any = None) -> CrowdRules:
        """The rules of ``registry`` (default: core's ``default_registry()``).

        Args:
            registry: a core ``ToolRegistry``; it must hold the attack, move and wait
                tools.
            game_rules: core ``GameRules`` (default: its defaults) for the hit chance.

        Returns:
            The parameters, read from the registry's tool definitions.

        Raises:
            PlannerError: the registry lacks one of the tools the crowd uses.

        Example:
            >>> rules = CrowdRules.from_registry()
            >>> rules.attack_cooldown_s > 0, rules.attack_ammo
            (True, 1)
        """
        from astraweave.core import GameRules, default_registry
        from astraweave.core._registry import COOLDOWN_EPS_S

        reg = default_registry() if registry is None else registry
        gr = GameRules() if game_rules is None else game_rules
        names = cls.attack_tool, cls.move_tool, cls.wait_tool
        missing = [n for n in names if n not in reg]
        if missing:
            raise PlannerError(
                f"the crowd needs the tools {list(names)}; the registry lacks {missing}",
                planner="crowd",
                hint="register core's Attack, MoveTo and Wait tools",
            )
        attack = reg.get(cls.attack_tool)
        args = attack.args_model.model_validate({"tool": cls.attack_tool, "target": 0, "shots": 1})
        costs = attack.costs(args)
        return cls(
            attack_cooldown_s=float(attack.cooldown_s),
            attack_slot=int(reg.slot(cls.attack_tool)),
            attack_ammo=int(costs.get("ammo", 0)),
            cooldown_eps_s=float(COOLDOWN_EPS_S),
            range_falloff=float(gr.range_falloff),
            forbidden=tuple(gr.forbidden_tools),
        )

    def tool_of(self, action: CrowdAction) -> str:
        """The registry tool an action code uses.

        Example:
            >>> CrowdRules().tool_of(CrowdAction.RETREAT)
            'MoveTo'
        """
        if action is CrowdAction.ATTACK:
            return self.attack_tool
        if action is CrowdAction.WAIT:
            return self.wait_tool
        return self.move_tool
