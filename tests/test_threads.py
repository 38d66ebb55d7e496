"""Many conversations at once through ONE Pipeline (issue #6, item 5).

8 threads each hold their own conversation history and ask follow-ups; every answer must equal
what the same sequence produces single-threaded (no errors, no cross-talk between threads).
The test runs 8 x 6 questions; `bench/soak.py --threads 8 --per-thread 200` runs the full size.
Search-only concurrency (no answers, no history) is covered in tests/test_concurrency.py.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from rag.pipeline import Pipeline
from rag.schema import Answer

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "seed_questions.jsonl"
THREADS = 8
PER_THREAD = 6


def conversations() -> list[list[str]]:
    """The eval set's conversations (follow-up chains and single questions), in file order."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    return [list(r["turns"]) for r in rows if r["split"] == "tune"]


def script(thread: int, n: int, convs: list[list[str]]) -> list[tuple[str, bool]]:
    """Thread `thread`'s n turns: (question, starts a new conversation). Follow-up chains come
    first and each thread starts elsewhere, so threads interleave different conversations."""
    chains = [c for c in convs if len(c) > 1] + [c for c in convs if len(c) == 1]
    out: list[tuple[str, bool]] = []
    i = thread * 3
    while len(out) < n:
        conv = chains[i % len(chains)]
        for j, q in enumerate(conv):
            out.append((q, j == 0))
        i += 1
    return out[:n]


def signature(a: Answer) -> dict[str, Any]:
    """What must not differ between a threaded and a single-threaded run."""
    return {
        "question": a.question,
        "standalone": a.standalone_question,
        "mode": a.mode,
        "answer": a.answer,
        "abstained": a.abstained,
        "cited": [(c.n, c.paper_id) for c in a.citations],
        "papers": [p.paper_id for p in a.papers],
        "removed": a.removed_citations,
        "flagged": a.flagged,
    }


def run_script(pipe: Pipeline, turns: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Ask the turns in order, keeping this conversation's own history."""
    history: list[Answer] = []
    out = []
    for q, new in turns:
        if new:
            history = []
        ans = pipe.ask(q, history=history)
        history.append(ans)
        out.append(signature(ans))
    return out


def test_threads_with_their_own_conversations_do_not_cross_talk(
    seed_pipeline: Pipeline,
) -> None:
    convs = conversations()
    scripts = [script(t, PER_THREAD, convs) for t in range(THREADS)]
    assert any(not new for s in scripts for _, new in s), "follow-ups are exercised"
    assert len({tuple(s) for s in scripts}) == THREADS  # the threads ask different things

    results: list[list[dict[str, Any]] | None] = [None] * THREADS
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        try:
            start.wait()
            results[t] = run_script(seed_pipeline, scripts[t])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=900)
    assert not any(th.is_alive() for th in threads)
    assert not errors, errors[:3]

    # the single-threaded reference runs after, so the threads met cold caches
    expected = [run_script(seed_pipeline, s) for s in scripts]
    assert any(sig["standalone"] != sig["question"] for e in expected for sig in e)
    for t in range(THREADS):
        got = results[t]
        assert got is not None
        for i, (g, e) in enumerate(zip(got, expected[t], strict=True)):
            assert g == e, f"thread {t} turn {i}: {g} != {e}"
