"""All Chroma access lives here: opening the store (embedded or server), writing and deleting
chunks in batches, metadata queries, and the collection's record of which embedding model built it.

Writes go through llama-index's `ChromaVectorStore` (it lays out each node's metadata); queries
call Chroma directly and read that layout back, because importing llama_index.core costs a cold
`rag search` about as much as importing chromadb itself (README, "Ingest and query speed").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag.schema import Paper, SearchFilters
from rag.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

PAGE = 5000  # rows per `get` page when scanning the whole collection


class StoreError(RuntimeError):
    """A problem the user can fix (wrong model, unreachable server); the message says how."""


class ModelMismatchError(StoreError):
    pass


@dataclass
class PaperState:
    """What the store holds for one paper: used to decide what an ingest must (re)write."""

    hashes: set[str] = field(default_factory=set)
    n_chunks: int = 0
    chunk_ids: list[str] = field(default_factory=list)

    def complete_for(self, paper_hash: str) -> bool:
        return self.hashes == {paper_hash} and len(self.chunk_ids) == self.n_chunks


@dataclass
class DenseHit:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float  # cosine similarity in [-1, 1]


def make_client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreError(
                f"RAG_CHROMA_URL={settings.chroma_url!r} is not a http://host:port URL"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url}: {exc}"
            ) from exc
    path = settings.home / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chroma_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """Our filters as a Chroma `where` clause (what ChromaVectorStore makes of MetadataFilters)."""
    if filters is None or filters.is_empty():
        return None
    items: list[dict[str, Any]] = []
    if filters.year_from is not None:
        items.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        items.append({"year": {"$lte": filters.year_to}})
    if filters.venue:
        items.append({"venue": {"$eq": filters.venue}})
    if filters.ids:
        items.append({"paper_id": {"$in": list(filters.ids)}})
    return items[0] if len(items) == 1 else {"$and": items}


def node_metadata(md: dict[str, Any]) -> dict[str, Any]:
    """A node's own metadata from the flat dict llama-index stored (it keeps the whole node as
    JSON under `_node_content`, beside copies of the fields and its bookkeeping keys)."""
    content = md.get("_node_content")
    if content:
        return dict(json.loads(content).get("metadata") or {})
    return {k: v for k, v in md.items() if not k.startswith("_") and k not in _NODE_KEYS}


_NODE_KEYS = {"document_id", "doc_id", "ref_doc_id"}


class Store:
    """The Chroma collection of chunks, plus the model it was built with."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = make_client(settings)
        try:
            self.collection = self.client.get_or_create_collection(
                name=settings.collection,
                metadata={"hnsw:space": "cosine"},
                embedding_function=None,
            )
        except Exception as exc:
            raise StoreError(f"cannot open collection at {settings.store_location}: {exc}") from exc
        self._vector_store: ChromaVectorStore | None = None
        try:
            self.max_batch = int(self.client.get_max_batch_size())
        except Exception:
            self.max_batch = 5000

    @property
    def vector_store(self) -> ChromaVectorStore:
        """llama-index's view of the collection, for writes (imported on first write)."""
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    # --- model bookkeeping -------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """Read afresh: the collection object keeps the metadata it was opened with, and another
        process (a `rag ingest` beside a running UI) may have bumped the generation since."""
        try:
            coll = self.client.get_collection(self.settings.collection, embedding_function=None)
        except Exception:  # deleted under us: what we opened is all we know
            coll = self.collection
        return dict(coll.metadata or {})

    def model_info(self, md: dict[str, Any] | None = None) -> tuple[str | None, int | None]:
        md = self.meta if md is None else md
        dim = md.get("embed_dim")
        return md.get("embed_model"), int(dim) if dim is not None else None

    def _set_meta(self, **values: Any) -> None:
        md = self.meta
        md.update(values)
        md.pop("hnsw:space", None)  # space cannot be modified after creation
        self.collection.modify(metadata=md)

    def check_model(self, name: str, dim: int) -> None:
        """Refuse to mix vectors of two models: their similarities mean nothing together."""
        stored_name, stored_dim = self.model_info()
        if stored_name is None:
            return
        if stored_name != name or stored_dim != dim:
            raise ModelMismatchError(
                f"the collection {self.settings.collection!r} at {self.settings.store_location} was "
                f"built with embedding model {stored_name!r} (dim {stored_dim}), but the configured "
                f"model is {name!r} (dim {dim}). Re-index with `rag ingest --reindex PATH...` or "
                f"set RAG_EMBED_MODEL/RAG_EMBED_BACKEND back."
            )

    def claim_model(self, name: str, dim: int) -> None:
        self.check_model(name, dim)
        if self.model_info() != (name, dim):
            self._set_meta(embed_model=name, embed_dim=dim)

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    def bump_generation(self, papers: int | None = None, chunks: int | None = None) -> int:
        """Mark a change. `papers` records the paper count as of this generation, counted over
        `chunks` rows (so a reader can tell whether the rows are still the ones counted)."""
        gen = self.generation + 1
        extra: dict[str, Any] = {}
        if papers is not None:  # (Chroma metadata holds no None)
            extra = {"papers": papers, "papers_generation": gen}
            if chunks is not None:
                extra["papers_chunks"] = chunks
        self._set_meta(generation=gen, **extra)
        return gen

    def recorded_papers(self, md: dict[str, Any] | None = None) -> int | None:
        """The paper count the last complete ingest recorded, if no write came after it."""
        md = self.meta if md is None else md
        if "papers" in md and md.get("papers_generation") == md.get("generation", 0):
            return int(md["papers"])
        return None

    def paper_count(self) -> int:
        """The recorded count when the collection still holds exactly the rows it was counted
        over; else counted from the chunks. Two writers on one Chroma server (different
        RAG_HOME, so different locks) can interleave, and the record of the one that finished
        last may not have seen the other's rows: the row count tells."""
        md = self.meta
        recorded = self.recorded_papers(md)
        if recorded is not None and md.get("papers_chunks") == self.count():
            return recorded
        return len({row.get("paper_id") for _, _, row in self.iter_rows()})

    # --- reads -------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self.collection.count())

    def iter_rows(self, include_documents: bool = False) -> Iterator[tuple[str, str | None, dict]]:
        """Every chunk id with its metadata (and text), paged so memory stays flat."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            docs = page.get("documents") or [None] * len(ids)
            for cid, doc, md in zip(ids, docs, page["metadatas"], strict=True):
                yield cid, doc, dict(md or {})
            offset += len(ids)

    def paper_states(self) -> dict[str, PaperState]:
        states: dict[str, PaperState] = {}
        for cid, _, md in self.iter_rows():
            pid = str(md.get("paper_id", ""))
            st = states.setdefault(pid, PaperState())
            st.hashes.add(str(md.get("paper_hash", "")))
            st.n_chunks = max(st.n_chunks, int(md.get("n_chunks", 0) or 0))
            st.chunk_ids.append(cid)
        return states

    def get_papers(self, ids: list[str]) -> dict[str, Paper]:
        """Rebuild whole abstracts from their chunks (chunk offsets say where each piece goes)."""
        if not ids:
            return {}
        out: dict[str, Paper] = {}
        rows = self.collection.get(
            where={"paper_id": {"$in": list(ids)}}, include=["metadatas", "documents"]
        )
        parts: dict[str, list[tuple[int, str, dict]]] = {}
        for doc, md in zip(rows["documents"], rows["metadatas"], strict=True):
            parts.setdefault(str(md["paper_id"]), []).append(
                (int(md.get("start", 0)), doc or "", md)
            )
        for pid, pieces in parts.items():
            pieces.sort(key=lambda p: p[0])
            end = max(s + len(t) for s, t, _ in pieces)
            buf = [" "] * end
            for s, t, _ in pieces:
                buf[s : s + len(t)] = list(t)
            md = pieces[0][2]
            authors = tuple(a for a in str(md.get("authors", "")).split("; ") if a)
            year = md.get("year")
            out[pid] = Paper(
                id=pid,
                title=str(md.get("title", "")),
                abstract="".join(buf),
                authors=authors,
                year=int(year) if isinstance(year, int | float) and year != "" else None,
                venue=str(md["venue"]) if md.get("venue") else None,
                url=str(md["url"]) if md.get("url") else None,
            )
        return out

    def query(
        self, embedding: list[float], k: int, filters: SearchFilters | None = None
    ) -> list[DenseHit]:
        n = self.count()
        if n == 0:
            return []
        where = chroma_where(filters)
        res = self.collection.query(
            query_embeddings=[embedding],
            n_results=min(k, n),
            include=["documents", "metadatas", "distances"],
            **({"where": where} if where else {}),
        )
        hits: list[DenseHit] = []
        for cid, doc, md, dist in zip(
            res["ids"][0],
            res["documents"][0],
            res["metadatas"][0],
            res["distances"][0],
            strict=True,
        ):
            # cosine space: distance = 1 - cosine similarity
            hits.append(DenseHit(cid, doc or "", node_metadata(dict(md or {})), 1.0 - float(dist)))
        return hits

    # --- writes ------------------------------------------------------------------------------
    def add_nodes(self, nodes: list[TextNode]) -> None:
        step = max(1, min(self.settings.write_batch_size, self.max_batch))
        for i in range(0, len(nodes), step):
            self.vector_store.add(nodes[i : i + step])

    def delete_ids(self, ids: list[str]) -> None:
        step = max(1, min(self.settings.write_batch_size, self.max_batch))
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i : i + step])

    def close(self) -> None:
        """Let go of the client. Embedded Chroma keeps its vector index in memory and does not see
        another process's writes until the last client on the path closes and a new one opens."""
        try:
            self.client.close()
        except Exception:  # already closed, or a server that went away: nothing to release
            pass

    def drop(self) -> None:
        """Delete the whole collection (re-index with another model)."""
        # the generation keeps counting up: a fresh collection restarting at 0 could match an
        # old BM25 manifest (same generation and count) after a re-index killed half-way
        gen = self.generation
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception:
            pass
        self.collection = self.client.get_or_create_collection(
            name=self.settings.collection,
            metadata={"hnsw:space": "cosine", "generation": gen + 1},
            embedding_function=None,
        )
        self._vector_store = None

    def describe(self) -> dict[str, Any]:
        md = self.meta  # one read for all three fields
        name, dim = self.model_info(md)
        return {
            "store": self.settings.store_location,
            "collection": self.settings.collection,
            "chunks": self.count(),
            "embed_model": name,
            "embed_dim": dim,
            "generation": int(md.get("generation", 0)),
        }
