"""Kill -9 an ingest at several points, resume it, and check the store is whole: every paper
complete, no duplicate chunk ids, chunk count == sum of n_chunks, BM25 ids == Chroma ids and
`rag check` ok.

The subprocess uses the test hook in rag/indexing.py: with RAG_TEST_PAUSE_AFTER_PAPERS=N it prints
"rag: test pause" to stderr after N papers are written and sleeps, so the kill lands at a known
point. RAG_EMBED_BATCH_SIZE is set small so a few papers make several write batches.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, SEED_FILE

from rag.chunking import paper_nodes
from rag.consistency import check
from rag.indexing import sparse_path
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.schema import Paper
from rag.settings import Settings
from rag.sparse import SparseIndex

PAUSE_LINE = "rag: test pause"
WAIT_FOR_PAUSE_S = 300


def write_jsonl(path: Path, papers: list[Paper]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for p in papers:
            fh.write(json.dumps({"id": p.id, "title": p.title, "abstract": p.abstract}) + "\n")
    return path


def ingest_and_kill(home: Path, src: Path, pause_after: int, embed_batch: int) -> str:
    """Run `rag ingest` in a subprocess, wait for the pause line, kill -9 it; return stderr."""
    env = dict(os.environ)
    env.update(
        RAG_HOME=str(home),
        RAG_TEST_PAUSE_AFTER_PAPERS=str(pause_after),
        RAG_EMBED_BATCH_SIZE=str(embed_batch),
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(src)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            try:
                line = lines.get(timeout=WAIT_FOR_PAUSE_S)
            except queue.Empty:
                pytest.fail(f"no pause line within {WAIT_FOR_PAUSE_S}s:\n{''.join(seen)}")
            if line is None:
                pytest.fail(f"ingest ended before pausing (rc={proc.wait()}):\n{''.join(seen)}")
            seen.append(line)
            if PAUSE_LINE in line:
                break
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return "".join(seen)


def assert_store_whole(home: Path, papers: list[Paper]) -> Pipeline:
    pipe = Pipeline(Settings(home=home))
    store = pipe.store
    ids = store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    rows = list(store.iter_rows())
    by_paper: dict[str, dict] = {}
    for _, _, md in rows:
        by_paper.setdefault(md["paper_id"], md)
    assert set(by_paper) == {p.id for p in papers}
    assert store.count() == sum(int(md["n_chunks"]) for md in by_paper.values())
    assert store.count() == sum(len(paper_nodes(p)) for p in papers)
    states = store.paper_states()
    for p in papers:
        assert states[p.id].complete_for(p.content_hash), p.id
    result = check(pipe)
    assert result["ok"], result
    loaded = SparseIndex.load(sparse_path(pipe.settings))
    assert loaded is not None
    index, manifest = loaded
    assert set(index.ids) == set(ids)
    assert manifest["generation"] == store.generation and manifest["count"] == len(ids)
    return pipe


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    return load_papers([SEED_FILE]).papers


def test_killed_twice_then_resumed_ingest_is_complete(
    tmp_path: Path, seed_papers: list[Paper]
) -> None:
    papers = seed_papers[20:34]
    src = write_jsonl(tmp_path / "papers.jsonl", papers)
    home = tmp_path / "home"

    # kill 1: right after the first write batch (~3 papers with an embed batch of 2)
    ingest_and_kill(home, src, pause_after=3, embed_batch=2)
    first = Pipeline(Settings(home=home)).store.paper_states()
    assert 3 <= len(first) < len(papers)

    # kill 2: during the resumed run, after its first batch
    ingest_and_kill(home, src, pause_after=3, embed_batch=2)
    second = Pipeline(Settings(home=home)).store.paper_states()
    assert len(first) + 3 <= len(second) < len(papers)

    # resume in-process: only the missing papers are written
    pipe = Pipeline(Settings(home=home))
    report = pipe.ingest([src], progress=False)
    assert report.unchanged == len(second)
    assert report.added == len(papers) - len(second)
    assert report.updated == 0
    pipe = assert_store_whole(home, papers)
    hits = pipe.search(papers[-1].title, k=1)
    assert hits and hits[0].paper_id == papers[-1].id


def test_kill_after_updates_written_before_bm25_rebuild(
    tmp_path: Path, seed_papers: list[Paper]
) -> None:
    """The worst spot: every changed chunk is in Chroma, the chunk count did not change, but the
    process died before the BM25 index was rebuilt. The next run must not trust the old index."""
    short = [p for p in seed_papers if 900 < len(p.abstract) < 1550][:5]
    assert len(short) == 5
    home = tmp_path / "home"
    src = write_jsonl(tmp_path / "papers.jsonl", short)
    Pipeline(Settings(home=home)).ingest([src], progress=False)

    # change two abstracts without changing their number of chunks
    changed = list(short)
    for i, word in ((0, "Qwertzium"), (1, "Plonkwise")):
        p = short[i]
        changed[i] = replace(p, abstract=p.abstract.replace(" the ", f" {word} ", 1))
        assert changed[i].abstract != p.abstract
        assert len(paper_nodes(changed[i])) == len(paper_nodes(p))
    write_jsonl(src, changed)

    # embed batch 1 -> a write batch every 4 estimated nodes = exactly these two papers
    ingest_and_kill(home, src, pause_after=2, embed_batch=1)
    states = Pipeline(Settings(home=home)).store.paper_states()
    assert states[short[0].id].hashes == {changed[0].content_hash}  # the write really happened

    pipe = Pipeline(Settings(home=home))
    report = pipe.ingest([src], progress=False)
    assert report.unchanged == 5 and report.chunks_written == 0
    pipe = assert_store_whole(home, changed)
    hits = pipe.search("Qwertzium", method="bm25", k=3)
    assert [h.paper_id for h in hits] == [short[0].id]
    # and a reader that never ingested sees the fresh index too
    reader = Pipeline(Settings(home=home))
    assert [h.paper_id for h in reader.search("Plonkwise", method="bm25", k=3)] == [short[1].id]


def test_resume_replaces_partial_leftovers_of_a_paper(
    tmp_path: Path, seed_papers: list[Paper]
) -> None:
    """A write cut inside a paper leaves some of its chunks (same ids as a full write): the next
    ingest treats the paper as missing and rewrites it whole, with real vectors."""
    papers = seed_papers[40:44]
    home = tmp_path / "home"
    src = write_jsonl(tmp_path / "papers.jsonl", papers)
    pipe = Pipeline(Settings(home=home))
    pipe.store.claim_model(pipe.embedder.name, pipe.embedder.dim)

    partial = paper_nodes(papers[0])[:1]  # first chunk only, with a junk vector
    partial[0].embedding = [1.0] + [0.0] * (pipe.embedder.dim - 1)
    pipe.store.add_nodes(partial)
    assert not pipe.store.paper_states()[papers[0].id].complete_for(papers[0].content_hash)

    report = pipe.ingest([src], progress=False)
    assert report.added == 3 and report.updated == 1
    got = pipe.store.collection.get(ids=[partial[0].node_id], include=["embeddings"])
    assert got["embeddings"][0][0] != pytest.approx(1.0)  # the junk vector was replaced
    assert_store_whole(home, papers)
