"""Abstract -> chunks small enough for MiniLM (256 word pieces), each carrying its paper's title.

llama-index's `SentenceSplitter` does the splitting; we only pick the tokenizer (tiktoken's
cl100k_base from llama-index's bundled cache, so nothing is downloaded) and make ids deterministic,
so re-ingesting the same abstract produces the same chunk ids.
"""

from __future__ import annotations

from functools import lru_cache

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode, TextNode

from rag.schema import Chunk, Paper

# metadata that is stored but neither embedded nor shown to the LLM
_HIDDEN_KEYS = [
    "paper_id",
    "authors",
    "year",
    "venue",
    "url",
    "paper_hash",
    "chunk_index",
    "n_chunks",
    "start",
    "end",
]


@lru_cache(maxsize=8)
def get_splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=enc.encode,
        include_metadata=True,  # the title counts against the chunk budget
        include_prev_next_rel=False,
    )


def chunk_id(paper_id: str, paper_hash: str, index: int) -> str:
    """Deterministic: the same paper content always gives the same ids, a changed one new ids."""
    return f"{paper_id}::{paper_hash}::{index}"


def paper_nodes(paper: Paper, chunk_size: int = 200, chunk_overlap: int = 30) -> list[TextNode]:
    """Split one paper into llama-index nodes with deterministic ids and abstract offsets."""
    splitter = get_splitter(chunk_size, chunk_overlap)
    md = paper.metadata()
    md["paper_hash"] = paper.content_hash
    doc = Document(
        text=paper.abstract,
        id_=paper.id,
        metadata=md,
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
        metadata_template="{value}",
        text_template="{metadata_str}\n\n{content}",
    )
    nodes = splitter.get_nodes_from_documents([doc])
    out: list[TextNode] = []
    cursor = prev_end = 0
    for i, node in enumerate(nodes):
        text = node.get_content(metadata_mode=MetadataMode.NONE)
        start = _locate(paper.abstract, text, cursor, prev_end)
        end = start + len(text)
        cursor, prev_end = start + 1, end
        node.id_ = chunk_id(paper.id, paper.content_hash, i)
        node.start_char_idx, node.end_char_idx = start, end
        node.metadata.update({"chunk_index": i, "n_chunks": len(nodes), "start": start, "end": end})
        node.excluded_embed_metadata_keys = list(_HIDDEN_KEYS)
        node.excluded_llm_metadata_keys = list(_HIDDEN_KEYS)
        node.metadata_template = "{value}"
        node.text_template = "{metadata_str}\n\n{content}"
        node.relationships = {}
        out.append(node)
    return out


def _locate(abstract: str, text: str, cursor: int, prev_end: int) -> int:
    """Where a chunk sits in its abstract. llama-index reports the first occurrence of the text,
    wrong when an abstract repeats itself; chunks come in order and overlap or touch, so take
    the furthest occurrence after the previous chunk's start that still joins the previous one."""
    best = -1
    pos = abstract.find(text, cursor)
    while pos >= 0 and (best < 0 or pos <= prev_end + 2):
        best = pos
        pos = abstract.find(text, pos + 1)
    return best if best >= 0 else cursor


def embed_text(node: TextNode) -> str:
    """What the embedding model and BM25 see: title, blank line, chunk text."""
    return node.get_content(metadata_mode=MetadataMode.EMBED)


def to_chunk(node: TextNode) -> Chunk:
    md = node.metadata
    return Chunk(
        id=node.node_id,
        paper_id=str(md["paper_id"]),
        index=int(md["chunk_index"]),
        text=node.get_content(metadata_mode=MetadataMode.NONE),
        start=int(md["start"]),
        end=int(md["end"]),
    )
