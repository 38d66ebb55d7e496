"""A failing LLM endpoint, end to end (issue #6, item 2).

Whatever goes wrong with the endpoint (refused, timeout, 401, 404, 429 + Retry-After, 500, a stream
cut in the middle, a malformed chunk), `Pipeline.ask` and `rag ask --json` must return the
extractive answer labelled as a fallback (`backend == "extractive"`, a `notice` naming the
problem), within a bound derived from the configured timeout and retries, and the CLI must not
print a traceback. The client-level behaviour is unit-tested in tests/test_llm.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, free_port

from rag.pipeline import Pipeline
from rag.schema import Answer
from rag.settings import Settings

# answerable from the seed abstracts (eval/seed_questions.jsonl factoid-001), so the answerer
# does not abstain before it ever calls the model
QUESTION = (
    "By how much did initializing policies with a pre-trained language model and fine-tuning "
    "them with behavior cloning raise task completion rates in a household simulator?"
)
TIMEOUT = 0.6
RETRIES = 1
GOOD_REPLY = "Task completion rose by 43.6% in VirtualHome [1]."


@dataclass(frozen=True)
class Case:
    """One failure mode: the scripted reply (None: nothing listens) and words the notice names."""

    name: str
    reply: Reply | None
    expect: tuple[str, ...]
    streams_text: bool = False  # the failure comes after some text was streamed


CASES = [
    Case("refused", None, ("refused", "RAG_LLM_BASE_URL")),
    Case("timeout", Reply.slow(10), ("no response", f"{TIMEOUT:g} s", "RAG_LLM_TIMEOUT")),
    Case("401", Reply.error(401), ("HTTP 401", "API key")),
    Case("404", Reply.error(404), ("HTTP 404", "model")),
    Case("429", Reply.error(429, retry_after=0.3), ("HTTP 429", "rate limited")),
    Case("500", Reply.error(500), ("HTTP 500", "gave up after 2 attempts")),
    Case("cut", Reply.cut(GOOD_REPLY + " More words follow here.", after=3), ("broke",), True),
    Case("malformed", Reply.malformed(GOOD_REPLY, after=2), ("broke", "malformed"), True),
    Case("malformed-first", Reply.malformed(GOOD_REPLY, after=0), ("malformed",)),
    Case("html-page", Reply.raw_body("<html>login</html>"), ("event stream", "text/html")),
]


def budget_s() -> float:
    """What the LLM client may spend: every attempt's timeout plus the backoff between them."""
    return TIMEOUT * (RETRIES + 1) + 1.0


@pytest.fixture(scope="module")
def offline_s(seed_home: Path) -> float:
    """Time of a warm offline answer to QUESTION (the fallback does this work too)."""
    pipe = Pipeline(Settings(home=seed_home))
    pipe.ask(QUESTION)  # warm-up: model, BM25, corpus statistics
    t = time.perf_counter()
    ans = pipe.ask(QUESTION)
    elapsed = time.perf_counter() - t
    assert not ans.abstained and ans.backend == "extractive" and ans.citations
    return elapsed


def bound_s(offline: float) -> float:
    """Upper bound on a failing call: 3x the LLM budget plus 3x the offline work (not a perf
    target: it only proves the call cannot hang or retry without end)."""
    return 3 * budget_s() + 3 * offline + 1.0


def llm_settings(home: Path, base_url: str, **kw: object) -> Settings:
    return Settings(
        home=home,
        llm_model="test-model",
        llm_base_url=base_url,
        llm_timeout=TIMEOUT,
        llm_max_retries=RETRIES,
        **kw,  # type: ignore[arg-type]
    )


def url_for(case: Case, server: FakeOpenAI) -> str:
    if case.reply is None:
        return f"http://127.0.0.1:{free_port()}/v1"
    server.default = case.reply  # every attempt (retries included) gets the failure
    return server.base_url


