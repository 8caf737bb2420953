"""Errors of :mod:`astraweave.eval`, the plan-quality evaluation harness.

::

    EvalError
    ├── EvalScenarioError           an evaluation scenario's [eval] table is malformed
    │                               (also a ScenarioError: path, key, line)
    ├── UnknownScenarioError        no evaluation scenario or category of that name (UsageError)
    ├── EvalConfigError             bad options: seeds, workers, planners, thresholds (UsageError)
    ├── BackendMissingError         an optional backend (Ray) or plotting library is not installed
    ├── BackendError                a backend failed as a whole (cannot start, lost its workers)
    ├── ResumeError                 a results file cannot be resumed from
    └── GateFailedError             a --min-score / --min-validity threshold was not met

A planner that crashes or hangs in one scenario is *not* an exception of this tree:
the harness records it as a failed run (``RunResult.failure``) and goes on.
"""

from __future__ import annotations

from astraweave.errors._base import UsageError
from astraweave.errors._subsystems import EvalError, ScenarioError

__all__ = [
    "BackendError",
    "BackendMissingError",
    "EvalConfigError",
    "EvalScenarioError",
    "GateFailedError",
    "ResumeError",
    "UnknownScenarioError",
]


class EvalScenarioError(EvalError, ScenarioError):
    """The ``[eval]`` table of an evaluation scenario is malformed: an unknown key, a
    wrong type, a name that is not defined, injected text that does not appear in the
    scenario. Context: ``path``, ``key`` (dotted, e.g. ``eval.injections[0].tool``),
    ``line``."""


class UnknownScenarioError(EvalError, UsageError):
    """No evaluation scenario (or category) has that name. Context: ``name``,
    ``known``."""


class EvalConfigError(EvalError, UsageError):
    """The evaluation was asked for something it cannot do: no planner, an unknown
    planner, seeds or workers below 1, a malformed threshold. Context: ``option``,
    ``value``."""


class BackendMissingError(EvalError):
    """An optional dependency is not installed (Ray for ``--backend ray``,
    matplotlib for ``--html``). Context: ``package``; the hint is the install
    command."""


class BackendError(EvalError):
    """A backend failed as a whole: the Ray cluster cannot be reached, or the
    worker pool cannot start. Context: ``backend``."""


class ResumeError(EvalError):
    """A results file cannot be resumed from: unreadable, not an evaluation report,
    or of another format version. Context: ``path``."""


class GateFailedError(EvalError):
    """A configuration scored below a threshold. Context: ``config``, ``metric``,
    ``value``, ``threshold``."""
