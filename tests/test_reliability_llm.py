"""A failing LLM endpoint, end to end (issue #6, item 2; issue #13, items 1 and 13).

Whatever goes wrong with the endpoint (refused, timeout, 401, 404, 429 + Retry-After, 500, a stream
cut in the middle, a malformed chunk, a reply that never ends), `Pipeline.ask` and `rag ask --json`
must return the extractive answer labelled as a fallback (`backend == "extractive"`, a `notice`
naming the problem), after no more attempts than the failure deserves (1, or 1 +
RAG_LLM_MAX_RETRIES), and the CLI must not print a traceback. A never-ending reply is cut at
RAG_LLM_DEADLINE (pytest-timeout is the hang guard). The client-level behaviour is unit-tested in
tests/test_llm.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, free_port

from rag.cli import main
from rag.llm import endpoint_status
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
DEADLINE = 2.0
GOOD_REPLY = "Task completion rose by 43.6% in VirtualHome [1]."


@dataclass(frozen=True)
class Case:
    """One failure mode: the scripted reply (None: nothing listens) and words the notice names."""

    name: str
    reply: Reply | None
    expect: tuple[str, ...]
    streams_text: bool = False  # the failure comes after some text was streamed
    # requests the server may see (min, max): one, unless the failure is worth retrying
    attempts: tuple[int, int] = (1, 1)
    timeout: float = TIMEOUT  # RAG_LLM_TIMEOUT for this case

    def settings(self, home: Path, server: FakeOpenAI) -> Settings:
        return llm_settings(home, url_for(self, server), llm_timeout=self.timeout)


CASES = [
    Case("refused", None, ("refused", "RAG_LLM_BASE_URL")),
    # a slow first attempt may spend the whole time budget
    Case("timeout", Reply.slow(10), ("no response", "RAG_LLM_TIMEOUT"), False, (1, RETRIES + 1)),
    Case("401", Reply.error(401), ("HTTP 401", "API key")),
    Case("404", Reply.error(404), ("HTTP 404", "model")),
    Case("429", Reply.error(429, retry_after=0.3), ("HTTP 429", "rate limited"), False, (2, 2)),
    Case("500", Reply.error(500), ("HTTP 500", "gave up after 2 attempts"), False, (2, 2)),
    Case("cut", Reply.cut(GOOD_REPLY + " More words follow here.", after=3), ("broke",), True),
    Case("malformed", Reply.malformed(GOOD_REPLY, after=2), ("broke", "malformed"), True),
    Case("malformed-first", Reply.malformed(GOOD_REPLY, after=0), ("malformed",)),
    Case("html-page", Reply.raw_body("<html>login</html>"), ("event stream", "text/html")),
    # issue #13 item 1: never-ending replies stop at RAG_LLM_DEADLINE
    # (RAG_LLM_TIMEOUT far above the deadline: only the deadline may end these, even when a
    # busy machine stalls the server thread for a while)
    Case(
        "trickle",
        Reply.trickle(GOOD_REPLY),
        ("did not finish", "RAG_LLM_DEADLINE"),
        True,
        timeout=30,
    ),
    Case(
        "keepalive", Reply.keepalive(), (f"within {DEADLINE:g} s", "RAG_LLM_DEADLINE"), timeout=30
    ),
]


def llm_settings(home: Path, base_url: str, **kw: object) -> Settings:
    return Settings(
        home=home,
        llm_model="test-model",
        llm_base_url=base_url,
        llm_max_retries=RETRIES,
        llm_deadline=DEADLINE,
        **{"llm_timeout": TIMEOUT, **kw},  # type: ignore[arg-type]
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


@pytest.mark.timeout(120)  # the hang guard: a never-ending reply used to hold the answer forever
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_ask_falls_back_to_extractive(case: Case, seed_home: Path, fake_openai: FakeOpenAI) -> None:
    pipe = Pipeline(case.settings(seed_home, fake_openai))
    ans = pipe.ask(QUESTION, mode="qa")
    assert_fallback(ans, case)
    if case.reply is not None:
        low, high = case.attempts
        assert low <= len(fake_openai.chat_requests) <= high, len(fake_openai.chat_requests)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", [c for c in CASES if c.streams_text], ids=lambda c: c.name)
def test_ask_stream_marks_the_partial_text_as_replaced(
    case: Case, seed_home: Path, fake_openai: FakeOpenAI
) -> None:
    """A stream that broke after text: the deltas seen so far are followed by a final Answer
    that is the extractive one, with the notice."""
    pipe = Pipeline(case.settings(seed_home, fake_openai))
    items = list(pipe.ask_stream(QUESTION, mode="qa"))
    deltas = [i for i in items if isinstance(i, str)]
    finals = [i for i in items if isinstance(i, Answer)]
    assert len(finals) == 1 and items[-1] is finals[0]
    assert "".join(deltas).strip(), "the partial text was streamed"
    assert_fallback(finals[0], case)
    assert finals[0].answer != "".join(deltas)


def test_working_endpoint_is_not_a_fallback(seed_home: Path, fake_openai: FakeOpenAI) -> None:
    """Control: the same set-up with a good reply is an LLM answer without a notice."""
    fake_openai.enqueue(GOOD_REPLY)
    ans = Pipeline(llm_settings(seed_home, fake_openai.base_url)).ask(QUESTION, mode="qa")
    assert ans.backend == "llm:test-model" and not ans.notice
    assert ans.answer.startswith("Task completion rose by 43.6%") and ans.citations


def test_follow_up_with_failing_endpoint_rewrites_offline(
    seed_home: Path, fake_openai: FakeOpenAI
) -> None:
    """The condense call fails too: the follow-up is rewritten offline, then answered."""
    fake_openai.enqueue(GOOD_REPLY)
    pipe = Pipeline(llm_settings(seed_home, fake_openai.base_url))
    first = pipe.ask(QUESTION, mode="qa")
    assert first.backend == "llm:test-model"
    fake_openai.default = Reply.error(503)
    ans = pipe.ask("Which simulator did they use for it?", history=[first], mode="qa")
    assert ans.backend == "extractive" and "HTTP 503" in ans.notice
    # two calls (condense, answer), each 1 + RAG_LLM_MAX_RETRIES attempts, no more
    assert len(fake_openai.chat_requests) == 1 + 2 * (RETRIES + 1)


def test_refused_endpoint_is_marked_down_for_the_next_questions(seed_home: Path) -> None:
    """Issue #13 item 13: the first question finds the endpoint refused (one attempt, no
    retries); the next ones do not touch the network while it is marked down, and
    `endpoint_status` says why for the UI's sidebar."""
    settings = llm_settings(seed_home, f"http://127.0.0.1:{free_port()}/v1")
    pipe = Pipeline(settings)
    first = pipe.ask(QUESTION, mode="qa")
    assert "refused" in first.notice and "gave up" not in first.notice
    status = endpoint_status(settings)
    assert status is not None and "refused" in status and "retrying in" in status
    second = pipe.ask(QUESTION, mode="qa")
    assert second.backend == "extractive" and "marked down" in second.notice
    assert second.answer == first.answer


