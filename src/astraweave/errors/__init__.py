"""The typed exception tree of astraweave.

Every error astraweave raises on purpose derives from :class:`AstraweaveError` and
carries its context as attributes (``entity``, ``component``, ``system``, ``tool``,
``step``, ``tick``, ``path``, ``line``, ...), plus an optional ``hint`` saying how to fix
it. :class:`UsageError` is a mixin marking API misuse, apart from runtime conditions a
game handles (no path, on cooldown)::

    AstraweaveError
    ├── EcsError
    │   ├── EntityError
    │   │   └── DeadEntityError
    │   ├── ComponentError
    │   │   ├── UnknownComponentError      (UsageError)
    │   │   ├── MissingComponentError
    │   │   ├── ComponentTypeError         (UsageError)
    │   │   └── ComponentShapeError        (UsageError)
    │   ├── ResourceError
    │   │   └── MissingResourceError
    │   ├── ScheduleError                  (UsageError)
    │   │   ├── UnknownStageError
    │   │   ├── DuplicateSystemError
    │   │   ├── SystemConflictError
    │   │   └── SystemCycleError
    │   ├── StructuralChangeError          (UsageError)
    │   ├── SnapshotError
    │   └── PluginError                    (UsageError)
    ├── PhysicsError
    │   ├── PhysicsConfigError, RigidBodyError, ColliderError, TileMapError
    │   ├── NonFiniteStateError, PhysicsQueryError, PhysicsStateError
    │   └── PymunkError                    (a translated pymunk failure)
    ├── NavError
    │   ├── MapFormatError, NavConfigError, InvalidPolygonError, UnknownAlgorithmError
    │   └── OutOfBoundsError, BlockedCellError, OffMeshError, UnknownObstacleError
    ├── ToolError                          (sandbox rejections; subtree in _core.py)
    │   ├── UnknownToolError, BadArgumentsError, PlanTooLongError, MalformedPlanError
    │   ├── TargetOutOfBoundsError, NoPathError, NoLineOfSightError, OnCooldownError
    │   ├── InsufficientResourceError, InvalidTargetError, FriendlyTargetError
    │   └── OutOfRangeError, PreconditionFailedError, ActorUnableError, ToolRegistrationError
    ├── ScenarioError                      (path, key, line; subtree in _core.py)
    ├── PlannerError                       (see _ai.py and _core.py)
    ├── LlmError                           (transport, parse, circuit open, ...; see _llm.py)
    ├── EvalError                          (see _eval.py)
    ├── ReplayError                        (a replay file cannot be read or does not match)
    ├── ProfilingError
    ├── HarnessError                       (UsageError; misuse of astraweave.testing)
    └── CliError

Errors from libraries we wrap (pymunk, openai, sqlite3, llama-cpp) are translated into
this tree at the boundary and raised ``from`` the original exception.
"""

from astraweave.errors import (
    _ai,
    _base,
    _core,
    _ecs,
    _eval,
    _llm,
    _nav,
    _physics,
    _subsystems,
    _testing,
)
from astraweave.errors._ai import *  # noqa: F403  (re-export; names listed in _ai.__all__)
from astraweave.errors._base import *  # noqa: F403  (re-export; names listed in _base.__all__)
from astraweave.errors._core import *  # noqa: F403  (re-export; names listed in _core.__all__)
from astraweave.errors._ecs import *  # noqa: F403  (re-export; names listed in _ecs.__all__)
from astraweave.errors._eval import *  # noqa: F403  (re-export; names listed in _eval.__all__)
from astraweave.errors._llm import *  # noqa: F403  (re-export; names listed in _llm.__all__)
from astraweave.errors._nav import *  # noqa: F403  (re-export; names listed in _nav.__all__)
from astraweave.errors._physics import *  # noqa: F403  (re-export; names listed in _physics.__all__)
from astraweave.errors._subsystems import *  # noqa: F403  (re-export; see _subsystems.__all__)
from astraweave.errors._testing import *  # noqa: F403  (re-export; see _testing.__all__)

__all__ = sorted(
    [
        *_ai.__all__,
        *_base.__all__,
        *_core.__all__,
        *_ecs.__all__,
        *_eval.__all__,
        *_llm.__all__,
        *_nav.__all__,
        *_physics.__all__,
        *_subsystems.__all__,
        *_testing.__all__,
    ]
)
