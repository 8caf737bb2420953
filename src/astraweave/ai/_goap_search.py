"""A* over symbolic states held as bitmasks (the search behind the GOAP planner).

A :class:`FactSpace` numbers fact names (bit ``i`` stands for fact ``i``); a state is
an ``int`` whose set bits are the facts that hold. A :class:`GoapAction` holds its
preconditions, added and removed facts as masks and a positive cost. :func:`astar`
finds the cheapest action sequence from a start state to any state containing the
goal mask, expanding at most ``max_expansions`` states and returning plans of at
most ``max_depth`` actions.

Determinism: ties on ``f = g + h`` are broken by lower ``h`` (closer to the goal),
then by insertion order, and actions are tried in their given order, so the same
inputs always give the same plan.

The heuristic is admissible: the goal facts still missing, divided by the most goal
facts one action adds, rounded up, times the cheapest action's cost.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from astraweave.errors import PlannerConfigError

__all__ = ["FactSpace", "GoapAction", "SearchResult", "astar"]

SearchStatus = Literal["satisfied", "found", "unreachable", "limit"]


class FactSpace:
    """Fact names <-> bit positions, in the order first given.

    Example:
        >>> fs = FactSpace(["has_ammo", "enemy_visible"])
        >>> fs.mask(["enemy_visible"]), sorted(fs.names(3))
        (2, ['enemy_visible', 'has_ammo'])
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._bits: dict[str, int] = {}
        self._names: list[str] = []
        for n in names:
            self.add(n)

    def add(self, name: str) -> int:
        """The bit of ``name`` (added when new)."""
        bit = self._bits.get(name)
        if bit is None:
            bit = len(self._names)
            self._bits[name] = bit
            self._names.append(name)
        return bit

    def __contains__(self, name: object) -> bool:
        return name in self._bits

    def __len__(self) -> int:
        return len(self._names)

    def mask(self, names: Iterable[str]) -> int:
        """The mask of the known facts among ``names`` (unknown names are ignored: no
        action requires or provides them)."""
        m = 0
        bits = self._bits
        for n in names:
            b = bits.get(n)
            if b is not None:
                m |= 1 << b
        return m

    def names(self, mask: int) -> frozenset[str]:
        """The fact names set in ``mask``."""
        return frozenset(self._names[i] for i in range(len(self._names)) if mask >> i & 1)


@dataclass(frozen=True, slots=True)
class GoapAction:
    """One action of the search.

    Attributes:
        name: the tool's name.
        pre: facts that must hold (mask). add: facts it makes true. rem: facts it
            makes false (``add`` wins when a fact is in both).
        cost: its cost (> 0).
    """

    name: str
    pre: int
    add: int
    rem: int
    cost: float

    def apply(self, state: int) -> int | None:
        """The state after the action, or ``None`` when its preconditions fail."""
        if state & self.pre != self.pre:
            return None
        return (state & ~self.rem) | self.add


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The outcome of :func:`astar`.

    Attributes:
        status: ``"satisfied"`` (the start holds the goal; empty plan), ``"found"``,
            ``"unreachable"`` (no plan exists within ``max_depth``) or ``"limit"``
            (``max_expansions`` ran out first).
        actions: indices into the action list, in order (empty unless found).
        cost: the plan's total cost.
        expanded: states expanded.
    """

    status: SearchStatus
    actions: tuple[int, ...] = ()
    cost: float = 0.0
    expanded: int = 0

    @property
    def ok(self) -> bool:
        """True when a plan (possibly empty) reaches the goal."""
        return self.status in ("satisfied", "found")


def astar(
    start: int,
    goal: int,
    actions: Sequence[GoapAction],
    *,
    max_expansions: int = 2000,
    max_depth: int = 8,
) -> SearchResult:
    """The cheapest action sequence from ``start`` to a state holding ``goal``.

    Args:
        start: the start state (mask).
        goal: the facts that must hold at the end (mask).
        actions: the actions (all costs > 0).
        max_expansions: the most states to expand before giving up (``"limit"``).
        max_depth: the most actions in a plan.

    Returns:
        A :class:`SearchResult`.

    Raises:
        PlannerConfigError: a limit below 1 or an action cost that is not positive.

    Example:
        >>> fs = FactSpace(["ammo", "in_range", "hit"])
        >>> acts = [GoapAction("Attack", fs.mask(["ammo", "in_range"]), fs.mask(["hit"]), 0, 1.0),
        ...         GoapAction("Approach", 0, fs.mask(["in_range"]), 0, 1.0)]
        >>> r = astar(fs.mask(["ammo"]), fs.mask(["hit"]), acts)
        >>> r.status, [acts[i].name for i in r.actions], r.cost
        ('found', ['Approach', 'Attack'], 2.0)
    """
    if max_expansions < 1 or max_depth < 1:
        raise PlannerConfigError(
            f"max_expansions and max_depth must be >= 1 (got {max_expansions}, {max_depth})",
            planner="goap",
            key="max_expansions" if max_expansions < 1 else "max_depth",
        )
    if start & goal == goal:
        return SearchResult("satisfied")
    useful = [a for a in actions if a.add or a.rem]
    if not useful:
        return SearchResult("unreachable")
    min_cost = min(a.cost for a in useful)
    if min_cost <= 0:
        bad = next(a for a in useful if a.cost <= 0)
        raise PlannerConfigError(
            f"action {bad.name!r} has cost {bad.cost}; costs must be > 0",
            planner="goap",
            key=f"costs.{bad.name}",
        )
    cover = max((a.add & goal).bit_count() for a in useful)
    if cover == 0:
        return SearchResult("unreachable")

    def h(state: int) -> float:
        missing = (goal & ~state).bit_count()
        return -(-missing // cover) * min_cost

    order = [i for i, a in enumerate(actions) if a.add or a.rem]
    best: dict[int, float] = {start: 0.0}
    parent: dict[int, tuple[int, int]] = {}
    depth: dict[int, int] = {start: 0}
    seq = 0
    h0 = h(start)
    heap: list[tuple[float, float, int, int]] = [(h0, h0, seq, start)]
    expanded = 0
    closed: set[int] = set()
    while heap:
        _f, _h, _s, state = heapq.heappop(heap)
        if state in closed:
            continue
        g = best[state]
        if state & goal == goal:
            steps: list[int] = []
            s = state
            while s != start:
                prev, act = parent[s]
                steps.append(act)
                s = prev
            steps.reverse()
            return SearchResult("found", tuple(steps), g, expanded)
        if expanded >= max_expansions:
            return SearchResult("limit", (), 0.0, expanded)
        closed.add(state)
        expanded += 1
        d = depth[state]
        if d >= max_depth:
            continue
        for a, i in zip(useful, order, strict=True):
            if state & a.pre != a.pre:
                continue
            nxt = (state & ~a.rem) | a.add
            if nxt == state or nxt in closed:
                continue
            ng = g + a.cost
            old = best.get(nxt)
            if old is not None and old <= ng:
                continue
            best[nxt] = ng
            parent[nxt] = (state, i)
            depth[nxt] = d + 1
            seq += 1
            hn = h(nxt)
            heapq.heappush(heap, (ng + hn, hn, seq, nxt))
    return SearchResult("unreachable", (), 0.0, expanded)
