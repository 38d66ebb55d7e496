"""Ingest: load -> diff against the store -> chunk -> embed -> write Chroma -> rebuild BM25.

Why it is safe to kill: chunk ids are deterministic (paper id + content hash + index), a paper's
new chunks are written before its old ones are deleted, and a paper whose chunks are not all present
counts as missing, so the next run rewrites exactly what is incomplete. The BM25 index is rebuilt
from Chroma at the end and tagged with the store's generation, so a stale one is detected on open.
One writer at a time: a file lock under RAG_HOME.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from rag.embedding import Embedder, embed_for_ingest
from rag.schema import IngestReport, LoadIssue, Paper
from rag.settings import Settings
from rag.store import PaperState, Store

if TYPE_CHECKING:  # imported by `ingest` when it runs, not by every reader of the store
    from llama_index.core.schema import TextNode

    from rag.sparse import SparseIndex

# test hook: pause (seconds) after this many papers have been written, so a test can kill -9
_PAUSE_AFTER_ENV = "RAG_TEST_PAUSE_AFTER_PAPERS"


class IngestLockedError(RuntimeError):
    pass


def writer_lock(settings: Settings, wait: float = 0.0) -> FileLock:
    """Take the store's writer lock or raise a message naming the store."""
    settings.home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.home / "ingest.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        raise IngestLockedError(
            f"another ingest is writing to the store at {settings.store_location}; "
            "wait for it to finish (or pass --wait SECONDS)"
        ) from exc
    return lock


def sparse_path(settings: Settings) -> Path:
    return settings.home / f"bm25-{settings.collection}"


def plan(papers: list[Paper], states: dict[str, PaperState]) -> tuple[list[Paper], int, int]:
    """Which papers must be (re)written; returns (todo, added, updated)."""
    todo: list[Paper] = []
    added = updated = 0
    for p in papers:
        st = states.get(p.id)
        if st is None:
            todo.append(p)
            added += 1
        elif not st.complete_for(p.content_hash):
            todo.append(p)
            updated += 1
    return todo, added, updated


