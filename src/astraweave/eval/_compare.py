"""Comparison of two configurations (``--compare A B``): per scenario and per
metric, side by side, with the difference ``B - A``.

Differences are paired: for each scenario and seed both configurations ran, the
difference of their scores; the interval is over those pairs (per scenario: over its
seeds; in total: over seed rounds, as in :mod:`astraweave.eval._summary`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from astraweave.errors import EvalConfigError
from astraweave.eval._metrics import METRICS, Stat, mean_ci
from astraweave.eval._runner import RunResult

__all__ = ["Comparison", "ComparisonRow", "compare"]


class ComparisonRow(BaseModel):
    """One scenario (or ``"total"``): ``a``, ``b`` and ``diff`` (= b - a) per metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    category: str
    a: dict[str, Stat]
    b: dict[str, Stat]
    diff: dict[str, Stat]


class Comparison(BaseModel):
    """Configuration ``a`` against ``b``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: str
    b: str
    rows: list[ComparisonRow]
    total: ComparisonRow

    def better(self, metric: str = "overall") -> str | None:
        """The configuration whose total is higher with an interval of the
        difference that excludes 0 (``None``: no clear winner)."""
        d = self.total.diff[metric]
        if d.n < 2:
            return None if d.mean == 0 else (self.b if d.mean > 0 else self.a)
        if d.low > 0:
            return self.b
        if d.high < 0:
            return self.a
        return None


def compare(results: Iterable[RunResult], a: str, b: str) -> Comparison:
    """Compare configuration labels ``a`` and ``b`` over the runs both have.

    Raises:
        EvalConfigError: ``a`` or ``b`` has no runs, or they share none.

    Example:
        >>> compare([], "rule", "goap")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        astraweave.errors._eval.EvalConfigError: no runs of 'rule'
    """
    runs = list(results)
    by: dict[str, dict[tuple[str, int], RunResult]] = {a: {}, b: {}}
    for r in runs:
        if r.config in by:
            by[r.config][(r.scenario, r.seed_index)] = r
    for label in (a, b):
        if not by[label]:
            raise EvalConfigError(f"no runs of {label!r}", option="--compare", value=label)
    shared = sorted(set(by[a]) & set(by[b]))
    if not shared:
        raise EvalConfigError(
            f"{a!r} and {b!r} share no scenario and seed", option="--compare", value=[a, b]
        )
    scenarios = sorted({s for s, _ in shared})
    rows = []
    for sc in scenarios:
        keys = [k for k in shared if k[0] == sc]
        ra = [by[a][k] for k in keys]
        rb = [by[b][k] for k in keys]
        rows.append(
            ComparisonRow(
                scenario=sc,
                category=ra[0].category,
                a={m: mean_ci([getattr(r.metrics, m) for r in ra]) for m in METRICS},
                b={m: mean_ci([getattr(r.metrics, m) for r in rb]) for m in METRICS},
                diff={
                    m: mean_ci(
                        [
                            getattr(y.metrics, m) - getattr(x.metrics, m)
                            for x, y in zip(ra, rb, strict=True)
                        ]
                    )
                    for m in METRICS
                },
            )
        )
    rounds = sorted({i for _, i in shared})

    def per_round(label: str, metric: str) -> list[float]:
        out = []
        for i in rounds:
            vals = [getattr(by[label][(s, j)].metrics, metric) for s, j in shared if j == i]
            out.append(sum(vals) / len(vals))
        return out

    total = ComparisonRow(
        scenario="total",
        category="all",
        a={m: mean_ci(per_round(a, m)) for m in METRICS},
        b={m: mean_ci(per_round(b, m)) for m in METRICS},
        diff={
            m: mean_ci([y - x for x, y in zip(per_round(a, m), per_round(b, m), strict=True)])
            for m in METRICS
        },
    )
    return Comparison(a=a, b=b, rows=rows, total=total)