# --- the CLI ------------------------------------------------------------------------------------
CLI_CASES = [
    c for c in CASES if c.name in ("refused", "timeout", "401", "429", "500", "cut", "trickle")
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_ask_json_falls_back_without_traceback(
    case: Case,
    seed_home: Path,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    monkeypatch.setenv("RAG_LLM_MODEL", "test-model")
    monkeypatch.setenv("OPENAI_BASE_URL", url_for(case, fake_openai))
    monkeypatch.setenv("RAG_LLM_TIMEOUT", str(case.timeout))
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", str(RETRIES))
    monkeypatch.setenv("RAG_LLM_DEADLINE", str(DEADLINE))
    capsys.readouterr()
    rc = main(["ask", "--json", "--mode", "qa", QUESTION])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    data = json.loads(out.strip().splitlines()[-1])
    assert data["backend"] == "extractive"
    # the README tells users to set OPENAI_BASE_URL: that is the variable the notice names
    expect = [w.replace("RAG_LLM_BASE_URL", "OPENAI_BASE_URL") for w in case.expect]
    for word in expect:
        assert word in data["notice"], (word, data["notice"])
    assert data["answer"] and data["citations"]


@pytest.mark.timeout(180)  # the hang guard (before the deadline existed this never returned)
@pytest.mark.parametrize(
    "reply", [Reply.trickle(GOOD_REPLY), Reply.keepalive()], ids=["trickle", "keepalive"]
)
def test_rag_ask_process_against_a_never_ending_stream(
    seed_home: Path, fake_openai: FakeOpenAI, reply: Reply
) -> None:
    """A real `rag ask` process against a server that never finishes its reply: exit 0 with the
    labelled extractive answer, no traceback, and the server sees the client hang up."""
    fake_openai.default = reply
    env = {
        **os.environ,
        "RAG_HOME": str(seed_home),
        "RAG_LLM_MODEL": "test-model",
        "OPENAI_BASE_URL": fake_openai.base_url,
        "RAG_LLM_DEADLINE": "3",
    }
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("rag")), "ask", "--json", "--mode", "qa", QUESTION],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert data["backend"] == "extractive" and "RAG_LLM_DEADLINE" in data["notice"]
    assert data["answer"] and data["citations"]
    assert len(fake_openai.chat_requests) == 1
    assert fake_openai.hung_up.is_set()
