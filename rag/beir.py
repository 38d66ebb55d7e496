"""`rag eval beir DIR`: retrieval quality on a BEIR-style directory (corpus.jsonl,
queries_<split>.jsonl, qrels_<split>.tsv), dense vs BM25 vs fused, scored by pytrec_eval.

The corpus goes into a store of its own under RAG_HOME, so benchmarks never touch the user's papers.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytrec_eval

from rag.pipeline import Pipeline
from rag.schema import Hit
from rag.settings import Settings

MEASURES = {"ndcg_cut.10", "recall.10", "recall.100"}
METHODS = ("dense", "bm25", "fused")


def read_queries(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                q = json.loads(line)
                out[str(q.get("_id", q.get("id")))] = str(q["text"])
    return out


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if i == 0 and not parts[-1].strip().lstrip("-").isdigit():
                continue  # header
            if len(parts) >= 3:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def beir_settings(settings: Settings, corpus_dir: Path) -> Settings:
    name = "beir-" + "".join(c if c.isalnum() else "-" for c in corpus_dir.resolve().name)
    return settings.model_copy(update={"collection": name})


def run_hits(hits_by_q: dict[str, list[Hit]]) -> dict[str, dict[str, float]]:
    return {qid: {h.paper_id: float(h.score) for h in hits} for qid, hits in hits_by_q.items()}


def evaluate(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]
) -> dict[str, float]:
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, MEASURES)
    per_q = evaluator.evaluate(run)
    out: dict[str, float] = {}
    for m, key in (
        ("ndcg_cut_10", "ndcg@10"),
        ("recall_10", "recall@10"),
        ("recall_100", "recall@100"),
    ):
        vals = [per_q.get(q, {}).get(m, 0.0) for q in qrels]
        out[key] = sum(vals) / max(len(vals), 1)
    return out


def run_beir(
    settings: Settings,
    corpus_dir: Path,
    split: str = "train",
    limit: int | None = None,
    pipeline: Pipeline | None = None,
    variants: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Ingest (incrementally) and score each retrieval method on the split's judged queries."""
    pipe = pipeline or Pipeline(beir_settings(settings, corpus_dir))
    corpus = corpus_dir / "corpus.jsonl"
    if not corpus.exists():
        raise FileNotFoundError(f"{corpus} not found (expected a BEIR-style directory)")
    report = pipe.ingest([corpus], progress=True)
    queries = read_queries(corpus_dir / f"queries_{split}.jsonl")
    qrels = read_qrels(corpus_dir / f"qrels_{split}.tsv")
    qids = [q for q in queries if q in qrels]
    if limit:
        qids = qids[:limit]
    qrels = {q: qrels[q] for q in qids}
    variants = variants or {m: {"method": m} for m in METHODS}
    results: dict[str, Any] = {}
    for name, kwargs in variants.items():
        t = time.perf_counter()
        hits = {q: pipe.search(queries[q], k=100, **kwargs) for q in qids}
        ms = (time.perf_counter() - t) * 1000 / max(len(qids), 1)
        results[name] = {**evaluate(qrels, run_hits(hits)), "ms_per_query": round(ms, 2)}
        print(f"rag eval beir: {name}: {results[name]}", file=sys.stderr)
    return {
        "dataset": str(corpus_dir),
        "split": split,
        "queries": len(qids),
        "papers": report.added + report.updated + report.unchanged,
        "fusion": pipe.settings.fusion,
        "dense_weight": pipe.settings.dense_weight,
        "methods": results,
    }


def format_table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['dataset']} ({result['split']}, {result['queries']} queries, "
        f"{result['papers']} papers)",
        f"{'method':<12} {'nDCG@10':>8} {'R@10':>8} {'R@100':>8} {'ms/q':>8}",
    ]
    for name, r in result["methods"].items():
        lines.append(
            f"{name:<12} {r['ndcg@10']:8.4f} {r['recall@10']:8.4f} {r['recall@100']:8.4f} "
            f"{r['ms_per_query']:8.1f}"
        )
    return "\n".join(lines)
