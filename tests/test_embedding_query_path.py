"""The query path reads Chroma and the saved BM25 index without llama-index (importing
llama_index.core costs a cold `rag search` about as much as chromadb). These tests hold our
readers to llama-index's own: same chunks, order, texts, metadata and scores, with filters."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)
from llama_index.retrievers.bm25 import BM25Retriever
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.indexing import sparse_path
from rag.pipeline import Pipeline
from rag.schema import SearchFilters
from rag.settings import Settings
from rag.sparse import PersistedBM25, SparseIndex

FILTER_PAPERS = Path(__file__).parent / "fixtures" / "core_filter_papers.jsonl"


def _li(key: str, op: FilterOperator, value: object) -> MetadataFilter:
    return MetadataFilter(key=key, value=value, operator=op)


CASES = [
    (None, None),
    (SearchFilters(year_from=2021), [_li("year", FilterOperator.GTE, 2021)]),
    (
        SearchFilters(year_from=2019, year_to=2022, venue="NeurIPS"),
        [
            _li("year", FilterOperator.GTE, 2019),
            _li("year", FilterOperator.LTE, 2022),
            _li("venue", FilterOperator.EQ, "NeurIPS"),
        ],
    ),
    (
        SearchFilters(ids=["core-f01", "core-f02", "core-f05"]),
        [_li("paper_id", FilterOperator.IN, ["core-f01", "core-f02", "core-f05"])],
    ),
]


@pytest.fixture(scope="module")
def filter_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipe = Pipeline(Settings(home=tmp_path_factory.mktemp("query-path")))
    pipe.ingest([FILTER_PAPERS], progress=False)
    return pipe


@pytest.mark.parametrize("case", range(len(CASES)))
def test_dense_query_reads_what_llama_index_reads(filter_pipeline: Pipeline, case: int) -> None:
    filters, li_filters = CASES[case]
    store = filter_pipeline.store
    vec = filter_pipeline.embedder.embed_query("neural networks for language").tolist()
    ours = store.query(vec, 20, filters)
    res = ChromaVectorStore(chroma_collection=store.collection).query(
        VectorStoreQuery(
            query_embedding=vec,
            similarity_top_k=min(20, store.count()),
            filters=MetadataFilters(filters=li_filters) if li_filters else None,
        )
    )
    assert ours and [h.chunk_id for h in ours] == [n.node_id for n in res.nodes]
    assert [h.text for h in ours] == [n.get_content() for n in res.nodes]
    assert [h.metadata for h in ours] == [n.metadata for n in res.nodes]
    for hit, sim in zip(ours, res.similarities or [], strict=True):
        assert hit.similarity == pytest.approx(1.0 + math.log(sim), abs=1e-6)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_saved_bm25_reads_what_llama_index_reads(filter_pipeline: Pipeline, case: int) -> None:
    filters, _ = CASES[case]
    path = sparse_path(filter_pipeline.settings)
    loaded = SparseIndex.load(path)
    assert loaded is not None and isinstance(loaded[0].retriever, PersistedBM25)
    ours = loaded[0]
    retriever = BM25Retriever.from_persist_dir(str(path))
    theirs = SparseIndex(retriever, retriever.corpus)
    for query in ("transformer translation", "graph neural molecule", "robot grasping policy"):
        a, b = ours.search(query, 20, filters), theirs.search(query, 20, filters)
        assert [(h.chunk_id, h.text, h.metadata, h.score) for h in a] == [
            (h.chunk_id, h.text, h.metadata, h.score) for h in b
        ]
    assert ours.search("transformer translation", 20, None)  # the comparison is not vacuous
