"""Hybrid retrieval: metadata filters on every method, one hit per paper, fusion that never loses
one side's results, exact-term queries won by BM25, paraphrases found by the dense side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_FILE

from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.retrieval import fuse
from rag.schema import SearchFilters
from rag.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"
METHODS = ["dense", "bm25", "fused"]
ROBOFUME = "robot-fine-tuning-made-easy-pre-training-rewards-and-policies-for-autonomous"


def _meta() -> dict[str, dict]:
    rows = [json.loads(line) for line in FILTER_PAPERS.read_text().splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


@pytest.fixture(scope="module")
def filter_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipe = Pipeline(Settings(home=tmp_path_factory.mktemp("filter-store")))
    report = pipe.ingest([FILTER_PAPERS], progress=False)
    assert report.added == 10
    return pipe


FILTER_CASES = {
    "year_from": SearchFilters(year_from=2021),
    "year_to": SearchFilters(year_to=2020),
    "year_range": SearchFilters(year_from=2020, year_to=2022),
    "venue": SearchFilters(venue="ACL"),
    "ids": SearchFilters(ids=["core-f01", "core-f07", "core-f10"]),
    "venue_and_year": SearchFilters(venue="NeurIPS", year_from=2020),
    "single_year": SearchFilters(year_from=2023, year_to=2023),
}


def _expected(f: SearchFilters) -> set[str]:
    out = set()
    for pid, r in _meta().items():
        if f.year_from is not None and r["year"] < f.year_from:
            continue
        if f.year_to is not None and r["year"] > f.year_to:
            continue
        if f.venue and r["venue"] != f.venue:
            continue
        if f.ids and pid not in f.ids:
            continue
        out.add(pid)
    return out


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", sorted(FILTER_CASES))
def test_filters_apply_to_every_method(filter_pipeline: Pipeline, method: str, case: str) -> None:
    f = FILTER_CASES[case]
    expected = _expected(f)
    assert 0 < len(expected) < 10  # every case really filters something out
    # every abstract mentions "model", so with a large k each method returns the whole filtered set
    hits = filter_pipeline.search("a neural network model", k=20, filters=f, method=method)
    assert {h.paper_id for h in hits} == expected
    meta = _meta()
    for h in hits:
        assert h.year == meta[h.paper_id]["year"]
        assert h.venue == meta[h.paper_id]["venue"]


@pytest.mark.parametrize("method", METHODS)
def test_filter_matching_nothing_gives_no_results(filter_pipeline: Pipeline, method: str) -> None:
    for f in (
        SearchFilters(venue="Nowhere"),
        SearchFilters(year_from=2030),
        SearchFilters(ids=["no-such-paper"]),
        SearchFilters(venue="ACL", year_from=2023),
    ):
        assert filter_pipeline.search("model", k=5, filters=f, method=method) == []


@pytest.mark.parametrize("method", METHODS)
def test_filtered_top_hit_is_the_best_match_within_the_filter(
    filter_pipeline: Pipeline, method: str
) -> None:
    q = "protein language model amino acid structure"
    assert filter_pipeline.search(q, k=1, method=method)[0].paper_id == "core-f06"
    hits = filter_pipeline.search(q, k=3, filters=SearchFilters(year_to=2022), method=method)
    assert hits and "core-f06" not in {h.paper_id for h in hits}


@pytest.mark.parametrize("method", METHODS)
def test_one_result_per_paper(seed_pipeline: Pipeline, method: str) -> None:
    hits = seed_pipeline.search(
        "pre-training language models for downstream tasks", k=40, method=method
    )
    ids = [h.paper_id for h in hits]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 20  # seed abstracts have 2-3 chunks: pooling really merged chunks
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    papers = seed_pipeline.papers(ids)
    for h in hits:  # the evidence is a chunk of that very paper
        assert h.evidence and h.evidence in papers[h.paper_id].abstract
        assert h.chunk_id.startswith(h.paper_id + "::")


def test_fused_keeps_dense_results_when_bm25_has_none(seed_pipeline: Pipeline) -> None:
    q = "the of and"  # only stopwords: BM25 has nothing to match
    assert seed_pipeline.search(q, k=5, method="bm25") == []
    dense = seed_pipeline.search(q, k=5, method="dense")
    fused = seed_pipeline.search(q, k=5, method="fused")
    assert dense and [h.paper_id for h in fused] == [h.paper_id for h in dense]


def test_fused_keeps_either_side_whatever_the_scores() -> None:
    for method in ("weighted", "rrf"):
        assert set(fuse({}, {"a": 2.0, "b": 1.0}, method, 0.5)) == {"a", "b"}
        assert set(fuse({"a": -0.2, "b": -0.5}, {}, method, 0.5)) == {"a", "b"}
        assert set(fuse({"a": 0.3}, {"b": 4.0}, method, 1.0)) == {"a", "b"}
        assert fuse({}, {}, method, 0.5) == {}


def test_acronym_is_ranked_first_by_bm25_and_fused(seed_pipeline: Pipeline) -> None:
    assert ROBOFUME in {p.id for p in load_papers([SEED_FILE]).papers}
    for method in ("bm25", "fused"):
        hits = seed_pipeline.search("RoboFuME", k=5, method=method)
        assert hits[0].paper_id == ROBOFUME, method
        assert "robofume" in hits[0].evidence.casefold()
    hit = seed_pipeline.search("RoboFuME", k=1)[0]
    assert hit.bm25_score is not None and hit.dense_score is not None


def test_specific_fact_query_finds_its_paper(seed_pipeline: Pipeline) -> None:
    # a number and a name from one abstract
    for method in ("bm25", "fused"):
        hits = seed_pipeline.search("43.6% VirtualHome", k=3, method=method)
        assert hits[0].paper_id == "pre-trained-language-models-for-interactive-decision-making"


def test_paraphrase_is_found_by_dense(seed_pipeline: Pipeline) -> None:
    # shares almost no words with "Yell At Your Robot: Improving On-the-Fly from Language
    # Corrections"; BM25 alone ranks another paper first
    q = "a robot that gets better when a person shouts instructions at it while it works"
    dense = seed_pipeline.search(q, k=3, method="dense")
    assert dense[0].paper_id.startswith("yell-at-your-robot")
    fused = seed_pipeline.search(q, k=3, method="fused")
    assert any(h.paper_id.startswith("yell-at-your-robot") for h in fused)


def test_k_and_empty_store(fresh_pipeline: Pipeline, seed_pipeline: Pipeline) -> None:
    assert len(seed_pipeline.search("reinforcement learning", k=3)) == 3
    assert len(seed_pipeline.search("reinforcement learning", k=1, method="bm25")) == 1
    for method in METHODS:
        assert fresh_pipeline.search("anything", k=5, method=method) == []
