"""Ingest: incremental diffing (nothing re-embedded when nothing changed), updates replace a
paper's chunks, --prune, duplicates and malformed records, the summary, and `rag check --repair`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_FILE

from rag.chunking import paper_nodes
from rag.cli import main
from rag.consistency import check
from rag.embedding import Embedder
from rag.indexing import sparse_path, summarise
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.schema import Paper
from rag.settings import Settings
from rag.sparse import SparseIndex

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"


class SpyEmbedder:
    """The real embedder, recording every text it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.documents: list[str] = []
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.documents.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def write_jsonl(path: Path, papers: list[Paper]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for p in papers:
            rec = {"id": p.id, "title": p.title, "abstract": p.abstract}
            if p.year is not None:
                rec["year"] = p.year
            if p.venue:
                rec["venue"] = p.venue
            fh.write(json.dumps(rec) + "\n")
    return path


def spied_pipeline(home: Path) -> tuple[Pipeline, SpyEmbedder]:
    pipe = Pipeline(Settings(home=home))
    spy = SpyEmbedder(pipe.embedder)
    pipe._embedder = spy
    return pipe, spy


def chunk_ids_of(pipe: Pipeline, paper_id: str) -> set[str]:
    return set(pipe.store.collection.get(where={"paper_id": paper_id}, include=[])["ids"])


def chroma_ids(pipe: Pipeline) -> set[str]:
    return {cid for cid, _, _ in pipe.store.iter_rows()}


def bm25_ids(settings: Settings) -> set[str]:
    loaded = SparseIndex.load(sparse_path(settings))
    assert loaded is not None, "no BM25 index on disk"
    return set(loaded[0].ids)


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    return load_papers([SEED_FILE]).papers


def test_incremental_ingest_update_and_prune(tmp_path: Path, seed_papers: list[Paper]) -> None:
    papers = seed_papers[:8]
    src = write_jsonl(tmp_path / "papers.jsonl", papers)
    pipe, spy = spied_pipeline(tmp_path / "home")
    expected_chunks = sum(len(paper_nodes(p)) for p in papers)

    # 1. first ingest: everything added
    report = pipe.ingest([src], progress=False)
    assert (report.added, report.updated, report.unchanged, report.skipped) == (8, 0, 0, 0)
    assert report.chunks_written == expected_chunks == pipe.store.count()
    assert len(spy.documents) == expected_chunks
    gen = pipe.store.generation

    # 2. unchanged: nothing embedded, nothing written, store untouched
    spy.calls, spy.documents = 0, []
    report = pipe.ingest([src], progress=False)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 8)
    assert report.chunks_written == 0
    assert spy.calls == 0
    assert pipe.store.generation == gen
    assert pipe.store.count() == expected_chunks

    # 3. one abstract changed: only that paper is re-embedded; its old chunks are gone
    target = papers[3]
    before = {p.id: chunk_ids_of(pipe, p.id) for p in papers}
    changed = replace(target, abstract=target.abstract + " We also report results on Zyxwvut.")
    src = write_jsonl(tmp_path / "papers.jsonl", [changed if p is target else p for p in papers])
    report = pipe.ingest([src], progress=False)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 7)
    new_nodes = paper_nodes(changed)
    assert report.chunks_written == len(new_nodes)
    assert spy.documents and all(t.startswith(target.title) for t in spy.documents)
    assert len(spy.documents) == len(new_nodes)
    after = chunk_ids_of(pipe, target.id)
    assert after == {n.node_id for n in new_nodes}
    assert not after & before[target.id]  # old chunks gone, not merely outnumbered
    for p in papers:
        if p is not target:
            assert chunk_ids_of(pipe, p.id) == before[p.id]
    state = pipe.store.paper_states()[target.id]
    assert state.hashes == {changed.content_hash}
    # the BM25 index was rebuilt with the new text
    hits = pipe.search("Zyxwvut", method="bm25", k=3)
    assert [h.paper_id for h in hits] == [target.id]
    assert bm25_ids(pipe.settings) == chroma_ids(pipe)

    # 4. two papers dropped from the source: kept without --prune, removed with it
    kept = [changed if p is target else p for p in papers[:6]]
    gone = papers[6:]
    src = write_jsonl(tmp_path / "papers.jsonl", kept)
    spy.calls = 0
    report = pipe.ingest([src], progress=False)
    assert report.removed == 0 and report.unchanged == 6
    assert all(chunk_ids_of(pipe, p.id) for p in gone)
    report = pipe.ingest([src], prune=True, progress=False)
    assert report.removed == 2 and report.unchanged == 6 and report.chunks_written == 0
    assert spy.calls == 0
    assert not any(chunk_ids_of(pipe, p.id) for p in gone)
    assert {md["paper_id"] for _, _, md in pipe.store.iter_rows()} == {p.id for p in kept}
    assert bm25_ids(pipe.settings) == chroma_ids(pipe)
    assert all(h.paper_id not in {p.id for p in gone} for h in pipe.search("pre-training", k=20))
    assert "removed 2" in summarise(report)
    assert check(pipe)["ok"]
    # the recorded paper count matches the chunks; a later bare bump falls back to counting
    assert pipe.store.meta["papers_generation"] == pipe.store.generation
    assert pipe.stats()["papers"] == len(kept)
    pipe.store._set_meta(papers=999)
    assert pipe.stats()["papers"] == 999
    pipe.store.bump_generation()
    assert pipe.stats()["papers"] == len(kept)