def assert_fallback(ans: Answer, case: Case) -> None:
    assert ans.backend == "extractive", ans.backend
    assert ans.notice, "a fallback must say so"
    assert "showing the extractive answer" in ans.notice
    for word in case.expect:
        assert word in ans.notice, (word, ans.notice)
    assert "Traceback" not in ans.notice
    assert ans.answer and not ans.abstained and ans.citations  # a real, cited answer still


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_ask_falls_back_to_extractive(
    case: Case, seed_home: Path, fake_openai: FakeOpenAI, offline_s: float
) -> None:
    pipe = Pipeline(llm_settings(seed_home, url_for(case, fake_openai)))
    t = time.perf_counter()
    ans = pipe.ask(QUESTION, mode="qa")
    elapsed = time.perf_counter() - t
    assert_fallback(ans, case)
    assert elapsed < bound_s(offline_s), (elapsed, bound_s(offline_s))
    attempts = len(fake_openai.chat_requests)
    if case.reply is not None:
        if case.name in ("429", "500"):
            assert attempts == RETRIES + 1, attempts
        elif case.name == "timeout":  # a slow first attempt may spend the whole time budget
            assert 1 <= attempts <= RETRIES + 1, attempts
        else:  # not retried: a bad key, model or reply cannot be fixed by asking again
            assert attempts == 1, attempts


@pytest.mark.parametrize("case", [c for c in CASES if c.streams_text], ids=lambda c: c.name)
def test_ask_stream_marks_the_partial_text_as_replaced(
    case: Case, seed_home: Path, fake_openai: FakeOpenAI, offline_s: float
) -> None:
    """A stream that broke after text: the deltas seen so far are followed by a final Answer
    that is the extractive one, with the notice."""
    pipe = Pipeline(llm_settings(seed_home, url_for(case, fake_openai)))
    t = time.perf_counter()
    items = list(pipe.ask_stream(QUESTION, mode="qa"))
    elapsed = time.perf_counter() - t
    deltas = [i for i in items if isinstance(i, str)]
    finals = [i for i in items if isinstance(i, Answer)]
    assert len(finals) == 1 and items[-1] is finals[0]
    assert "".join(deltas).strip(), "the partial text was streamed"
    assert_fallback(finals[0], case)
    assert finals[0].answer != "".join(deltas)
    assert elapsed < bound_s(offline_s)


def test_working_endpoint_is_not_a_fallback(seed_home: Path, fake_openai: FakeOpenAI) -> None:
    """Control: the same set-up with a good reply is an LLM answer without a notice."""
    fake_openai.enqueue(GOOD_REPLY)
    ans = Pipeline(llm_settings(seed_home, fake_openai.base_url)).ask(QUESTION, mode="qa")
    assert ans.backend == "llm:test-model" and not ans.notice
    assert ans.answer.startswith("Task completion rose by 43.6%") and ans.citations


def test_follow_up_with_failing_endpoint_rewrites_offline(
    seed_home: Path, fake_openai: FakeOpenAI, offline_s: float
) -> None:
    """The condense call fails too: the follow-up is rewritten offline, then answered."""
    fake_openai.enqueue(GOOD_REPLY)
    pipe = Pipeline(llm_settings(seed_home, fake_openai.base_url))
    first = pipe.ask(QUESTION, mode="qa")
    assert first.backend == "llm:test-model"
    fake_openai.default = Reply.error(503)
    t = time.perf_counter()
    ans = pipe.ask("Which simulator did they use for it?", history=[first], mode="qa")
    elapsed = time.perf_counter() - t
    assert ans.backend == "extractive" and "HTTP 503" in ans.notice
    assert elapsed < 2 * bound_s(offline_s)  # two LLM calls fail (condense, answer)


# --- the CLI ------------------------------------------------------------------------------------
def _cli() -> Callable[[list[str]], int]:
    pytest.importorskip("rag.cli_answers", reason="`rag ask` not there yet")
    from rag.cli import main

    return main


CLI_CASES = [c for c in CASES if c.name in ("refused", "timeout", "401", "429", "500", "cut")]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_ask_json_falls_back_without_traceback(
    case: Case,
    seed_home: Path,
    fake_openai: FakeOpenAI,
    offline_s: float,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main = _cli()
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    monkeypatch.setenv("RAG_LLM_MODEL", "test-model")
    monkeypatch.setenv("OPENAI_BASE_URL", url_for(case, fake_openai))
    monkeypatch.setenv("RAG_LLM_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", str(RETRIES))
    capsys.readouterr()
    t = time.perf_counter()
    rc = main(["ask", "--json", "--mode", "qa", QUESTION])
    elapsed = time.perf_counter() - t
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    data = json.loads(out.strip().splitlines()[-1])
    assert data["backend"] == "extractive"
    for word in case.expect:
        assert word in data["notice"], (word, data["notice"])
    assert data["answer"] and data["citations"]
    assert elapsed < bound_s(offline_s) + 5.0  # + opening a new Pipeline from the environment
