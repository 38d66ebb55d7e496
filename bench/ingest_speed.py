"""Ingest speed: pipeline overhead over bare embedding, re-ingest cost, and llama-index baseline.

All three run in this one process on the same chunk texts, so the ratios are comparable:
  1. bare embedding of every chunk text (the floor: the model has to see each chunk once)
  2. `Pipeline.ingest` into a fresh store (load + chunk + embed + Chroma writes + BM25)
  3. `Pipeline.ingest` again, unchanged (should embed nothing)
  4. llama-index's plain `VectorStoreIndex.from_documents` on the same texts into a fresh
     Chroma collection with the same embedding model

Usage: .venv/bin/python bench/ingest_speed.py [--corpus ../shared/data/acl-anthology/corpus.jsonl.gz]
       [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import rag  # noqa: F401
from rag.chunking import embed_text, paper_nodes
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--corpus", default=str(ROOT.parent / "shared/data/acl-anthology/corpus.jsonl.gz")
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--skip-llamaindex", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    corpus = subset(Path(args.corpus), args.limit, tmp / "corpus.jsonl")
    settings = Settings(home=tmp / "store")
    pipe = Pipeline(settings)
    emb = pipe.embedder
    emb.embed_documents(["warm up"] * 8)

    papers = load_papers([corpus]).papers
    texts = [
        embed_text(n)
        for p in papers
        for n in paper_nodes(p, settings.chunk_size, settings.chunk_overlap)
    ]
    print(f"{len(papers)} papers, {len(texts)} chunks", file=sys.stderr)

    def bare_embedding() -> float:
        t = time.perf_counter()
        for i in range(0, len(texts), settings.embed_batch_size * 4):
            emb.embed_documents(texts[i : i + settings.embed_batch_size * 4])
        return time.perf_counter() - t

    # bare embedding before AND after the pipeline run: their mean brackets any drift in the
    # machine's background load, which would otherwise land in the ratio
    bare_before = bare_embedding()
    t = time.perf_counter()
    report = pipe.ingest([corpus], progress=True)
    first = time.perf_counter() - t

    t = time.perf_counter()
    again = pipe.ingest([corpus], progress=False)
    second = time.perf_counter() - t
    assert again.chunks_written == 0, again
    bare_after = bare_embedding()
    bare = (bare_before + bare_after) / 2

    result = {
        "papers": len(papers),
        "chunks": len(texts),
        "bare_embedding_s": round(bare, 2),
        "bare_embedding_runs_s": [round(bare_before, 2), round(bare_after, 2)],
        "pipeline_ingest_s": round(first, 2),
        "pipeline_overhead": round(first / bare - 1, 4),
        "reingest_unchanged_s": round(second, 2),
        "reingest_ratio": round(second / first, 4),
        "chunks_written": report.chunks_written,
    }
    if not args.skip_llamaindex:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        client = chromadb.PersistentClient(
            path=str(tmp / "li-chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        coll = client.get_or_create_collection(
            "llamaindex-baseline", metadata={"hnsw:space": "cosine"}
        )
        ctx = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=coll))
        docs = [Document(text=p.abstract, metadata={"title": p.title}) for p in papers]
        t = time.perf_counter()
        VectorStoreIndex.from_documents(docs, storage_context=ctx, embed_model=emb.li_model)
        li = time.perf_counter() - t
        result["llamaindex_from_documents_s"] = round(li, 2)
        result["llamaindex_chunks"] = coll.count()
        result["pipeline_vs_llamaindex"] = round(first / li, 4)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
