"""Helpers shared by the subcommands: JSON output and error reporting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["emit_json"]


def emit_json(result: dict[str, Any], path: Path | None, *, quiet: bool = False) -> None:
    """Print ``result`` as JSON (unless ``quiet``) and write it to ``path`` when given."""
    text = json.dumps(result, indent=2, sort_keys=False, default=str)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    if not quiet:
        print(text)  # noqa: T201  (the command's output)