def ingest(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    paths: Sequence[str | Path],
    *,
    prune: bool = False,
    reindex: bool = False,
    progress: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[IngestReport, SparseIndex | None]:
    """Bring the store in line with `paths` (with `reindex`, drop it first: only once the
    sources were read, so a typo cannot empty the store). Caller holds the writer lock."""
    from tqdm import tqdm

    from rag.loading import load_papers
    from rag.sparse import SparseIndex

    t0 = time.perf_counter()
    loaded = load_papers(paths)
    report = IngestReport(issues=list(loaded.issues), duplicates=loaded.duplicates)
    report.skipped = sum(1 for i in loaded.issues if i.level == "error")
    if reindex:
        unread = [i for i in loaded.issues if i.lost]
        if unread or not loaded.papers:
            where = unread[0].where if unread else ", ".join(str(p) for p in paths)
            report.issues.append(
                LoadIssue(
                    where,
                    "--reindex refused: the sources could not be read completely, "
                    "so nothing was dropped",
                    "error",
                )
            )
            report.seconds = time.perf_counter() - t0
            return report, None
        store.drop()
    store.claim_model(embedder.name, embedder.dim)

    states = store.paper_states()
    todo, report.added, report.updated = plan(loaded.papers, states)
    report.unchanged = len(loaded.papers) - len(todo)

    gone: list[str] = []
    unread = [i for i in loaded.issues if i.lost]
    if prune and unread:
        # a missing path or a file cut short is not "these papers were removed": never delete
        # what could not be read (a typo in `--prune PATH` would otherwise empty the store)
        report.issues.append(
            LoadIssue(
                unread[0].where,
                f"--prune skipped: {len(unread)} source(s) could not be read completely",
                "warning",
            )
        )
    elif prune:
        keep = {p.id for p in loaded.papers}
        gone = [pid for pid in states if pid not in keep]
    if todo or gone:
        # mark the store changed before the first write: a run killed after writing but before
        # the BM25 rebuild below must not leave a manifest that still matches (the chunk count
        # alone does not tell, e.g. an updated abstract with as many chunks as before)
        store.bump_generation()

    pause_after = int(os.environ.get(_PAUSE_AFTER_ENV, "0") or 0)
    # closed also when a write fails, so the error starts on its own line
    with tqdm(
        total=len(todo),
        unit="paper",
        desc="ingest",
        file=sys.stderr,
        disable=not progress or len(todo) < 50,
    ) as bar:
        written = 0
        batch: list[Paper] = []
        batch_nodes = 0
        for paper in todo:
            batch.append(paper)
            batch_nodes += 1 + len(paper.abstract) // 800
            if batch_nodes >= settings.embed_batch_size * 4:
                report.chunks_written += _write_batch(settings, store, embedder, batch, states)
                written += len(batch)
                bar.update(len(batch))
                if on_progress:
                    on_progress(written, len(todo))
                batch, batch_nodes = [], 0
                if pause_after and written >= pause_after:
                    print(f"rag: test pause after {written} papers", file=sys.stderr, flush=True)
                    time.sleep(3600)
        if batch:
            report.chunks_written += _write_batch(settings, store, embedder, batch, states)
            written += len(batch)
            bar.update(len(batch))
            if on_progress:
                on_progress(written, len(todo))

    if gone:
        ids = [cid for pid in gone for cid in states[pid].chunk_ids]
        store.delete_ids(ids)
        report.removed = len(gone)

    if todo or report.removed or not sparse_path(settings).exists():
        sparse = rebuild_sparse(settings, store)
    else:
        sparse = SparseIndex.open(store, sparse_path(settings))
    report.seconds = time.perf_counter() - t0
    return report, sparse


def rebuild_sparse(settings: Settings, store: Store) -> SparseIndex:
    """Rebuild BM25 from Chroma and mark the change. The paper count recorded with the new
    generation is counted from the rows just read, not from what this run planned: another writer
    on the same Chroma server (another RAG_HOME, so another lock) may have written meanwhile. The
    manifest and the record carry the number of rows read, so a reader whose collection holds
    other rows by then notices (BM25 is rebuilt; `rag stats` counts)."""
    from rag.sparse import SparseIndex

    sparse = SparseIndex.from_store(store)
    gen = store.bump_generation(papers=sparse.paper_count(), chunks=len(sparse))
    sparse.save(sparse_path(settings), gen, len(sparse))
    return sparse


def _write_batch(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    papers: list[Paper],
    states: dict[str, PaperState],
) -> int:
    from rag.chunking import embed_text, paper_nodes

    nodes: list[TextNode] = []
    for p in papers:
        nodes.extend(paper_nodes(p, settings.chunk_size, settings.chunk_overlap))
    vectors = embed_for_ingest(embedder, [embed_text(n) for n in nodes])
    for node, vec in zip(nodes, vectors, strict=True):
        node.embedding = vec.tolist()
    new_ids = {n.node_id for n in nodes}
    old_ids = [cid for p in papers for cid in states.get(p.id, PaperState()).chunk_ids]
    # partial leftovers of a killed run share ids with the new chunks: clear them first
    store.delete_ids([cid for cid in old_ids if cid in new_ids])
    store.add_nodes(nodes)
    store.delete_ids([cid for cid in old_ids if cid not in new_ids])
    return len(nodes)


def summarise(report: IngestReport) -> str:
    parts = [
        f"added {report.added}",
        f"updated {report.updated}",
        f"unchanged {report.unchanged}",
        f"skipped {report.skipped}",
        f"duplicates merged {report.duplicates}",
    ]
    if report.removed:
        parts.append(f"removed {report.removed}")
    return f"{', '.join(parts)}; {report.chunks_written} chunks written in {report.seconds:.1f}s"


def issues_text(issues: list[LoadIssue], limit: int = 50) -> str:
    lines = [str(i) for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"... and {len(issues) - limit} more")
    return "\n".join(lines)
