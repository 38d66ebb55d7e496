"""Ingest speed: pipeline overhead over bare embedding, re-ingest cost, and llama-index baseline.

One `Pipeline.ingest` of the whole corpus (the same call `rag ingest` makes) runs in this
process. After each batch the pipeline writes, its progress callback embeds the *same chunk
texts* again with the bare model (no loading, chunking, Chroma or BM25) and, every
`--li-every`-th batch, indexes the same papers with llama-index's plain
`VectorStoreIndex.from_documents` into a Chroma collection of its own. The callback's time is
taken out of the pipeline's. Measuring each pair seconds apart means drifts in the machine's
background load land on both sides instead of in the ratio (a bare pass before and after a
one-hour ingest does not guarantee that on a shared 2-core machine).

  pipeline_overhead     = pipeline ingest time / bare embedding time - 1   (target <= 0.25)
  reingest_ratio        = re-ingest of the unchanged corpus / first ingest (target <= 0.05)
  pipeline_vs_llamaindex = (pipeline / bare) / (llama-index / bare on the sampled batches)

Usage: .venv/bin/python bench/ingest_speed.py [--corpus PATH] [--limit N] [--li-every K]
       [--skip-llamaindex] [--log FILE.jsonl] [--json]
The README's figures: no --limit (the whole ACL corpus, ~2 h 10 min on 2 cores),
results in bench/results/ingest_speed_acl64k.json(l).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import rag  # noqa: F401
from rag.chunking import embed_text, paper_nodes
from rag.embedding import embed_for_ingest
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def subset(corpus: Path, limit: int | None, out: Path) -> Path:
    if not limit:
        return corpus
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    return out


def llamaindex_indexer(path: Path, embed_model: Any):
    """A plain llama-index ingest into Chroma with the same model: the documented quick start."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    coll = client.get_or_create_collection("llamaindex-baseline", metadata={"hnsw:space": "cosine"})
    ctx = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=coll))

    def index(papers: list) -> None:
        docs = [Document(text=p.abstract, metadata={"title": p.title}) for p in papers]
        VectorStoreIndex.from_documents(docs, storage_context=ctx, embed_model=embed_model)

    return index, coll


def llamaindex_embedding(emb: Any) -> Any:
    """The pipeline's embedder as a llama-index embed model, so the baseline embeds alike."""
    if hasattr(emb, "li_model"):  # the torch path is llama-index's HuggingFaceEmbedding
        return emb.li_model
    from llama_index.core.embeddings import BaseEmbedding

    class Wrapped(BaseEmbedding):
        def _get_text_embedding(self, text: str) -> list[float]:
            return emb.embed_documents([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embed_for_ingest(emb, texts).tolist()

        def _get_query_embedding(self, query: str) -> list[float]:
            return emb.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return Wrapped(model_name=emb.name, embed_batch_size=emb.batch_size)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--corpus", default=str(ROOT.parent / "shared/data/acl-anthology/corpus.jsonl.gz")
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--li-every", type=int, default=10, help="llama-index on every K-th batch")
    ap.add_argument("--skip-llamaindex", action="store_true")
    ap.add_argument("--log", default=None, help="append one JSON line per batch here")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    corpus = subset(Path(args.corpus), args.limit, tmp / "corpus.jsonl")
    settings = Settings(home=tmp / "store")
    pipe = Pipeline(settings)
    emb = pipe.embedder
    embed_for_ingest(emb, ["warm up"] * 8)

    # the papers in the order the pipeline will embed them, and their chunk texts (untimed)
    papers = load_papers([corpus]).papers
    texts = [
        [embed_text(n) for n in paper_nodes(p, settings.chunk_size, settings.chunk_overlap)]
        for p in papers
    ]
    n_chunks = sum(len(t) for t in texts)
    print(f"{len(papers)} papers, {n_chunks} chunks", file=sys.stderr)

    li_index = None
    li_coll = None
    if not args.skip_llamaindex:
        li_index, li_coll = llamaindex_indexer(tmp / "li-chroma", llamaindex_embedding(emb))

    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115
    acc = {"bare": 0.0, "callback": 0.0, "li": 0.0, "li_bare": 0.0, "li_papers": 0}
    state = {"done": 0, "batch": 0, "mark": 0.0}

    def after_batch(written: int, total: int) -> None:
        enter = time.perf_counter()
        pipe_batch = enter - state["mark"]
        lo, hi = state["done"], written
        batch_texts = [t for ts in texts[lo:hi] for t in ts]
        t = time.perf_counter()
        embed_for_ingest(emb, batch_texts)
        bare = time.perf_counter() - t
        acc["bare"] += bare
        li = None
        if li_index is not None and state["batch"] % args.li_every == 0:
            t = time.perf_counter()
            li_index(papers[lo:hi])
            li = time.perf_counter() - t
            acc["li"] += li
            acc["li_bare"] += bare
            acc["li_papers"] += hi - lo
        if log:
            row = {"batch": state["batch"], "papers": hi, "chunks": len(batch_texts)}
            row |= {"pipeline_s": round(pipe_batch, 3), "bare_s": round(bare, 3)}
            if li is not None:
                row["llamaindex_s"] = round(li, 3)
            log.write(json.dumps(row) + "\n")
            log.flush()
        state["done"], state["batch"] = hi, state["batch"] + 1
        state["mark"] = time.perf_counter()
        acc["callback"] += state["mark"] - enter

    t0 = time.perf_counter()
    state["mark"] = t0
    report = pipe.ingest([corpus], progress=True, on_progress=after_batch)
    first = time.perf_counter() - t0 - acc["callback"]
    assert report.added == len(papers) and state["done"] == len(papers), report
    assert report.chunks_written == n_chunks, (report.chunks_written, n_chunks)

    t = time.perf_counter()
    again = pipe.ingest([corpus], progress=False)
    second = time.perf_counter() - t
    assert again.chunks_written == 0, again

    result: dict[str, Any] = {
        "papers": len(papers),
        "chunks": n_chunks,
        "batches": state["batch"],
        "bare_embedding_s": round(acc["bare"], 2),
        "pipeline_ingest_s": round(first, 2),
        "pipeline_overhead": round(first / acc["bare"] - 1, 4),
        "reingest_unchanged_s": round(second, 2),
        "reingest_ratio": round(second / first, 4),
        "chunks_written": report.chunks_written,
    }
    if li_coll is not None and acc["li"]:
        li_per_bare = acc["li"] / acc["li_bare"]
        result |= {
            "llamaindex_sampled_papers": acc["li_papers"],
            "llamaindex_s": round(acc["li"], 2),
            "llamaindex_bare_same_batches_s": round(acc["li_bare"], 2),
            "llamaindex_chunks": li_coll.count(),
            "pipeline_vs_llamaindex": round((first / acc["bare"]) / li_per_bare, 4),
        }
    if log:
        log.write(json.dumps({"result": result}) + "\n")
        log.close()
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
