"""The LLM API key never leaks (issue #6, item 3).

A key is planted in the environment (OPENAI_API_KEY or RAG_LLM_API_KEY) and every user-visible or
logged surface is checked for it: LLMError messages for each failure mode (also when the server
echoes the key back, as OpenAI's 401 does), log records at DEBUG from every logger, `rag ask --json`
and `rag stats` output, `Answer.to_json()`, the Markdown export of a conversation and the
`Settings` repr / dumps.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, free_port

from rag.display import Turn
from rag.export import export_markdown
from rag.llm import LLMClient, LLMError
from rag.pipeline import Pipeline
from rag.schema import Answer
from rag.settings import Settings

PLANTED = "sk-test-PLANTED-9f8e7d"
QUESTION = (
    "By how much did initializing policies with a pre-trained language model and fine-tuning "
    "them with behavior cloning raise task completion rates in a household simulator?"
)
KEY_VARS = ("OPENAI_API_KEY", "RAG_LLM_API_KEY")
LOGGERS = ("", "rag", "openai", "httpx", "httpcore", "urllib3", "chromadb", "llama_index")


def assert_clean(*texts: object) -> None:
    blob = "\n".join(str(t) for t in texts)
    assert PLANTED not in blob
    assert "PLANTED-9f8e7d" not in blob and "9f8e7d" not in blob


@pytest.fixture(params=KEY_VARS)
def planted_env(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, seed_home: Path
) -> Iterator[str]:
    """The key planted under one of its variable names; the seed store as RAG_HOME."""
    monkeypatch.setenv(request.param, PLANTED)
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    monkeypatch.setenv("RAG_LLM_MODEL", "test-model")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "0.5")
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "1")
    yield request.param


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def failures() -> list[Reply]:
    """One of each failure mode; error bodies echo the key like real servers sometimes do."""
    return [
        Reply.error(401, message=f"Incorrect API key provided: {PLANTED}"),
        Reply.error(403, message=f"key {PLANTED} has no access"),
        Reply.error(404, message=f"The model does not exist or key {PLANTED} lacks access"),
        Reply.error(429, retry_after=60, message=f"Rate limit for {PLANTED}"),
        Reply.error(500, message=f"internal error for Bearer {PLANTED}"),
        Reply.cut("some words that break", after=2),
        Reply.malformed("a b c", after=1),
        Reply.malformed("", after=0),
        Reply.raw_body(f"<html>token={PLANTED}</html>"),
        Reply.slow(5),
    ]


def test_settings_repr_and_dumps_hide_the_key(planted_env: str) -> None:
    s = Settings()
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == PLANTED
    assert_clean(repr(s), str(s), s.model_dump(), s.model_dump_json(), repr(s.llm_api_key))


def test_llm_errors_never_contain_the_key(
    planted_env: str,
    fake_openai: FakeOpenAI,
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    client = LLMClient(Settings(), backoff_base=0.01)
    errors: list[LLMError] = []
    for stream in (True, False):
        for reply in failures():
            fake_openai.default = reply
            with pytest.raises(LLMError) as info:
                if stream:
                    list(client.stream_chat([{"role": "user", "content": "hi"}]))
                else:
                    client.chat([{"role": "user", "content": "hi"}])
            errors.append(info.value)
    refused = LLMClient(
        Settings(
            llm_model="m",
            llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
            llm_api_key=PLANTED,  # type: ignore[arg-type]
            llm_max_retries=0,
        )
    )
    with pytest.raises(LLMError) as info:
        refused.chat([{"role": "user", "content": "hi"}])
    errors.append(info.value)

    # the key really was sent (so the check above means something)
    auth = {r.headers.get("Authorization") for r in fake_openai.chat_requests}
    assert auth == {f"Bearer {PLANTED}"}
    statuses = {e.status for e in errors}
    assert {401, 403, 404, 429, 500} <= statuses
    texts: list[object] = [repr(client), client.describe(), debug_logs.text]
    texts += [r.getMessage() for r in debug_logs.records]
    for e in errors:
        texts += [str(e), repr(e), e.args, "".join(traceback.format_exception(e))]
    assert_clean(*texts)
    assert "Incorrect API key provided" in "\n".join(map(str, errors))  # the words stay


def test_fallback_answers_and_exports_never_contain_the_key(
    planted_env: str,
    fake_openai: FakeOpenAI,
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    pipe = Pipeline(Settings())
    answers: list[Answer] = []
    for reply in failures()[:6]:
        fake_openai.default = reply
        ans = pipe.ask(QUESTION, mode="qa")
        assert ans.backend == "extractive" and ans.notice
        answers.append(ans)
    fake_openai.default = None
    fake_openai.enqueue("Completion rose by 43.6% [1].")
    answers.append(pipe.ask(QUESTION, mode="qa"))
    fake_openai.default = Reply.error(401, message=f"Incorrect API key provided: {PLANTED}")
    answers.append(pipe.ask("What simulator did they use?", history=answers[-1:], mode="qa"))
    assert "Incorrect API key provided" in answers[0].notice
    texts: list[object] = [debug_logs.text, pipe.stats(), repr(pipe.settings)]
    for a in answers:
        texts += [a.notice, json.dumps(a.to_json()), repr(a)]
    assert_clean(*texts)

    turns = [Turn(question=a.question, mode="qa", answer=a) for a in answers]
    turns.append(Turn(question="broken", mode="qa", error=f"LLM failed: {answers[0].notice}"))
    md = export_markdown(turns)
    assert "Notice" in md
    assert_clean(md)


def test_cli_ask_and_stats_never_print_the_key(
    planted_env: str,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    from rag.cli import main

    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    capsys.readouterr()
    assert main(["stats"]) == 0
    outputs = list(capsys.readouterr())
    assert json.loads(outputs[0])["answerer"] == "llm:test-model"
    for reply in (
        Reply.error(401, message=f"Incorrect API key provided: {PLANTED}"),
        Reply.error(500, message=f"boom {PLANTED}"),
    ):
        fake_openai.default = reply
        assert main(["ask", "--json", QUESTION]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out.strip().splitlines()[-1])["backend"] == "extractive"
        outputs += [out, err]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    assert main(["ask", "--json", QUESTION]) == 0
    outputs += list(capsys.readouterr())
    assert_clean(*outputs, debug_logs.text)