def test_duplicates_and_malformed_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = FILTER_PAPERS.read_text(encoding="utf-8").splitlines()
    dup = json.loads(lines[1])
    dup["title"] = dup["title"].upper()  # same id: merged however the title is spelled
    bad = '{"id": "broken", "title": "Broken record", "abstract": '  # truncated JSON
    src = tmp_path / "mixed.jsonl"
    src.write_text("\n".join(lines[:3] + [bad] + lines[3:] + [json.dumps(dup)]) + "\n")

    home = tmp_path / "home"
    monkeypatch.setenv("RAG_HOME", str(home))
    assert main(["ingest", str(src), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)  # stdout holds the JSON report only
    assert report["added"] == 10
    assert report["skipped"] == 1
    assert report["duplicates"] == 1
    assert report["updated"] == 0
    assert any(f"{src}:4" in i and "error" in i for i in report["issues"])
    assert any(f"{src}:12" in i and "duplicate" in i for i in report["issues"])
    # the human summary goes to stderr, with the counts and the bad line named
    assert f"{src}:4" in err
    assert "added 10" in err and "skipped 1" in err and "duplicates merged 1" in err

    pipe = Pipeline(Settings(home=home))
    assert {md["paper_id"] for _, _, md in pipe.store.iter_rows()} == {
        f"core-f{i:02d}" for i in range(1, 11)
    }
    assert pipe.store.count() == 10
    assert not chunk_ids_of(pipe, "broken")

    # re-running reports the same problems again but writes nothing
    assert main(["ingest", str(src), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["unchanged"], again["skipped"], again["chunks_written"]) == (
        0,
        10,
        1,
        0,
    )


def test_summary_counts_added_updated_skipped() -> None:
    from rag.schema import IngestReport

    text = summarise(
        IngestReport(added=3, updated=2, unchanged=5, skipped=1, duplicates=4, chunks_written=9)
    )
    for part in ("added 3", "updated 2", "unchanged 5", "skipped 1", "duplicates merged 4"):
        assert part in text
    assert "9 chunks" in text
    assert "removed" not in text


def test_check_repair_fixes_bm25_that_disagrees_with_chroma(
    tmp_path: Path,
    seed_papers: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    multi = seed_papers[1]  # a 2+ chunk abstract
    papers = load_papers([FILTER_PAPERS]).papers + [multi]
    src = write_jsonl(tmp_path / "p.jsonl", papers)
    home = tmp_path / "home"
    monkeypatch.setenv("RAG_HOME", str(home))
    pipe = Pipeline(Settings(home=home))
    pipe.ingest([src], progress=False)
    assert check(pipe)["ok"]

    # delete chunks behind BM25's back: one whole short paper and one chunk of the long one
    one_chunk = sorted(chunk_ids_of(pipe, "core-f05"))
    partial = sorted(chunk_ids_of(pipe, multi.id))
    assert len(partial) >= 2
    pipe.store.delete_ids(one_chunk + partial[-1:])

    assert main(["check"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False
    assert result["orphans_in_bm25"] == 2
    assert result["incomplete_papers"] == [multi.id]

    assert main(["check", "--repair"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["repaired"] is True
    assert result["removed_incomplete_chunks"] == len(partial) - 1

    assert main(["check"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["orphans_in_bm25"] == 0
    fresh = Pipeline(Settings(home=home))
    assert bm25_ids(fresh.settings) == chroma_ids(fresh)
    assert not chunk_ids_of(fresh, multi.id)  # the incomplete paper was removed ...

    # ... and the next ingest re-adds exactly what is missing
    report = fresh.ingest([src], progress=False)
    assert (report.added, report.updated, report.unchanged) == (2, 0, 9)
    assert check(fresh)["ok"]
    assert fresh.store.count() == sum(len(paper_nodes(p)) for p in papers)


def test_check_on_missing_bm25_index_is_not_ok(tmp_path: Path) -> None:
    pipe = Pipeline(Settings(home=tmp_path / "home"))
    pipe.ingest([FILTER_PAPERS], progress=False)
    import shutil

    shutil.rmtree(sparse_path(pipe.settings))
    assert check(pipe)["ok"] is False
    assert check(pipe, repair=True)["repaired"] is True
    assert check(pipe)["ok"] is True


def test_prune_never_deletes_what_could_not_be_read(tmp_path: Path) -> None:
    pipe = Pipeline(Settings(home=tmp_path / "home"))
    pipe.ingest([FILTER_PAPERS], progress=False)
    typo = tmp_path / "typo.jsonl"  # does not exist

    report = pipe.ingest([typo], prune=True, progress=False)
    assert report.removed == 0
    assert any("--prune skipped" in i.message for i in report.issues)
    assert pipe.store.count() == 10

    # a readable source next to a missing one: still no pruning
    half = tmp_path / "half.jsonl"
    half.write_text("\n".join(FILTER_PAPERS.read_text().splitlines()[:4]) + "\n")
    report = pipe.ingest([half, typo], prune=True, progress=False)
    assert report.removed == 0 and pipe.store.count() == 10

    # every source readable: pruning happens
    report = pipe.ingest([half], prune=True, progress=False)
    assert report.removed == 6 and pipe.store.count() == 4
    assert check(pipe)["ok"]


def test_check_on_a_never_ingested_store_is_ok(fresh_pipeline: Pipeline) -> None:
    result = check(fresh_pipeline)
    assert result["ok"] is True and result["chunks"] == 0


def test_prune_skips_a_file_cut_short_mid_read(tmp_path: Path) -> None:
    """A gzip that breaks after a few records must not make the rest look removed."""
    import gzip

    pipe = Pipeline(Settings(home=tmp_path / "home"))
    pipe.ingest([FILTER_PAPERS], progress=False)
    data = gzip.compress(FILTER_PAPERS.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])

    report = pipe.ingest([cut], prune=True, progress=False)
    assert any(i.lost for i in report.issues)
    assert report.removed == 0 and pipe.store.count() == 10


def test_reader_sees_another_process_ingest(
    tmp_path: Path, seed_papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running reader (the UI) picks up papers a `rag ingest` in another process added:
    its BM25 index is reopened once the store's generation moves."""
    import os
    import subprocess
    import sys

    import rag.pipeline

    monkeypatch.setattr(rag.pipeline, "GENERATION_CHECK_S", 0.0)
    home = tmp_path / "store"
    reader = Pipeline(Settings(home=home))
    reader.ingest([write_jsonl(tmp_path / "a.jsonl", seed_papers[:3])], progress=False)
    late = seed_papers[3]
    word = max(late.abstract.split(), key=len).strip(".,;:()")
    assert late.id not in {h.paper_id for h in reader.search(word, k=10, method="bm25")}

    src = write_jsonl(tmp_path / "b.jsonl", seed_papers[3:4])
    env = dict(os.environ, RAG_HOME=str(home))
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(src)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for method in ("bm25", "dense", "fused"):
        hits = reader.search(word, k=10, method=method)
        assert late.id in {h.paper_id for h in hits}, (method, word)


def test_reindex_of_a_missing_path_drops_nothing(fresh_pipeline: Pipeline, tmp_path: Path) -> None:
    """`rag ingest --reindex TYPO` used to drop the collection before reading anything."""
    src = Path(__file__).parent / "fixtures" / "core_filter_papers.jsonl"
    first = fresh_pipeline.ingest([src], progress=False)
    before = fresh_pipeline.store.count()
    assert first.added > 0 and before > 0
    report = fresh_pipeline.ingest([tmp_path / "no-such-file.jsonl"], reindex=True, progress=False)
    assert any("--reindex refused" in i.message for i in report.issues)
    assert not (report.added or report.updated or report.unchanged)
    assert fresh_pipeline.store.count() == before
    assert fresh_pipeline.search("pre-training", k=3)  # still searchable
