"""The LLM path against a real model: `rag llm serve --model small` (llama.cpp's llama-server with
Qwen2.5-Coder-0.5B-Instruct, from `rag llm setup --model small`) over the 79 seed abstracts.

These never skip silently: without the runtime they fail, in CI always; a developer without it
opts out explicitly with RAG_SKIP_REAL_LLM=1. Greedy decoding (temperature 0) makes the model's
replies repeatable, but the assertions check the contract (streaming, [n] parsing and
renumbering, verbatim evidence, abstention, screening JSON, follow-up rewriting, fallback), not a
particular wording.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag import local_llm as ll
from rag.citations import check_citations, parse_citations
from rag.generation import (
    attribute_uncited,
    clean_answer,
    is_cannot_answer,
    screen_papers,
    stream_answer,
    uncited_claims,
)
from rag.pipeline import Pipeline
from rag.schema import Answer
from rag.settings import Settings

# a generous per-test limit: on a loaded 2-core machine one 0.5B answer can take minutes
pytestmark = [pytest.mark.real_llm, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
SKIP_VAR = "RAG_SKIP_REAL_LLM"
MODEL = "small"
FACTOID = "How many real robot demonstrations was the open-source vision-language-action model OpenVLA trained on?"
OPENVLA = "OpenVLA: An Open-Source Vision-Language-Action Model"


@dataclass
class Served:
    proc: subprocess.Popen[str]
    base_url: str
    model: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _require_runtime() -> None:
    layout = ll.Layout(ll.llm_home())
    spec = ll.resolve_model(MODEL)
    if ll.runtime_ok(layout) and ll.model_ok(layout, spec):
        return
    why = (
        f"no local model under {layout.home}: run `rag llm setup --model {MODEL}` "
        "(scripts/test.sh does)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI must exercise the real model")
    if os.environ.get(SKIP_VAR) == "1":
        pytest.skip(f"{SKIP_VAR}=1: {why}")
    pytest.fail(f"{why}, or set {SKIP_VAR}=1 to skip the real-model tests")


def serve(port: int | None = None) -> Served:
    """`rag llm serve --model small` as a user runs it; its stdout's export lines are read back."""
    _require_runtime()
    port = port or ll.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "llm", "serve", "--model", MODEL, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    env: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:  # blocks until the server is healthy (or the command exits)
        m = re.match(r"export (\w+)=(\S+)", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
        if len(env) == 2:
            break
    if len(env) != 2:
        proc.wait(10)
        pytest.fail(f"`rag llm serve` printed no environment lines (exit {proc.returncode})")
    assert env["OPENAI_BASE_URL"] == f"http://127.0.0.1:{port}/v1"
    return Served(proc, env["OPENAI_BASE_URL"], env["RAG_LLM_MODEL"])


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    s = serve()
    yield s
    s.stop()


@pytest.fixture
def llm_pipe(served: Served, seed_home: Path) -> Pipeline:
    return Pipeline(Settings(home=seed_home, llm_model=served.model, llm_base_url=served.base_url))


def _ws(text: str) -> str:
    return " ".join(text.split())


def _ids(pipe: Pipeline) -> list[str]:
    return sorted(pipe.store.paper_states())


def _abstracts(pipe: Pipeline, answer: Answer) -> dict[str, str]:
    ids = [c.paper_id for c in answer.citations] + [p.paper_id for p in answer.papers]
    return {pid: p.abstract for pid, p in pipe.papers(ids).items()}


def _assert_checkable(pipe: Pipeline, answer: Answer) -> None:
    """Citations numbered 1..n by first use, every [n] listed, all evidence verbatim."""
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert set(parse_citations(answer.answer)) <= {c.n for c in answer.citations}
    abstracts = _abstracts(pipe, answer)
    for c in answer.citations:
        assert c.evidence and _ws(c.evidence) in _ws(abstracts[c.paper_id]), c
    for p in answer.papers:
        assert _ws(p.evidence) in _ws(abstracts[p.paper_id]), p


def test_served_models_and_health(served: Served) -> None:
    import urllib.request

    with urllib.request.urlopen(served.base_url + "/models", timeout=10) as r:
        ids = [m["id"] for m in json.load(r)["data"]]
    assert served.model in ids
    port = served.base_url.split(":")[-1].split("/")[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as r:
        assert r.status == 200


def test_streamed_cited_answer(llm_pipe: Pipeline) -> None:
    items = list(llm_pipe.ask_stream(FACTOID))
    deltas, final = [x for x in items if isinstance(x, str)], items[-1]
    assert isinstance(final, Answer)
    assert len(deltas) >= 3  # token by token, not one block
    assert final.backend == f"llm:{llm_pipe.settings.llm_model}" and final.notice == "", (
        "".join(deltas),
        final.notice,
    )
    assert not final.abstained and final.citations
    _assert_checkable(llm_pipe, final)


def test_renumbering_of_real_citations(llm_pipe: Pipeline) -> None:
    """The gold abstract is given as source 3 of 3; whatever the model cites is renumbered from 1
    in order of first use and keeps pointing at the same paper."""
    by_title = {p.title: p for p in llm_pipe.papers(_ids(llm_pipe)).values()}
    others = [p for t, p in by_title.items() if t != OPENVLA][:2]
    sources = [(1, others[0]), (2, others[1]), (3, by_title[OPENVLA])]
    raw = "".join(stream_answer(llm_pipe.settings, "qa", FACTOID, sources))
    # as the answerer does: clean the reply, give uncited sentences their supporting source
    raw, _ = attribute_uncited(clean_answer(raw), sources, llm_pipe.embedder)
    cited = parse_citations(raw)
    assert cited, raw
    checked = check_citations(raw, sources, llm_pipe.embedder)
    first_use = list(dict.fromkeys(n for n in cited if 1 <= n <= 3))
    assert [(c.n, c.paper_id) for c in checked.citations] == [
        (i, sources[n - 1][1].id) for i, n in enumerate(first_use, 1)
    ]
    assert set(checked.removed) == {n for n in cited if not 1 <= n <= 3}
    assert checked.citations[0].paper_id == by_title[OPENVLA].id  # [3] became [1]


def test_abstention_contract(llm_pipe: Pipeline) -> None:
    """Sources that cannot answer: the reply is the cannot-answer sentence, or whatever the model
    claims is flagged as unsupported, never shown as a supported answer."""
    papers = list(llm_pipe.papers(_ids(llm_pipe)[:3]).values())
    sources = list(enumerate(papers, 1))
    question = "What is the boiling point of tungsten in degrees Celsius?"
    raw = "".join(stream_answer(llm_pipe.settings, "qa", question, sources))
    if not is_cannot_answer(raw):  # as the answerer does: attribute, check, flag the rest
        text, _ = attribute_uncited(clean_answer(raw), sources, llm_pipe.embedder)
        checked = check_citations(text, sources, llm_pipe.embedder)
        assert checked.flagged or uncited_claims(checked.text), raw
    # through the pipeline the answerability gate abstains before the model is asked
    ans = llm_pipe.ask(question)
    assert ans.abstained and not ans.citations


def test_screening_json(llm_pipe: Pipeline) -> None:
    ans = llm_pipe.ask("Which papers evaluate their method on real robots?")
    assert ans.mode == "compare" and ans.screened == 79
    assert ans.backend.startswith("llm:") and ans.notice == ""  # the JSON was read
    assert ans.papers  # some real-robot paper matched
    _assert_checkable(llm_pipe, ans)
    papers = list(llm_pipe.papers(_ids(llm_pipe)[:4]).values())
    out = screen_papers(llm_pipe.settings, "uses a language model", papers, on_malformed="raise")
    assert [pid for pid, _, _ in out] == [p.id for p in papers]


def test_follow_up_is_rewritten_by_the_model(llm_pipe: Pipeline) -> None:
    first = llm_pipe.ask("What is OpenVLA?")
    follow = llm_pipe.ask("How many demonstrations was it trained on?", history=[first])
    assert follow.standalone_question != follow.question
    if follow.notice:  # the model answered instead of rewriting: refused, carried over offline
        assert follow.notice.endswith("follow-up rewritten offline"), follow.notice
    else:  # the model's own rewrite resolved "it"
        assert "openvla" in follow.standalone_question.lower()
        assert len(follow.standalone_question.split()) >= 3


def test_fallback_when_the_server_stops_mid_answer(seed_home: Path) -> None:
    own = serve()
    try:
        pipe = Pipeline(
            Settings(
                home=seed_home, llm_model=own.model, llm_base_url=own.base_url, llm_max_retries=0
            )
        )
        stream = pipe.ask_stream(
            "Summarise what the papers say about robot learning from demonstrations."
        )
        first = next(stream)
        assert isinstance(first, str) and first
        own.stop()  # SIGTERM to `rag llm serve`, which stops llama-server mid-answer
        rest = list(stream)
    finally:
        own.stop()
    final = rest[-1]
    assert isinstance(final, Answer)
    assert final.backend == "extractive" and "showing the extractive answer" in final.notice
    assert final.answer and not final.abstained


def test_rag_chat_json_answers_from_the_model(served: Served, seed_home: Path) -> None:
    env = {
        **os.environ,
        "RAG_HOME": str(seed_home),
        "RAG_LLM_MODEL": served.model,
        "OPENAI_BASE_URL": served.base_url,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "chat", "--json"],
        input=FACTOID + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    ans = json.loads(proc.stdout.strip().splitlines()[-1])
    assert ans["backend"] == f"llm:{served.model}" and not ans.get("notice"), ans
    pipe = Pipeline(Settings(home=seed_home))
    abstracts = {
        pid: p.abstract for pid, p in pipe.papers([c["paper_id"] for c in ans["citations"]]).items()
    }
    assert ans["citations"]
    for c in ans["citations"]:
        assert _ws(c["evidence"]) in _ws(abstracts[c["paper_id"]])


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(x.decode().split("=", 1) for x in raw if b"=" in x)


def test_ui_with_local_llm_starts_and_stops_both(seed_home: Path) -> None:
    import urllib.request

    from rag.display import answerer_description

    _require_runtime()
    port = ll.free_port()
    env = {**os.environ, "RAG_HOME": str(seed_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ui", "--local-llm", MODEL, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        up = False
        while time.monotonic() < deadline and proc.poll() is None and not up:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    up = True
            except OSError:
                time.sleep(1)
        assert up, f"the UI did not come up (exit {proc.poll()})"
        kids = _children(proc.pid)
        assert len(kids) == 2  # llama-server and Streamlit
        ui_env = next(e for e in map(_environ, kids) if "RAG_LLM_MODEL" in e)
        assert ui_env["RAG_LLM_MODEL"] == ll.resolve_model(MODEL).key
        shown = answerer_description(
            Settings(llm_model=ui_env["RAG_LLM_MODEL"], llm_base_url=ui_env["OPENAI_BASE_URL"])
        )
        assert shown.startswith(f"LLM {ui_env['RAG_LLM_MODEL']} at 127.0.0.1:")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    time.sleep(1)
    assert not [k for k in kids if Path(f"/proc/{k}").exists()]  # both stopped with it
