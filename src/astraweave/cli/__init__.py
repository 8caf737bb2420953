"""The ``astraweave`` command (typer + rich).

Subcommands live in their own modules and register themselves on :data:`app`:

- ``_bench.py``: ``astraweave bench ecs|nav|physics|all``.
- ``_demo.py``: ``astraweave demo crowd`` (the bare-ECS demo).
- ``_eval.py``: ``astraweave eval`` (the plan-quality evaluation).
- ``_companion.py``: ``astraweave demo hello-companion`` and ``astraweave replay``.
"""

from astraweave.cli import _bench, _companion, _demo, _eval  # noqa: F401  (these modules register their commands)
from astraweave.cli._app import app, main

__all__ = ["app", "main"]
