"""Soak test: thousands of questions through one `Pipeline` on the seed store (issue #6, items 5-6).

Sequential mode (default) asks `--questions` questions (2,000 by default), cycling through the
turns of eval/seed_questions.jsonl; follow-up turns carry their conversation's history, like a
chat. It reports resident memory (RSS) after a warm-up and at the end (growth %, target <= 10%)
and latency drift (p50 of the first 200 measured questions vs the last 200).

Thread mode (`--threads T --per-thread N`) runs T conversations at once through the same
Pipeline, each thread with its own history, and (unless `--no-check`) compares every answer with
what the same sequence gives single-threaded: no errors, no cross-talk.

Prints one JSON summary on stdout; exits 1 on errors, cross-talk, or (sequential) RSS growth over
`--max-growth`.

Usage:
  .venv/bin/python bench/soak.py                          # 2,000 questions
  .venv/bin/python bench/soak.py --questions 300          # quick check
  .venv/bin/python bench/soak.py --threads 8 --per-thread 200
  RAG_HOME=DIR ...  uses (or fills) that store; default: a temporary store with the seeds
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rag  # noqa: F401  (offline switches first)
from rag.pipeline import Pipeline
from rag.schema import Answer
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "seed_questions.jsonl"
SEEDS = ROOT / "seeds"


def rss_mb() -> float:
    """Current resident set size of this process in MiB (Linux /proc; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def conversations(path: Path = QUESTIONS) -> list[list[str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [list(r["turns"]) for r in rows]


def interleave(convs: list[list[str]]) -> list[list[str]]:
    """Follow-up chains alternated with single questions, so every stretch has follow-ups."""
    chains = [c for c in convs if len(c) > 1]
    singles = [c for c in convs if len(c) == 1]
    out: list[list[str]] = []
    for i in range(max(len(chains), len(singles))):
        out += [c[i] for c in (chains, singles) if i < len(c)]
    return out


def turns(convs: list[list[str]], offset: int = 0) -> Iterator[tuple[str, bool]]:
    """Endless (question, starts a new conversation) pairs, starting at conversation `offset`."""
    i = offset
    while True:
        for j, q in enumerate(convs[i % len(convs)]):
            yield q, j == 0
        i += 1


def take(it: Iterator[tuple[str, bool]], n: int) -> list[tuple[str, bool]]:
    return [next(it) for _ in range(n)]


def signature(a: Answer) -> tuple[Any, ...]:
    return (
        a.standalone_question,
        a.mode,
        a.answer,
        a.abstained,
        tuple((c.n, c.paper_id) for c in a.citations),
        tuple(p.paper_id for p in a.papers),
        tuple(a.removed_citations),
    )


def open_pipeline(home: str | None) -> tuple[Pipeline, float]:
    """The pipeline on RAG_HOME (or a temp dir), with the seeds ingested if it is empty."""
    settings = Settings(home=Path(home)) if home else Settings()
    pipe = Pipeline(settings)
    t = time.perf_counter()
    if pipe.store.count() == 0:
        files = sorted(SEEDS.glob("*.txt"))
        print(f"soak: ingesting {len(files)} seed file(s) into {settings.home}", file=sys.stderr)
        pipe.ingest(files, progress=False)
    return pipe, time.perf_counter() - t


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def run_sequential(pipe: Pipeline, n: int, warmup: int, window: int) -> dict[str, Any]:
    convs = interleave(conversations())
    it = turns(convs)
    history: list[Answer] = []
    errors: list[str] = []

    def ask(q: str, new: bool) -> float:
        nonlocal history
        if new:
            history = []
        t = time.perf_counter()
        try:
            ans = pipe.ask(q, history=history)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            history = []
            return (time.perf_counter() - t) * 1000
        history.append(ans)
        return (time.perf_counter() - t) * 1000

    for q, new in take(it, warmup):
        ask(q, new)
    gc.collect()
    rss_before = rss_mb()
    lat: list[float] = []
    samples: list[tuple[int, float]] = [(0, round(rss_before, 1))]
    t0 = time.perf_counter()
    for i, (q, new) in enumerate(take(it, n), 1):
        lat.append(ask(q, new))
        if i % 100 == 0:
            samples.append((i, round(rss_mb(), 1)))
            print(f"soak: {i}/{n} p50 {statistics.median(lat[-100:]):.0f} ms", file=sys.stderr)
    wall = time.perf_counter() - t0
    gc.collect()
    rss_after = rss_mb()
    w = max(1, min(window, n // 2))
    first, last = lat[:w], lat[-w:]
    return {
        "mode": "sequential",
        "questions": n,
        "warmup": warmup,
        "errors": len(errors),
        "error_samples": errors[:5],
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
        "rss_growth_pct": round((rss_after - rss_before) / rss_before * 100, 2),
        "rss_samples": samples,
        "latency_window": w,
        "p50_first_ms": round(pct(first, 50), 1),
        "p50_last_ms": round(pct(last, 50), 1),
        "p50_drift_pct": round((pct(last, 50) - pct(first, 50)) / pct(first, 50) * 100, 2),
        "p95_ms": round(pct(lat, 95), 1),
        "wall_s": round(wall, 1),
        "questions_per_s": round(n / wall, 2) if wall else None,
    }


def run_threads(pipe: Pipeline, threads: int, per_thread: int, check: bool) -> dict[str, Any]:
    convs = interleave(conversations())
    scripts = [take(turns(convs, offset=7 * t), per_thread) for t in range(threads)]

    def run(script: list[tuple[str, bool]], out: list[Any], lat: list[float]) -> None:
        history: list[Answer] = []
        for q, new in script:
            if new:
                history = []
            t = time.perf_counter()
            ans = pipe.ask(q, history=history)
            lat.append((time.perf_counter() - t) * 1000)
            history.append(ans)
            out.append(signature(ans))

    gc.collect()
    rss_before = rss_mb()
    results: list[list[Any]] = [[] for _ in range(threads)]
    lats: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    barrier = threading.Barrier(threads)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            run(scripts[i], results[i], lats[i])
        except BaseException as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"thread {i}: {type(exc).__name__}: {exc}"[:300])

    t0 = time.perf_counter()
    ths = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    wall = time.perf_counter() - t0
    gc.collect()
    rss_after = rss_mb()
    # the single-threaded reference runs after the threads, so they met cold caches
    expected: list[list[Any]] = []
    ref_s = 0.0
    if check:
        t = time.perf_counter()
        for s in scripts:
            expected.append([])
            run(s, expected[-1], [])
        ref_s = time.perf_counter() - t
    mismatches: list[str] = []
    if check:
        for i in range(threads):
            for j, (got, want) in enumerate(zip(results[i], expected[i], strict=False)):
                if got != want:
                    mismatches.append(f"thread {i} turn {j}: {scripts[i][j][0][:80]}")
    all_lat = [x for lat in lats for x in lat]
    return {
        "mode": "threads",
        "threads": threads,
        "per_thread": per_thread,
        "asked": len(all_lat),
        "follow_ups": sum(not new for s in scripts for _, new in s),
        "errors": len(errors),
        "error_samples": errors[:5],
        "checked": check,
        "mismatches": len(mismatches),
        "mismatch_samples": mismatches[:5],
        "reference_s": round(ref_s, 1),
        "wall_s": round(wall, 1),
        "questions_per_s": round(len(all_lat) / wall, 2) if wall else None,
        "p50_ms": round(pct(all_lat, 50), 1),
        "p95_ms": round(pct(all_lat, 95), 1),
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=2000, help="measured questions (sequential)")
    ap.add_argument("--warmup", type=int, default=30, help="questions before the RSS baseline")
    ap.add_argument("--window", type=int, default=200, help="questions per latency-drift window")
    ap.add_argument("--max-growth", type=float, default=10.0, help="RSS growth %% that fails")
    ap.add_argument("--threads", type=int, default=0, help="thread mode: conversations at once")
    ap.add_argument("--per-thread", type=int, default=200, help="thread mode: turns per thread")
    ap.add_argument("--no-check", action="store_true", help="thread mode: skip the reference run")
    ap.add_argument("--home", default=os.environ.get("RAG_HOME"), help="store (default: temp)")
    args = ap.parse_args(argv)

    tmp = None
    home = args.home
    if not home:
        tmp = tempfile.TemporaryDirectory(prefix="rag-soak-")
        home = tmp.name
    try:
        pipe, ingest_s = open_pipeline(home)
        summary: dict[str, Any] = {
            "store": str(pipe.settings.store_location),
            "papers": pipe.stats().get("papers"),
            "answerer": pipe.stats().get("answerer"),
            "ingest_s": round(ingest_s, 1),
        }
        if args.threads:
            summary.update(run_threads(pipe, args.threads, args.per_thread, not args.no_check))
            ok = not summary["errors"] and not summary["mismatches"]
        else:
            summary.update(run_sequential(pipe, args.questions, args.warmup, args.window))
            summary["rss_ok"] = summary["rss_growth_pct"] <= args.max_growth
            ok = not summary["errors"] and summary["rss_ok"]
        summary["ok"] = ok
        print(json.dumps(summary, indent=2))
        return 0 if ok else 1
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
