"""Facts about the machine a benchmark ran on, for its JSON."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["machine_info"]


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    rev = out.stdout.strip()
    return rev or None


def machine_info() -> dict[str, Any]:
    """Describe this machine: CPU model, usable cores, memory, Python and numpy versions.

    Returns:
        A JSON-ready dict with ``cpu``, ``cores``, ``memory_gb``, ``python``,
        ``numpy``, ``platform`` and ``git`` (short revision, or ``None``).
    """
    import numpy as np

    mem_gb: float | None = None
    try:
        import psutil

        mem_gb = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # psutil is a core dependency; tolerate its absence in odd installs
        mem_gb = None
    return {
        "cpu": _cpu_model(),
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "git": _git_revision(),
    }
