"""Embedding speed and quality of the three CPU paths: torch fp32 (sentence-transformers, the old
default), ONNX fp32 and ONNX int8 (rag/onnx_graph.py), side by side in one process.

throughput  the same SciFact chunk texts, in ingest-sized calls (embed_batch_size * 4 texts),
            each call embedded by every variant in turn with the order rotating, so load drift
            on a shared machine lands on all of them alike; chunks/s and the ratio to torch.
            Also ONNX without sorting texts by length (each call padded to its longest text),
            and cosine to torch per chunk (min / mean) on the sample and on every seed chunk.
session     seconds to open an ONNX Runtime session on the cached graph (median of 5).
ndcg        SciFact train nDCG@10 (fused, dense, BM25) for each variant, each in its own store
            under --home (ingested once; a rerun reuses it), plus the cross pairs (store built
            with one variant, queried with another): what a store built before a switch gives.

Usage: .venv/bin/python bench/embed_speed.py [--sample 1024] [--skip-ndcg] [--home DIR]
       [--variants torch,fp32,int8] [--out bench/results/embed_speed_throughput.json]
(nDCG: a full SciFact ingest per variant, ~8 min with torch on a quiet 2-core machine.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import rag  # noqa: F401
from rag.beir import run_beir
from rag.chunking import embed_text, paper_nodes
from rag.embedding import OnnxEmbedder, TorchEmbedder
from rag.loading import load_papers
from rag.onnx_graph import graph_path
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = ROOT.parent / "shared" / "data" / "scifact"


def chunk_texts(paths: list[Path], settings: Settings) -> list[str]:
    papers = load_papers(paths).papers
    return [
        embed_text(n)
        for p in papers
        for n in paper_nodes(p, settings.chunk_size, settings.chunk_overlap)
    ]


def make(variant: str, settings: Settings) -> Any:
    """torch: sentence-transformers on CPU; fp32/int8: the ONNX graphs; *-unsorted: no sorting."""
    if variant == "torch":
        return TorchEmbedder("cpu", settings.embed_batch_size)
    quant, _, how = variant.partition("-")
    return OnnxEmbedder(
        graph_path(quant, settings.model_cache),
        batch_size=settings.embed_batch_size,
        sort_by_length=how != "unsorted",
    )


def throughput(
    embedders: dict[str, Any], texts: list[str], call: int
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    spent = dict.fromkeys(embedders, 0.0)
    vecs: dict[str, list[np.ndarray]] = {k: [] for k in embedders}
    names = list(embedders)
    for i, start in enumerate(range(0, len(texts), call)):
        batch = texts[start : start + call]
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order
            t = time.perf_counter()
            vecs[name].append(embedders[name].embed_documents(batch))
            spent[name] += time.perf_counter() - t
    out = {k: round(len(texts) / v, 1) for k, v in spent.items()}
    base = out.get("torch")
    result: dict[str, Any] = {"chunks": len(texts), "chunks_per_s": out}
    if base:
        result["ratio_to_torch"] = {k: round(v / base, 2) for k, v in out.items()}
    return result, {k: np.concatenate(v) for k, v in vecs.items()}


def cosines(vecs: dict[str, np.ndarray], ref: str = "torch") -> dict[str, dict[str, float]]:
    out = {}
    for name, v in vecs.items():
        if name != ref:
            cos = (v * vecs[ref]).sum(1)
            out[name] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
    return out


def session_open_s(quant: str, settings: Settings) -> float:
    import onnxruntime as ort

    path = str(graph_path(quant, settings.model_cache))
    times = []
    for _ in range(5):
        t = time.perf_counter()
        ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def ndcg(variants: list[str], embedders: dict[str, Any], home: Path, split: str) -> dict[str, Any]:
    """Each variant's own store (ingested with it), then queried by every other variant."""
    out: dict[str, Any] = {}
    for built in variants:
        settings = Settings(home=home / built)
        for queried in [built] + [v for v in variants if v != built]:
            pipe = Pipeline(settings)
            pipe._embedder = embedders[queried]  # the bench chooses the path, not the settings
            t = time.perf_counter()
            res = run_beir(settings, SCIFACT, split=split, pipeline=pipe)
            row = {m: round(r["ndcg@10"], 4) for m, r in res["methods"].items()}
            row["recall@100_fused"] = round(res["methods"]["fused"]["recall@100"], 4)
            row["seconds"] = round(time.perf_counter() - t, 1)
            out[f"{built}-store/{queried}-queries"] = row
            print(f"embed_speed: ndcg {built} store, {queried} queries: {row}", file=sys.stderr)
            pipe.refresh()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=1024, help="SciFact chunks for throughput")
    ap.add_argument("--variants", default="torch,fp32,int8")
    ap.add_argument("--skip-ndcg", action="store_true")
    ap.add_argument(
        "--ndcg-variants",
        default="fp32,int8",
        help="torch too costs a ~8-min SciFact ingest; its 0.732 is bench/results/"
        "beir_scifact_train.json, measured by the same `rag eval beir`",
    )
    ap.add_argument("--home", default="/tmp/rag-embed-speed", help="stores for the nDCG runs")
    ap.add_argument("--split", default="train")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    settings = Settings()
    variants = args.variants.split(",")
    onnx_variants = [v for v in variants if v != "torch"]
    timed_variants = variants + [f"{v}-unsorted" for v in onnx_variants]
    embedders = {v: make(v, settings) for v in timed_variants}
    for emb in embedders.values():
        emb.embed_documents(["warm up"] * 8)

    random.seed(0)
    sample = chunk_texts([SCIFACT / "corpus.jsonl"], settings)
    sample = random.sample(sample, min(args.sample, len(sample)))
    call = settings.embed_batch_size * 4  # what one ingest batch hands the embedder
    speed, vecs = throughput(embedders, sample, call)
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "throughput": speed,
    }
    print(f"embed_speed: {speed}", file=sys.stderr)
    if "torch" in vecs:
        result["cosine_to_torch_sample"] = cosines(vecs)
        seeds = chunk_texts([ROOT / "seeds"], settings)
        seed_vecs = {v: embedders[v].embed_documents(seeds) for v in variants}
        result["cosine_to_torch_seed_chunks"] = {"chunks": len(seeds), **cosines(seed_vecs)}
    result["session_open_s"] = {q: session_open_s(q, settings) for q in onnx_variants}
    if not args.skip_ndcg:
        result["ndcg@10_scifact_" + args.split] = ndcg(
            args.ndcg_variants.split(","), embedders, Path(args.home), args.split
        )
    result["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
