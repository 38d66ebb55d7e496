"""Chunking of the seed abstracts: MiniLM's 256 word-piece window, title in every chunk, offsets
that slice the abstract exactly, deterministic ids."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pytest
from conftest import SEED_FILE
from llama_index.core.schema import MetadataMode

from rag.chunking import chunk_id, embed_text, paper_nodes, to_chunk
from rag.embedding import packaged_model_dir
from rag.loading import load_papers
from rag.schema import Paper

MINILM_MAX_PIECES = 256


@lru_cache(maxsize=1)
def seed_papers() -> tuple[Paper, ...]:
    result = load_papers([SEED_FILE])
    assert len(result.papers) == 79
    return tuple(result.papers)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(packaged_model_dir()))


def test_every_seed_chunk_fits_minilm_window_including_title(tokenizer) -> None:
    longest = 0
    for paper in seed_papers():
        for node in paper_nodes(paper):
            text = embed_text(node)
            # what the model reads: [CLS] + pieces + [SEP], no truncation
            n = len(tokenizer(text, truncation=False)["input_ids"])
            longest = max(longest, n)
            assert n <= MINILM_MAX_PIECES, (node.node_id, n)
    assert longest > 100  # the check measured real chunks, not empty strings


def test_title_is_in_every_chunk_embed_text() -> None:
    for paper in seed_papers():
        for node in paper_nodes(paper):
            text = embed_text(node)
            assert text.startswith(paper.title), node.node_id
            # hidden bookkeeping metadata is neither embedded nor shown
            assert paper.id not in text.split("\n\n", 1)[0] or paper.id in paper.title
            assert "paper_hash" not in text and paper.content_hash not in text


def test_offsets_slice_the_abstract_exactly() -> None:
    multi = 0
    for paper in seed_papers():
        nodes = paper_nodes(paper)
        multi += len(nodes) > 1
        covered_to = 0
        for i, node in enumerate(nodes):
            chunk = to_chunk(node)
            assert chunk.index == i
            assert chunk.paper_id == paper.id
            assert paper.abstract[chunk.start : chunk.end] == chunk.text
            assert node.metadata["n_chunks"] == len(nodes)
            # consecutive chunks overlap or touch; at most whitespace is left between them
            assert paper.abstract[covered_to : chunk.start].strip() == ""
            covered_to = max(covered_to, chunk.end)
        assert nodes[0].metadata["start"] == 0
        assert covered_to == len(paper.abstract)  # the whole abstract is covered
    assert multi > 20  # most seed abstracts are split, so offsets were really exercised


def test_chunk_ids_are_deterministic_and_content_addressed() -> None:
    paper = seed_papers()[1]
    first = [n.node_id for n in paper_nodes(paper)]
    again = [n.node_id for n in paper_nodes(replace(paper, source="elsewhere:9"))]
    assert first == again
    assert first == [chunk_id(paper.id, paper.content_hash, i) for i in range(len(first))]
    assert len(set(first)) == len(first)

    changed = replace(paper, abstract=paper.abstract.replace("robot", "robotic agent", 1))
    assert changed.content_hash != paper.content_hash
    changed_ids = [n.node_id for n in paper_nodes(changed)]
    assert not set(changed_ids) & set(first)

    retitled = replace(paper, title=paper.title + " (extended)")
    assert not {n.node_id for n in paper_nodes(retitled)} & set(first)


def test_chunk_ids_unique_across_seed_corpus() -> None:
    ids = [n.node_id for p in seed_papers() for n in paper_nodes(p)]
    assert len(ids) == len(set(ids))


def test_short_abstract_is_one_chunk_with_title() -> None:
    p = Paper(id="tiny", title="A Tiny Paper", abstract="Just one sentence about graphs.")
    nodes = paper_nodes(p)
    assert len(nodes) == 1
    assert nodes[0].get_content(metadata_mode=MetadataMode.NONE) == p.abstract
    assert embed_text(nodes[0]) == "A Tiny Paper\n\nJust one sentence about graphs."
