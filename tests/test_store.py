"""rag.store: chunk metadata in Chroma, paper states, abstracts rebuilt from chunks, the model
bookkeeping that refuses to mix two embedding models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_FILE

from rag.chunking import paper_nodes
from rag.cli import main
from rag.embedding import LOCAL_MODEL_DIM, LOCAL_MODEL_NAME
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.schema import Paper
from rag.settings import Settings
from rag.store import ModelMismatchError, Store

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"


def _fake_vectors(n: int, dim: int = LOCAL_MODEL_DIM, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _write(store: Store, papers: list[Paper]) -> list[str]:
    """Write papers' chunks with random unit vectors (the store does not care what they mean)."""
    nodes = [n for p in papers for n in paper_nodes(p)]
    for node, vec in zip(nodes, _fake_vectors(len(nodes)), strict=True):
        node.embedding = vec.tolist()
    store.add_nodes(nodes)
    return [n.node_id for n in nodes]


class _FakeEmbedder:
    """Looks like an embedder of another model; never called for real work."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return _fake_vectors(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    return load_papers([SEED_FILE]).papers


def test_chunk_metadata_and_paper_states(tmp_path: Path, seed_papers: list[Paper]) -> None:
    store = Store(Settings(home=tmp_path / "s", write_batch_size=3))  # several write batches
    papers = seed_papers[:4]
    ids = _write(store, papers)
    assert store.count() == len(ids) > 4

    rows = {cid: md for cid, _, md in store.iter_rows()}
    assert set(rows) == set(ids)
    for md in rows.values():
        for key in ("paper_id", "title", "paper_hash", "chunk_index", "n_chunks", "start", "end"):
            assert key in md, key

    states = store.paper_states()
    assert set(states) == {p.id for p in papers}
    for p in papers:
        st = states[p.id]
        assert st.hashes == {p.content_hash}
        assert len(st.chunk_ids) == st.n_chunks == len(paper_nodes(p))
        assert st.complete_for(p.content_hash)
        assert not st.complete_for("0" * 16)

    # losing one chunk makes that paper incomplete, and only that paper
    victim = states[papers[0].id].chunk_ids[-1]
    store.delete_ids([victim])
    states = store.paper_states()
    assert not states[papers[0].id].complete_for(papers[0].content_hash)
    assert all(states[p.id].complete_for(p.content_hash) for p in papers[1:])


def test_get_papers_rebuilds_abstracts_from_chunks(seed_pipeline: Pipeline) -> None:
    originals = {p.id: p for p in load_papers([SEED_FILE]).papers}
    ids = list(originals)[:12]
    got = seed_pipeline.papers(ids)
    assert set(got) == set(ids)
    for pid in ids:
        assert got[pid].abstract == originals[pid].abstract
        assert got[pid].title == originals[pid].title
    assert seed_pipeline.papers([]) == {}
    assert seed_pipeline.papers(["no-such-paper"]) == {}


def test_get_papers_keeps_bibliographic_fields(tmp_path: Path) -> None:
    store = Store(Settings(home=tmp_path / "s"))
    papers = load_papers([FILTER_PAPERS]).papers
    _write(store, papers)
    got = store.get_papers(["core-f03"])["core-f03"]
    assert (got.year, got.venue, got.authors) == (2020, "CVPR", ("A. Author", "B. Author"))


def test_generation_and_model_claim(tmp_path: Path) -> None:
    store = Store(Settings(home=tmp_path / "s"))
    assert store.model_info() == (None, None)
    assert store.generation == 0
    store.claim_model(LOCAL_MODEL_NAME, LOCAL_MODEL_DIM)
    assert store.bump_generation() == 1
    assert store.bump_generation() == 2
    # a second client over the same directory sees both
    again = Store(Settings(home=tmp_path / "s"))
    assert again.model_info() == (LOCAL_MODEL_NAME, LOCAL_MODEL_DIM)
    assert again.generation == 2
    with pytest.raises(ModelMismatchError, match="re-index|Re-index"):
        again.claim_model("text-embedding-3-small", 1536)
    with pytest.raises(ModelMismatchError):
        again.check_model(LOCAL_MODEL_NAME, 768)  # same name, other dimension
    assert again.model_info() == (LOCAL_MODEL_NAME, LOCAL_MODEL_DIM)  # refused, not overwritten


def test_store_built_with_other_model_refuses_queries(fresh_pipeline: Pipeline) -> None:
    fresh_pipeline.store.claim_model("other-model", 768)
    with pytest.raises(ModelMismatchError) as info:
        fresh_pipeline.search("graph neural networks")
    msg = str(info.value)
    assert "other-model" in msg and LOCAL_MODEL_NAME in msg
    assert "Re-index" in msg and "--reindex" in msg
    # ingest is refused too, before anything is written, and the writer lock is released
    with pytest.raises(ModelMismatchError):
        fresh_pipeline.ingest([FILTER_PAPERS], progress=False)
    assert fresh_pipeline.store.count() == 0
    with pytest.raises(ModelMismatchError):
        fresh_pipeline.ingest([FILTER_PAPERS], progress=False)  # not IngestLockedError


def test_fake_embedder_of_another_model_is_refused(seed_home: Path) -> None:
    pipe = Pipeline(Settings(home=seed_home))
    fake = _FakeEmbedder("fake-embedder", 512)
    pipe._embedder = fake  # what get_embedder would return for another configured model
    with pytest.raises(ModelMismatchError, match="fake-embedder"):
        pipe.search("robot fine-tuning")
    assert fake.calls == 0  # refused before embedding anything


def test_cli_model_mismatch_then_reindex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("RAG_HOME", str(home))
    Store(Settings(home=home)).claim_model("other-model", 768)

    assert main(["search", "protein structure", "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "rag: error:" in err and "other-model" in err and "--reindex" in err
    assert "Traceback" not in err

    assert main(["ingest", str(FILTER_PAPERS)]) == 1
    capsys.readouterr()

    assert main(["ingest", str(FILTER_PAPERS), "--reindex", "--json"]) == 0
    out, _ = capsys.readouterr()
    import json

    report = json.loads(out)
    assert report["added"] == 10
    assert Store(Settings(home=home)).model_info() == (LOCAL_MODEL_NAME, LOCAL_MODEL_DIM)
    assert main(["search", "protein structure", "--json", "-k", "1"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["results"][0]["paper_id"] == "core-f06"


def test_drop_empties_the_collection_and_keeps_generation_rising(tmp_path: Path) -> None:
    store = Store(Settings(home=tmp_path / "s"))
    papers = load_papers([FILTER_PAPERS]).papers
    store.claim_model(LOCAL_MODEL_NAME, LOCAL_MODEL_DIM)
    _write(store, papers)
    store.bump_generation()
    before = store.bump_generation()
    store.drop()
    assert store.count() == 0
    assert store.model_info() == (None, None)  # a re-index may claim another model
    assert store.generation > before
    store.claim_model("other-model", 768)  # allowed after the drop
