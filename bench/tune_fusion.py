"""Tune hybrid fusion: every (method, normalisation, dense weight) on SciFact train and on the
seed questions, from ONE retrieval pass per query (candidates cached, fusion replayed offline).

Reports nDCG@10 on SciFact train (BEIR qrels) and MRR on the seed factoid/multi questions, split
into questions whose BM25 top hit is right ("lexical": names, numbers, acronyms) and the rest.

Usage: .venv/bin/python bench/tune_fusion.py [--scifact DIR] [--limit N] [--json]
       (uses RAG_HOME for the stores; SciFact is ingested into its own collection first)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import rag  # noqa: F401
from rag.beir import beir_settings, evaluate, read_qrels, read_queries
from rag.pipeline import Pipeline
from rag.retrieval import fuse
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]
VARIANTS = [("weighted", n) for n in ("max", "minmax", "zscore")] + [("rrf", "-")]


def candidates(pipe: Pipeline, queries: dict[str, str], k: int = 100) -> dict[str, tuple]:
    r = pipe.retriever
    out = {}
    for i, (qid, text) in enumerate(queries.items()):
        d = {pid: p.score for pid, p in r.dense_papers(text, k).items()}
        s = {pid: p.score for pid, p in r.sparse_papers(text, k).items()}
        out[qid] = (d, s)
        if i % 200 == 0:
            print(f"  retrieved {i}/{len(queries)}", file=sys.stderr)
    return out


def ranking(d: dict, s: dict, method: str, norm: str, w: float) -> dict[str, float]:
    if w == 1.0:
        return dict(d)
    if w == 0.0:
        return dict(s)
    return fuse(d, s, method, w, 60, norm if norm != "-" else "max")


def mrr(run: dict[str, dict[str, float]], gold: dict[str, set[str]]) -> float:
    total = 0.0
    for qid, scores in run.items():
        ranked = sorted(scores, key=lambda p: -scores[p])[:10]
        total += next((1 / (i + 1) for i, p in enumerate(ranked) if p in gold[qid]), 0.0)
    return total / max(len(run), 1)


def seed_questions(pipe: Pipeline) -> tuple[dict[str, str], dict[str, set[str]]]:
    title_to_id = {
        md["title"]: md["paper_id"] for _, _, md in pipe.store.iter_rows() if "title" in md
    }
    queries, gold = {}, {}
    for line in (ROOT / "eval/seed_questions.jsonl").read_text().splitlines():
        q = json.loads(line)
        if q["type"] in ("factoid", "multi") and q["gold"]:
            queries[q["id"]] = q["turns"][-1]
            gold[q["id"]] = {title_to_id[t] for t in q["gold"] if t in title_to_id}
    return queries, gold


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scifact", default=str(ROOT.parent / "shared/data/scifact"))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    base = Settings()

    sci_dir = Path(args.scifact)
    sci = Pipeline(beir_settings(base, sci_dir))
    sci.ingest([sci_dir / "corpus.jsonl"], progress=True)
    queries = read_queries(sci_dir / "queries_train.jsonl")
    qrels = read_qrels(sci_dir / "qrels_train.tsv")
    qids = [q for q in queries if q in qrels][: args.limit]
    sci_c = candidates(sci, {q: queries[q] for q in qids})
    qrels = {q: qrels[q] for q in qids}

    seed = Pipeline(base.model_copy(update={"collection": "tune-seeds"}))
    seed.ingest([ROOT / "seeds"], progress=False)
    sq, sgold = seed_questions(seed)
    seed_c = candidates(seed, sq)
    bm25_first = {q for q, (_, s) in seed_c.items() if s and max(s, key=s.get) in sgold[q]}

    rows = []
    for method, norm in VARIANTS:
        for w in WEIGHTS:
            sci_run = {q: ranking(d, s, method, norm, w) for q, (d, s) in sci_c.items()}
            seed_run = {q: ranking(d, s, method, norm, w) for q, (d, s) in seed_c.items()}
            lex = {q: r for q, r in seed_run.items() if q in bm25_first}
            para = {q: r for q, r in seed_run.items() if q not in bm25_first}
            rows.append(
                {
                    "method": method,
                    "norm": norm,
                    "dense_weight": w,
                    "scifact_ndcg10": round(evaluate(qrels, sci_run)["ndcg@10"], 4),
                    "scifact_r100": round(evaluate(qrels, sci_run)["recall@100"], 4),
                    "seed_mrr": round(mrr(seed_run, sgold), 4),
                    "seed_mrr_lexical": round(mrr(lex, sgold), 4),
                    "seed_mrr_paraphrase": round(mrr(para, sgold), 4),
                }
            )
    if args.json:
        print(json.dumps({"scifact_queries": len(qids), "seed_queries": len(sq), "rows": rows}))
        return
    print(
        f"SciFact train: {len(qids)} queries; seed factoid+multi: {len(sq)} "
        f"({len(bm25_first)} with BM25's top hit right)"
    )
    print(
        f"{'method':<9}{'norm':<8}{'w_dense':>8}{'SciFact nDCG@10':>16}{'R@100':>8}"
        f"{'seed MRR':>10}{'lexical':>9}{'paraphr.':>9}"
    )
    for r in rows:
        print(
            f"{r['method']:<9}{r['norm']:<8}{r['dense_weight']:>8.1f}{r['scifact_ndcg10']:>16.4f}"
            f"{r['scifact_r100']:>8.4f}{r['seed_mrr']:>10.4f}{r['seed_mrr_lexical']:>9.4f}"
            f"{r['seed_mrr_paraphrase']:>9.4f}"
        )


if __name__ == "__main__":
    main()
