"""`rag check`: does the BM25 index hold exactly Chroma's chunks, and is every paper complete?
With repair, incomplete papers are removed (the next ingest re-adds them) and BM25 is rebuilt."""

from __future__ import annotations

from typing import Any

from rag.indexing import rebuild_sparse, sparse_path, writer_lock
from rag.pipeline import Pipeline
from rag.sparse import SparseIndex


def check(pipe: Pipeline, repair: bool = False) -> dict[str, Any]:
    settings = pipe.settings
    lock = writer_lock(settings, wait=0.0) if repair else None
    try:
        store = pipe.store
        states = store.paper_states()
        chroma_ids = {cid for st in states.values() for cid in st.chunk_ids}
        loaded = SparseIndex.load(sparse_path(settings))
        bm25_ids = set(loaded[0].ids) if loaded else set()
        incomplete = sorted(
            pid
            for pid, st in states.items()
            if len(st.hashes) != 1 or len(st.chunk_ids) != st.n_chunks
        )
        missing_in_bm25 = len(chroma_ids - bm25_ids)
        orphans_in_bm25 = len(bm25_ids - chroma_ids)
        # an empty store with no BM25 index yet is consistent: nothing was ever ingested
        has_index = loaded is not None or not chroma_ids
        # the count `rag stats` shows without scanning (two writers on one server can leave a
        # record that missed the other's papers)
        recorded = store.recorded_papers()
        count_ok = recorded is None or recorded == len(states)
        ok = (
            not incomplete
            and not missing_in_bm25
            and not orphans_in_bm25
            and has_index
            and count_ok
        )
        result: dict[str, Any] = {
            "ok": ok,
            "papers": len(states),
            "papers_recorded": recorded,
            "chunks": len(chroma_ids),
            "bm25_chunks": len(bm25_ids),
            "missing_in_bm25": missing_in_bm25,
            "orphans_in_bm25": orphans_in_bm25,
            "incomplete_papers": incomplete[:50],
            "repaired": False,
        }
        if repair and not ok:
            ids = [cid for pid in incomplete for cid in states[pid].chunk_ids]
            store.delete_ids(ids)
            rebuild_sparse(settings, store)
            pipe.refresh()
            result["repaired"] = True
            result["removed_incomplete_chunks"] = len(ids)
        return result
    finally:
        if lock is not None:
            lock.release()
