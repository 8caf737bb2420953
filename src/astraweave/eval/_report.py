"""Reports: :class:`EvalReport` (every run, every metric, and where they came
from) and its JSON, Markdown and HTML forms.

- JSON (``--json``): the report itself, :data:`REPORT_SCHEMA`; written atomically
  (temporary file, then rename) and rewritten as results arrive, so an interrupted
  evaluation can be resumed from it (``--resume``).
- Markdown (``--md``): totals, categories, a table per configuration with one row
  per scenario, the comparison (``--compare``), failed runs.
- HTML (``--html``): the same tables plus plots (per-category bars with 95 %
  intervals, per-metric totals, distributions of run scores), rendered with
  matplotlib's Agg canvas and embedded as base64 PNG; nothing is fetched.

Scores appear in percent: ``overall`` is already 0..100, the five metrics are
multiplied by 100. ``a ± b`` is a mean and the half-width of its 95 % interval.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import astraweave
from astraweave.errors import BackendMissingError, ResumeError
from astraweave.eval._compare import Comparison, compare
from astraweave.eval._metrics import METRICS, PENALTIES, WEIGHTS, Stat
from astraweave.eval._runner import PlannerConfig, RunResult
from astraweave.eval._summary import ConfigSummary, Summary, summarize
from astraweave.profiling import machine_info

__all__ = [
    "MATPLOTLIB_INSTALL",
    "REPORT_SCHEMA",
    "EvalReport",
    "load_report",
    "render_html",
    "render_markdown",
    "write_html",
    "write_json",
    "write_markdown",
]

REPORT_SCHEMA = "astraweave.eval/1"
"""The format id of report files (bumped on incompatible changes)."""

MATPLOTLIB_INSTALL = "pip install 'matplotlib>=3.8'"
"""The install command printed when the HTML report cannot draw its plots."""


class EvalReport(BaseModel):
    """An evaluation: configurations, runs and metadata.

    Attributes:
        format: :data:`REPORT_SCHEMA`.
        meta: astraweave version, git revision, machine, command, backend, workers,
            seeds, scoring weights and penalties, start and end times.
        configs: the configurations evaluated.
        compare: the two labels of ``--compare``, if any.
        runs: every run's :class:`RunResult`.
    """

    model_config = ConfigDict(extra="forbid")

    format: str = REPORT_SCHEMA
    meta: dict[str, Any] = Field(default_factory=dict)
    configs: list[PlannerConfig] = Field(default_factory=list)
    compare: list[str] | None = None
    runs: list[RunResult] = Field(default_factory=list)

    @classmethod
    def start(
        cls,
        configs: Sequence[PlannerConfig],
        *,
        compare: Sequence[str] | None = None,
        **meta: Any,
    ) -> EvalReport:
        """A new report with the metadata of this machine and process.

        Args:
            configs: the configurations.
            compare: the two labels to compare, if any.
            **meta: more metadata (backend, workers, seeds, command, ...).
        """
        machine = machine_info()
        info: dict[str, Any] = {
            "astraweave": astraweave.__version__,
            "git": machine.get("git"),
            "machine": machine,
            "command": " ".join(["astraweave", *sys.argv[1:]])
            if Path(sys.argv[0]).name == "astraweave"
            else None,
            "started": _now(),
            "finished": None,
            "weights": dict(WEIGHTS),
            "penalties": dict(PENALTIES),
        }
        info.update(meta)
        return cls(
            meta=info, configs=list(configs), compare=list(compare) if compare else None, runs=[]
        )

    def summary(self) -> Summary:
        """The runs aggregated (:func:`~astraweave.eval.summarize`)."""
        return summarize(self.runs)

    def comparison(self) -> Comparison | None:
        """The ``--compare`` comparison, when there is one and both sides have runs."""
        if not self.compare or len(self.compare) != 2:
            return None
        labels = {r.config for r in self.runs}
        a, b = self.compare
        if a not in labels or b not in labels:
            return None
        return compare(self.runs, a, b)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def write_json(report: EvalReport, path: str | Path) -> None:
    """Write ``report`` to ``path`` atomically (a reader never sees half a file).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
        >>> write_json(EvalReport(), p)
        >>> load_report(p).format
        'astraweave.eval/1'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(report.model_dump_json(indent=1))
            fh.write("\n")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_report(path: str | Path) -> EvalReport:
    """Read a report written by :func:`write_json` (for ``--resume`` and re-rendering).

    Raises:
        ResumeError: unreadable, not JSON, another format version, or malformed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResumeError(f"cannot read {p}: {exc.strerror}", path=str(p)) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ResumeError(f"{p} is not JSON: {exc}", path=str(p)) from None
    if not isinstance(data, dict) or data.get("format") != REPORT_SCHEMA:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ResumeError(
            f"{p} is not an evaluation report of format {REPORT_SCHEMA!r} (found {found!r})",
            path=str(p),
        )
    try:
        return EvalReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ResumeError(f"{p}: {where}: {first['msg']}", path=str(p)) from None


# ------------------------------------------------------------------------ tables
def _pct(stat: Stat, metric: str) -> str:
    scale = 1.0 if metric == "overall" else 100.0
    text = f"{stat.mean * scale:.1f}"
    if stat.n > 1:
        text += f" ± {stat.half_width * scale:.1f}"
    return text


def _signed(stat: Stat, metric: str) -> str:
    scale = 1.0 if metric == "overall" else 100.0
    text = f"{stat.mean * scale:+.1f}"
    if stat.n > 1:
        text += f" ± {stat.half_width * scale:.1f}"
    return text


Table = tuple[list[str], list[list[str]]]


def _totals_table(summary: Summary) -> Table:
    head = ["config", *METRICS, "runs", "failed"]
    rows = [
        [c.config, *(_pct(c.total[m], m) for m in METRICS), str(c.runs), str(c.failed)]
        for c in summary.configs
    ]
    return head, rows


def _category_table(summary: Summary) -> Table:
    cats: list[str] = []
    for c in summary.configs:
        cats += [k for k in c.categories if k not in cats]
    head = ["category", *(c.config for c in summary.configs)]
    rows = [
        [
            cat,
            *(
                _pct(c.categories[cat]["overall"], "overall") if cat in c.categories else "-"
                for c in summary.configs
            ),
        ]
        for cat in cats
    ]
    return head, rows


def _config_table(c: ConfigSummary) -> Table:
    head = ["scenario", "category", *METRICS, "success", "failed"]
    rows = [
        [
            s.scenario,
            s.category,
            *(_pct(s.metrics[m], m) for m in METRICS),
            f"{s.successes}/{s.runs}",
            str(s.failed),
        ]
        for s in c.scenarios
    ]
    return head, rows


def _compare_table(cmp: Comparison) -> Table:
    head = ["scenario", f"{cmp.a} overall", f"{cmp.b} overall", "diff (b - a)"]
    rows = [
        [
            r.scenario,
            _pct(r.a["overall"], "overall"),
            _pct(r.b["overall"], "overall"),
            _signed(r.diff["overall"], "overall"),
        ]
        for r in [*cmp.rows]
    ]
    for m in METRICS:
        t = cmp.total
        rows.append([f"**total {m}**", _pct(t.a[m], m), _pct(t.b[m], m), _signed(t.diff[m], m)])
    return head, rows


def _md_table(table: Table) -> str:
    head, rows = table
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _failures(report: EvalReport) -> list[str]:
    return [
        f"{r.config} / {r.scenario} / seed {r.seed}: {(r.failure or '').splitlines()[0]}"
        for r in report.runs
        if r.status == "failed"
    ]


def _header_lines(report: EvalReport) -> list[str]:
    meta = report.meta
    machine = meta.get("machine") or {}
    seeds = meta.get("seeds", "?")
    return [
        f"astraweave {meta.get('astraweave', '?')}, git {meta.get('git') or 'unknown'}; "
        f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, Python "
        f"{machine.get('python', '?')}",
        f"{len(report.runs)} runs; seeds per scenario: {seeds}; backend "
        f"{meta.get('backend', '?')} with {meta.get('workers', '?')} workers; started "
        f"{meta.get('started', '?')}",
        "Scores in percent; `a ± b` = mean ± half-width of the 95 % interval. Weights: "
        + ", ".join(f"{k} {v:g}" for k, v in WEIGHTS.items())
        + ".",
    ]


def render_markdown(report: EvalReport) -> str:
    """The report as Markdown (see the module docstring)."""
    summary = report.summary()
    parts = ["# astraweave plan-quality evaluation", "", *_header_lines(report), ""]
    parts += ["## Totals", "", _md_table(_totals_table(summary)), ""]
    parts += ["## By category (overall)", "", _md_table(_category_table(summary)), ""]
    cmp = report.comparison()
    if cmp is not None:
        parts += [f"## Comparison: {cmp.a} vs {cmp.b}", "", _md_table(_compare_table(cmp)), ""]
    for c in summary.configs:
        parts += [f"## {c.config}", "", _md_table(_config_table(c)), ""]
    fails = _failures(report)
    if fails:
        parts += ["## Failed runs", "", *(f"- {f}" for f in fails), ""]
    return "\n".join(parts)


def write_markdown(report: EvalReport, path: str | Path) -> None:
    """Write :func:`render_markdown` to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(report), encoding="utf-8")


