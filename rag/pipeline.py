"""The one library API: a `Pipeline` built from one `Settings`. CLI, Streamlit and eval call this.

Heavy parts (Chroma client, embedding model, BM25 index) are opened on first use, so `rag stats`
does not load torch and the UI starts quickly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.embedding import Embedder, get_embedder
from rag.indexing import ingest, sparse_path, writer_lock
from rag.retrieval import Retriever
from rag.schema import Answer, Hit, IngestReport, Paper, SearchFilters
from rag.settings import Settings
from rag.store import Store

if TYPE_CHECKING:  # bm25s is imported when the BM25 index is first opened (not by `rag stats`)
    from rag.sparse import SparseIndex

GENERATION_CHECK_S = 2.0  # how often a reader looks for another process's ingest


class Pipeline:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._lock = threading.RLock()
        self._store: Store | None = None
        self._embedder: Embedder | None = None
        self._sparse: SparseIndex | None = None
        self._retriever: Retriever | None = None
        self._checked_at = 0.0  # last look for another process's ingest

    # --- parts, opened lazily ----------------------------------------------------------------
    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings)
            return self._store

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder(self.settings)
            return self._embedder

    @property
    def sparse(self) -> SparseIndex:
        with self._lock:
            if self._sparse is None:
                from rag.sparse import SparseIndex

                self._sparse = SparseIndex.open(self.store, sparse_path(self.settings))
            return self._sparse

    def _notice_other_writers(self) -> None:
        """`refresh` when another process has ingested since the BM25 index was opened, so a
        long-running UI sees papers added from the command line. Checked at most every few
        seconds: one metadata read."""
        now = time.monotonic()
        if self._sparse is None or now - self._checked_at < GENERATION_CHECK_S:
            return
        self._checked_at = now
        if self.store.generation != self._sparse.generation:
            self.refresh()

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            self._notice_other_writers()
            if self._retriever is None:
                sparse = self.sparse  # first: a model preloading meanwhile keeps loading
                emb = self.embedder
                self.store.check_model(emb.name, emb.dim)
                self._retriever = Retriever(self.settings, self.store, sparse, emb)
            return self._retriever

    def refresh(self) -> None:
        """Pick up writes made outside this Pipeline: the BM25 index is re-checked against Chroma,
        and an embedded Chroma client is reopened (its in-memory vector index does not see another
        process's writes; a server does)."""
        with self._lock:
            if self._store is not None and not self.settings.chroma_url:
                self._store.close()
                self._store = None
            self._sparse = None
            self._retriever = None

    # --- writing -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        prune: bool = False,
        reindex: bool = False,
        wait: float = 0.0,
        progress: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        lock = writer_lock(self.settings, wait)
        try:
            report, sparse = ingest(
                self.settings,
                self.store,
                self.embedder,
                paths,
                prune=prune,
                reindex=reindex,
                progress=progress,
                on_progress=on_progress,
            )
        finally:
            lock.release()
        with self._lock:
            if sparse is not None:  # None: nothing was written (a refused --reindex)
                self._sparse = sparse
                self._retriever = None
        return report

    # --- reading -----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        method: str = "fused",
        **kwargs: Any,
    ) -> list[Hit]:
        return self.retriever.search(query, k, filters, method=method, **kwargs)

    def papers(self, ids: list[str]) -> dict[str, Paper]:
        return self.store.get_papers(ids)

    def stats(self) -> dict[str, Any]:
        st = self.store
        desc = st.describe()
        desc["papers"] = st.paper_count()
        desc["answerer"] = (
            f"llm:{self.settings.llm_model}" if self.settings.llm_model else "extractive"
        )
        return desc

    # --- answering ---------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: list[Answer] | None = None,
        mode: str = "auto",
        filters: SearchFilters | None = None,
        k: int | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> Answer:
        """One answer (blocking). `history` is the list of earlier `Answer`s of this conversation;
        `on_stage` hears each step by name ("searching", "screening 79 papers", ...)."""
        from rag.answering import get_answerer

        return get_answerer(self).answer(
            question, history or [], mode=mode, filters=filters, k=k, on_stage=on_stage
        )

    def ask_stream(
        self,
        question: str,
        history: list[Answer] | None = None,
        mode: str = "auto",
        filters: SearchFilters | None = None,
        k: int | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> Iterator[str | Answer]:
        """Yields text deltas (str) as they are produced, then the final checked `Answer`."""
        from rag.answering import get_answerer

        yield from get_answerer(self).stream(
            question, history or [], mode=mode, filters=filters, k=k, on_stage=on_stage
        )

    def warm(self, sentences_max: int = 300) -> None:
        """Open what the first question needs (store, embedder, BM25, corpus statistics) and, for
        a collection of up to `sentences_max` papers, embed its sentences into the sentence
        cache, so a front end's first answer is as fast as later ones."""
        from rag.extractive import corpus_for
        from rag.sentences import embed_sentences, split_sentences

        if self.store.count() == 0:
            return
        self.search("warm", k=1)  # embedder, model check, BM25, Chroma's vector index
        corpus = corpus_for(self)
        if len(corpus.paper_ids) <= sentences_max:
            papers = self.papers(corpus.paper_ids)
            sents = [s for p in papers.values() for s in split_sentences(p.abstract)]
            embed_sentences(self.embedder, sents)

    def timed_search(self, query: str, **kwargs: Any) -> tuple[list[Hit], float]:
        t = time.perf_counter()
        hits = self.search(query, **kwargs)
        return hits, (time.perf_counter() - t) * 1000


def library(pipe: Pipeline, text: str = "", limit: int = 200) -> list[Paper]:
    """Browse the collection: papers whose title or abstract contains `text` (case-insensitive),
    sorted by title. Scans chunk metadata, which is fine for browsing, not for search."""
    needle = text.casefold().strip()
    seen: dict[str, tuple[str, str]] = {}
    for _, doc, md in pipe.store.iter_rows(include_documents=True):
        pid = str(md.get("paper_id"))
        title = str(md.get("title", ""))
        hay = seen.get(pid, (title, ""))[1] + " " + (doc or "")
        seen[pid] = (title, hay)
    ids = [
        pid
        for pid, (title, hay) in seen.items()
        if not needle or needle in title.casefold() or needle in hay.casefold()
    ]
    ids = sorted(ids, key=lambda pid: seen[pid][0].casefold())[:limit]
    found = pipe.papers(ids) if ids else {}
    return [found[pid] for pid in ids if pid in found]
