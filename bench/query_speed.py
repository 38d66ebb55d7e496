"""Warm query latency of `Pipeline.search` on a built store, peak memory, store size on disk,
and the cold start of `rag search` (process start to result) on the seeds.

Usage: RAG_HOME=DIR .venv/bin/python bench/query_speed.py [--queries N] [--json]
       (the store at RAG_HOME must already be ingested, e.g. by bench/ingest_speed.py or rag ingest)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rag  # noqa: F401
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def cold_start(seed_home: Path) -> float:
    env = dict(os.environ, RAG_HOME=str(seed_home))
    rag_bin = Path(sys.executable).parent / "rag"
    subprocess.run([str(rag_bin), "ingest", str(SEEDS)], env=env, check=True, capture_output=True)
    t = time.perf_counter()
    subprocess.run(
        [str(rag_bin), "search", "reset-free robot fine-tuning", "--json", "-k", "5"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--skip-cold", action="store_true")
    args = ap.parse_args()

    settings = Settings()
    pipe = Pipeline(settings)
    t = time.perf_counter()
    pipe.search("warm up", k=10)
    first_query = time.perf_counter() - t
    # queries: the first sentence of stored abstracts, lightly truncated (realistic length)
    queries: list[str] = []
    for _, doc, _md in pipe.store.iter_rows(include_documents=True):
        if doc:
            queries.append(" ".join(doc.split(". ")[0].split()[:14]))
        if len(queries) >= args.queries:
            break
    lat: list[float] = []
    for q in queries:
        t = time.perf_counter()
        pipe.search(q, k=10)
        lat.append((time.perf_counter() - t) * 1000)
    stats = pipe.stats()
    result = {
        "store": stats["store"],
        "papers": stats["papers"],
        "chunks": stats["chunks"],
        "queries": len(lat),
        "p50_ms": round(statistics.median(lat), 2),
        "p95_ms": round(percentile(lat, 0.95), 2),
        "first_query_s": round(first_query, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "store_size_mb": round(dir_size(settings.home) / 2**20, 1),
    }
    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as d:
            result["cold_start_search_seeds_s"] = round(cold_start(Path(d)), 2)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
