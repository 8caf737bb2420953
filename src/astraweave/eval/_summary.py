"""Aggregation: per scenario, per category and in total, for each configuration;
and the gates (``--min-score``, ``--min-validity``).

Per scenario, each metric's mean and 95 % interval are over its seeds. A category's
and the total's are over *seed rounds*: round ``i`` is the mean, over the scenarios
in question, of the runs with seed index ``i``, so every scenario weighs the same
and the interval reflects run-to-run variation, not how different scenarios are.
With one seed the interval is the mean itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from astraweave.errors import EvalConfigError
from astraweave.eval._metrics import METRICS, Stat, mean_ci
from astraweave.eval._runner import RunResult
from astraweave.eval._spec import CATEGORIES

__all__ = [
    "ConfigSummary",
    "ScenarioSummary",
    "Summary",
    "check_gates",
    "parse_threshold",
    "summarize",
]


class ScenarioSummary(BaseModel):
    """One configuration on one scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    category: str
    runs: int
    failed: int
    successes: int
    metrics: dict[str, Stat]


class ConfigSummary(BaseModel):
    """One configuration over every scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    config: str
    planner: str
    model: str | None
    runs: int
    failed: int
    scenarios: list[ScenarioSummary]
    categories: dict[str, dict[str, Stat]]
    total: dict[str, Stat]


class Summary(BaseModel):
    """Every configuration of an evaluation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    configs: list[ConfigSummary]

    def get(self, config: str) -> ConfigSummary:
        """The summary of configuration ``config``.

        Raises:
            EvalConfigError: no such configuration.
        """
        for c in self.configs:
            if c.config == config:
                return c
        raise EvalConfigError(
            f"no configuration {config!r} in these results; have: "
            f"{', '.join(c.config for c in self.configs)}",
            option="config",
            value=config,
        )


def _value(r: RunResult, metric: str) -> float:
    return float(getattr(r.metrics, metric))


def _rounds(runs: Sequence[RunResult], metric: str) -> list[float]:
    by_scenario: dict[str, dict[int, float]] = {}
    for r in runs:
        by_scenario.setdefault(r.scenario, {})[r.seed_index] = _value(r, metric)
    indices = sorted({i for d in by_scenario.values() for i in d})
    out = []
    for i in indices:
        vals = [d[i] for d in by_scenario.values() if i in d]
        out.append(sum(vals) / len(vals))
    return out


def _succeeded(r: RunResult) -> bool:
    return r.status == "ok" and r.metrics.goal >= 1.0


def summarize(results: Iterable[RunResult]) -> Summary:
    """Aggregate results per configuration (in order of first appearance).

    Example:
        >>> summarize([]).configs
        []
    """
    by_config: dict[str, list[RunResult]] = {}
    for r in results:
        by_config.setdefault(r.config, []).append(r)
    configs = []
    for label, runs in by_config.items():
        by_sc: dict[str, list[RunResult]] = {}
        for r in runs:
            by_sc.setdefault(r.scenario, []).append(r)
        scenarios = [
            ScenarioSummary(
                scenario=name,
                category=rs[0].category,
                runs=len(rs),
                failed=sum(r.status == "failed" for r in rs),
                successes=sum(_succeeded(r) for r in rs),
                metrics={m: mean_ci([_value(r, m) for r in rs]) for m in METRICS},
            )
            for name, rs in sorted(by_sc.items())
        ]
        cats = sorted({r.category for r in runs}, key=lambda c: (*CATEGORIES, c).index(c))
        categories = {
            c: {m: mean_ci(_rounds([r for r in runs if r.category == c], m)) for m in METRICS}
            for c in cats
        }
        configs.append(
            ConfigSummary(
                config=label,
                planner=runs[0].planner,
                model=runs[0].model,
                runs=len(runs),
                failed=sum(r.status == "failed" for r in runs),
                scenarios=scenarios,
                categories=categories,
                total={m: mean_ci(_rounds(runs, m)) for m in METRICS},
            )
        )
    return Summary(configs=configs)


def parse_threshold(text: str, option: str) -> tuple[str | None, float]:
    """``"90"`` -> ``(None, 90.0)``; ``"goap=90"`` -> ``("goap", 90.0)``.

    Raises:
        EvalConfigError: not a number, or an empty configuration name.

    Example:
        >>> parse_threshold("goap=90", "--min-score")
        ('goap', 90.0)
    """
    name: str | None = None
    value = text
    if "=" in text:
        name, value = (p.strip() for p in text.split("=", 1))
        if not name:
            raise EvalConfigError(f"{option} {text!r}: empty configuration name", option=option)
    try:
        number = float(value)
    except ValueError:
        raise EvalConfigError(
            f"{option} {text!r}: expected a number or NAME=NUMBER", option=option, value=text
        ) from None
    return name, number


def check_gates(
    summary: Summary,
    *,
    min_score: Mapping[str | None, float] | None = None,
    min_validity: Mapping[str | None, float] | None = None,
) -> list[str]:
    """The gates ``summary`` fails, one message each (empty: all passed).

    Args:
        summary: the evaluation's summary.
        min_score: overall-score thresholds (0..100) by configuration label; the key
            ``None`` applies to every configuration without its own.
        min_validity: validity thresholds (0..1), keyed the same way.

    Raises:
        EvalConfigError: a threshold names a configuration that was not evaluated.
    """
    out: list[str] = []
    labels = {c.config for c in summary.configs} | {c.planner for c in summary.configs}
    for metric, gates in (("overall", min_score or {}), ("validity", min_validity or {})):
        for name in gates:
            if name is not None and name not in labels:
                raise EvalConfigError(
                    f"a threshold names {name!r}, which was not evaluated",
                    option="--min-score" if metric == "overall" else "--min-validity",
                    value=name,
                )
        for c in summary.configs:
            threshold = gates.get(c.config, gates.get(c.planner, gates.get(None)))
            if threshold is None:
                continue
            got = c.total[metric].mean
            if got + 1e-9 < threshold:
                out.append(f"{c.config}: {metric} {got:.4g} is below {threshold:g}")
    return out
