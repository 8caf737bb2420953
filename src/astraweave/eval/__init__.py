"""The plan-quality evaluation harness.

Map of this package:

- ``_spec``: :class:`EvalSpec`, the ``[eval]`` table of a scenario, and the
  injection detections (:data:`Detection`).
- ``_scenarios``: :func:`load_eval_scenario`, :class:`EvalScenario`, the shipped
  scenarios (:func:`builtin_eval_scenarios`, ``scenarios/*.toml``), selection.
- ``_record``: :class:`RunRecord` (the facts of one run) and the :class:`Recorder`
  that collects them tick by tick.
- ``_metrics``: pure scoring (:func:`score`, :class:`Metrics`, :data:`WEIGHTS`),
  means with 95 % intervals (:func:`mean_ci`).
- ``_runner``: :class:`PlannerConfig`, :class:`RunTask`, :class:`RunResult`,
  :func:`run_one` (one run, a pure function), :func:`evaluate` (many, resumable).
- ``_backends``: where runs execute: :class:`InlineBackend`, :class:`LocalBackend`
  (process pool with per-run timeouts), :class:`RayBackend` (optional extra).
- ``_summary``: :func:`summarize` (per scenario, category and total), gates.
- ``_compare``: :func:`compare` (two configurations side by side).
- ``_report``: :class:`EvalReport` and the JSON, Markdown and HTML writers.

See ``docs/evaluation.md``.
"""

from astraweave.eval._backends import (
    Backend,
    InlineBackend,
    LocalBackend,
    RayBackend,
    make_backend,
)
from astraweave.eval._compare import Comparison, compare
from astraweave.eval._metrics import (
    METRICS,
    PARTIAL_CREDIT,
    PENALTIES,
    WEIGHTS,
    Metrics,
    Stat,
    coherence,
    efficiency,
    goal,
    mean_ci,
    overall,
    safety,
    score,
    validity,
)
from astraweave.eval._record import Recorder, RunRecord, redundant_steps
from astraweave.eval._report import (
    REPORT_SCHEMA,
    EvalReport,
    load_report,
    render_html,
    render_markdown,
    write_html,
    write_json,
    write_markdown,
)
from astraweave.eval._runner import (
    DEFAULT_RUN_TIMEOUT_S,
    PlannerConfig,
    RunResult,
    RunTask,
    evaluate,
    make_tasks,
    run_one,
)
from astraweave.eval._scenarios import (
    EvalScenario,
    builtin_eval_scenario,
    builtin_eval_scenarios,
    load_eval_scenario,
    select_scenarios,
)
from astraweave.eval._spec import CATEGORIES, Detection, EvalSpec
from astraweave.eval._summary import ConfigSummary, Summary, check_gates, summarize

__all__ = [
    "CATEGORIES",
    "DEFAULT_RUN_TIMEOUT_S",
    "METRICS",
    "PARTIAL_CREDIT",
    "PENALTIES",
    "REPORT_SCHEMA",
    "WEIGHTS",
    "Backend",
    "Comparison",
    "ConfigSummary",
    "Detection",
    "EvalReport",
    "EvalScenario",
    "EvalSpec",
    "InlineBackend",
    "LocalBackend",
    "Metrics",
    "PlannerConfig",
    "RayBackend",
    "Recorder",
    "RunRecord",
    "RunResult",
    "RunTask",
    "Stat",
    "Summary",
    "builtin_eval_scenario",
    "builtin_eval_scenarios",
    "check_gates",
    "coherence",
    "compare",
    "efficiency",
    "evaluate",
    "goal",
    "load_eval_scenario",
    "load_report",
    "make_backend",
    "make_tasks",
    "mean_ci",
    "overall",
    "redundant_steps",
    "render_html",
    "render_markdown",
    "run_one",
    "safety",
    "score",
    "select_scenarios",
    "summarize",
    "validity",
    "write_html",
    "write_json",
    "write_markdown",
]
