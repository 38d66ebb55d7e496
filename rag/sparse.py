"""The BM25 side of hybrid search: llama-index's `BM25Retriever` (bm25s + PyStemmer) built over the
same chunks as Chroma, persisted beside it, and rebuilt from Chroma whenever the two disagree.

Agreement is checked cheaply on open: the manifest records the Chroma collection's `generation`
(bumped at the end of every ingest) and chunk count; any difference means an ingest was interrupted
or another writer ran, and the index is rebuilt from Chroma, the source of truth.

Saving and loading hold a file lock beside the index (`bm25-<collection>.lock`): an ingest and a
search or UI process that found the index stale may both save it, and the save swaps directories.

Building and saving go through llama-index; opening a saved index and searching it do not: they
read bm25s's files and the node layout directly (`PersistedBM25`), because importing
llama_index.core would cost a cold `rag search` about as much as importing chromadb itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
from filelock import FileLock

from rag.schema import SearchFilters
from rag.store import Store

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

MANIFEST = "manifest.json"
RETRIEVER_SETTINGS = (
    "retriever.json"  # llama-index's BM25Retriever.persist writes its settings here
)


def _import_bm25s() -> ModuleType:
    """`import bm25s` without scipy when nothing has loaded scipy yet: bm25s tries
    `import scipy.sparse` (~0.1 s of CPU, a tenth of a cold `rag search`) only for its optional
    `csc_backend="scipy"`, which neither llama-index's BM25Retriever nor this module selects
    (both build with bm25s's default numpy backend). scipy stays importable afterwards."""
    if "scipy" in sys.modules:
        import bm25s
    else:
        sys.modules["scipy"] = None  # type: ignore[assignment]  # makes `import scipy` fail
        try:
            import bm25s
        finally:
            del sys.modules["scipy"]
    return bm25s


bm25s = _import_bm25s()


@dataclass
class SparseHit:
    chunk_id: str
    text: str
    metadata: dict
    score: float


def _lock(path: Path, reading: bool = False) -> FileLock | contextlib.nullcontext:
    """The index's lock. Reading a store this process cannot write to (a read-only copy, or
    nothing there yet) needs none: nobody can be saving there."""
    if reading and not os.access(path.parent, os.W_OK):
        return contextlib.nullcontext()
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path.with_name(path.name + ".lock")))


class PersistedBM25:
    """What `SparseIndex` needs of a saved `BM25Retriever`, loaded without llama-index: the bm25s
    index with its corpus (llama-index's node dicts), and the retriever's tokenising settings.
    `BM25Retriever.persist` saves none of those settings, so loading it back uses its defaults
    (English stemmer and stopwords, its token pattern); so does this."""

    token_pattern = r"(?u)\b\w\w+\b"  # BM25Retriever's default
    skip_stemming = False

    def __init__(self, path: Path) -> None:
        import Stemmer

        self.bm25 = bm25s.BM25.load(str(path), load_corpus=True)
        self.corpus = self.bm25.corpus
        self.stemmer = Stemmer.Stemmer("english")
        self._settings_file = Path(path) / RETRIEVER_SETTINGS

    def persist(self, path: str, **kwargs: Any) -> None:
        """Save it back as `BM25Retriever.persist` does: bm25s's files with the corpus, and the
        retriever's settings file it was loaded with (a reader may have to re-save what it
        opened, e.g. after noticing a stale manifest)."""
        self.bm25.save(path, corpus=self.corpus, **kwargs)
        if self._settings_file.exists():
            shutil.copyfile(self._settings_file, Path(path) / RETRIEVER_SETTINGS)