# -------------------------------------------------------------------------- HTML
def _html_table(table: Table) -> str:
    head, rows = table
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for r in rows:
        cells = "".join(f"<td>{html.escape(c.replace('**', ''))}</td>" for c in r)
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _figure() -> Any:
    try:
        from matplotlib.figure import Figure  # type: ignore[import-not-found, unused-ignore]  # optional
    except ImportError as exc:
        raise BackendMissingError(
            "the HTML report draws its plots with matplotlib, which is not installed",
            package="matplotlib",
            hint=MATPLOTLIB_INSTALL,
        ) from exc
    return Figure


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="plot">'


def _bars(summary: Summary, groups: list[str], value: Any, title: str, ylabel: str) -> str:
    figure = _figure()
    fig = figure(figsize=(max(6.0, 0.9 * len(groups) + 2), 3.6))
    ax = fig.add_subplot()
    n = max(1, len(summary.configs))
    width = 0.8 / n
    for k, c in enumerate(summary.configs):
        means, errs = [], []
        for g in groups:
            stat = value(c, g)
            means.append(stat.mean if stat is not None else 0.0)
            errs.append(stat.half_width if stat is not None else 0.0)
        xs = [i + (k - (n - 1) / 2) * width for i in range(len(groups))]
        ax.bar(xs, means, width, yerr=errs, capsize=2, label=c.config)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(0, 105)
    ax.legend(fontsize="small")
    return _png(fig)