def node_text_and_metadata(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The text and metadata of a node dict as llama-index stores it (the whole node as JSON under
    `_node_content`); what `metadata_dict_to_node(item).get_content()` and `.metadata` give."""
    node = json.loads(item["_node_content"])
    return str(node.get("text") or ""), dict(node.get("metadata") or {})


class SparseIndex:
    def __init__(
        self, retriever: BM25Retriever | PersistedBM25 | None, nodes_meta: list[dict]
    ) -> None:
        self.retriever = retriever
        self.generation = -1  # the store generation this index matches (set on open/save)
        self._meta = nodes_meta
        self.ids = [m["node_id"] for m in nodes_meta]
        years = [m.get("year") for m in nodes_meta]
        self._years = np.array(
            [float(y) if isinstance(y, int | float) and y != "" else np.nan for y in years]
        )
        self._venues = np.array([str(m.get("venue") or "") for m in nodes_meta], dtype=object)
        self._papers = np.array([str(m.get("paper_id")) for m in nodes_meta], dtype=object)

    def __len__(self) -> int:
        return len(self.ids)

    def paper_count(self) -> int:
        return len(set(self._papers.tolist()))

    # --- building and persistence ------------------------------------------------------------
    @classmethod
    def build(cls, nodes: list[TextNode]) -> SparseIndex:
        if not nodes:
            return cls(None, [])
        from llama_index.retrievers.bm25 import BM25Retriever

        # top_k is only a default (search passes k); above the corpus size the retriever warns
        top_k = min(10, len(nodes))
        retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=top_k)
        return cls(retriever, retriever.corpus)

    @classmethod
    def from_store(cls, store: Store) -> SparseIndex:
        from llama_index.core.vector_stores.utils import metadata_dict_to_node

        nodes: list[TextNode] = []
        for cid, doc, md in store.iter_rows(include_documents=True):
            node = metadata_dict_to_node(md, text=doc or "")
            node.id_ = cid
            nodes.append(node)  # type: ignore[arg-type]
        return cls.build(nodes)

    def save(self, path: Path, generation: int, count: int) -> None:
        self.generation = generation
        with _lock(path):
            tmp = path.with_name(path.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if self.retriever is not None:
                self.retriever.persist(str(tmp), show_progress=False)
            (tmp / MANIFEST).write_text(json.dumps({"generation": generation, "count": count}))
            old = path.with_name(path.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if path.exists():
                path.rename(old)
            tmp.rename(path)  # the swap is the commit point: a crash leaves either old or new
            shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> tuple[SparseIndex, dict] | None:
        with _lock(path, reading=True):
            return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> tuple[SparseIndex, dict] | None:
        manifest_file = path / MANIFEST
        if not manifest_file.exists():
            return None
        try:
            manifest = json.loads(manifest_file.read_text())
            if int(manifest.get("count", 0)) == 0:
                return cls(None, []), manifest
            retriever = PersistedBM25(path)
            return cls(retriever, retriever.corpus), manifest
        except Exception as exc:  # a damaged index is rebuilt, never fatal
            print(f"rag: BM25 index at {path} is unreadable ({exc}); rebuilding", file=sys.stderr)
            return None

    @classmethod
    def open(cls, store: Store, path: Path) -> SparseIndex:
        """Load the persisted index if it matches Chroma, else rebuild it from Chroma."""
        gen, count = store.generation, store.count()
        loaded = cls.load(path)
        if loaded is not None:
            index, manifest = loaded
            if manifest.get("generation") == gen and manifest.get("count") == count:
                index.generation = gen
                return index
            print(
                f"rag: BM25 index out of date (store generation {gen}, {count} chunks; index "
                f"{manifest.get('generation')}, {manifest.get('count')}); rebuilding",
                file=sys.stderr,
            )
        index = cls.from_store(store)
        index.save(path, gen, len(index))  # the rows read: a write since then shows as a mismatch
        return index

    # --- querying ----------------------------------------------------------------------------
    def _mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty():
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if filters.year_from is not None:
            mask &= self._years >= filters.year_from
        if filters.year_to is not None:
            mask &= self._years <= filters.year_to
        if filters.venue:
            mask &= self._venues == filters.venue
        if filters.ids:
            mask &= np.isin(self._papers, np.array(list(filters.ids), dtype=object))
        return mask.astype(np.float32)

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[SparseHit]:
        if self.retriever is None or not self.ids:
            return []
        r = self.retriever
        tokens = bm25s.tokenize(
            query,
            stopwords="en",
            stemmer=r.stemmer if not r.skip_stemming else None,
            token_pattern=r.token_pattern,
            show_progress=False,
        )
        if not tokens.ids or not tokens.ids[0]:
            return []
        mask = self._mask(filters)
        if mask is not None and not mask.any():
            return []
        idx, scores = r.bm25.retrieve(
            tokens, k=min(k, len(self.ids)), show_progress=False, weight_mask=mask
        )
        hits: list[SparseHit] = []
        for i, s in zip(idx[0], scores[0], strict=True):
            if s <= 0:
                continue
            item = i if isinstance(i, dict) else self._meta[int(i)]
            text, metadata = node_text_and_metadata(item)
            hits.append(SparseHit(item["node_id"], text, metadata, float(s)))
        return hits