def _distribution(report: EvalReport, summary: Summary) -> str:
    figure = _figure()
    fig = figure(figsize=(7.0, 3.4))
    ax = fig.add_subplot()
    bins = [i * 5.0 for i in range(21)]
    for c in summary.configs:
        scores = [r.metrics.overall for r in report.runs if r.config == c.config]
        ax.hist(scores, bins=bins, alpha=0.55, label=c.config)
    ax.set_xlabel("overall score of a run")
    ax.set_ylabel("runs")
    ax.set_title("Score distribution")
    ax.legend(fontsize="small")
    return _png(fig)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
img { max-width: 100%; display: block; margin: 1em 0; }
.meta { color: #555; }
"""


def render_html(report: EvalReport) -> str:
    """The report as a self-contained HTML page (tables and embedded plots).

    Raises:
        BackendMissingError: matplotlib is not installed (the hint is the install
            command).
    """
    summary = report.summary()
    cats: list[str] = []
    for c in summary.configs:
        cats += [k for k in c.categories if k not in cats]
    body = ["<h1>astraweave plan-quality evaluation</h1>"]
    body += [f'<p class="meta">{html.escape(line)}</p>' for line in _header_lines(report)]
    body += ["<h2>Totals</h2>", _html_table(_totals_table(summary))]
    if summary.configs:
        body.append(
            _bars(
                summary,
                list(METRICS),
                lambda c, m: Stat(
                    mean=c.total[m].mean * (1 if m == "overall" else 100),
                    low=c.total[m].low * (1 if m == "overall" else 100),
                    high=c.total[m].high * (1 if m == "overall" else 100),
                    n=c.total[m].n,
                ),
                "Totals per metric",
                "percent",
            )
        )
    body += ["<h2>By category (overall)</h2>", _html_table(_category_table(summary))]
    if summary.configs:
        body.append(
            _bars(
                summary,
                cats,
                lambda c, g: c.categories[g]["overall"] if g in c.categories else None,
                "Overall score per category",
                "overall score",
            )
        )
        body += ["<h2>Score distribution</h2>", _distribution(report, summary)]
    cmp = report.comparison()
    if cmp is not None:
        body += [
            f"<h2>Comparison: {html.escape(cmp.a)} vs {html.escape(cmp.b)}</h2>",
            _html_table(_compare_table(cmp)),
        ]
    for c in summary.configs:
        body += [f"<h2>{html.escape(c.config)}</h2>", _html_table(_config_table(c))]
    fails = _failures(report)
    if fails:
        body += ["<h2>Failed runs</h2>", "<ul>"]
        body += [f"<li>{html.escape(f)}</li>" for f in fails]
        body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>astraweave evaluation</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_html(report: EvalReport, path: str | Path) -> None:
    """Write :func:`render_html` to ``path``.

    Raises:
        BackendMissingError: matplotlib is not installed.
    """
    text = render_html(report)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
