"""Hybrid paper search: dense (Chroma) and BM25 candidates, pooled to one score per paper, fused.

Fusion works on papers, not chunks, because a paper is what a researcher asks for and what the
answerer cites; llama-index's `QueryFusionRetriever` fuses chunk lists and cannot apply our
per-query metadata filters to BM25, so the few lines of fusion live here. Two methods, both
measured by `rag eval beir`: reciprocal-rank fusion, and a weighted sum of per-query normalised
scores (the default; its weight was tuned on SciFact train and the seed questions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.embedding import Embedder
from rag.glossary import described_names
from rag.schema import Hit, SearchFilters
from rag.settings import Settings
from rag.store import Store

if TYPE_CHECKING:
    from rag.sparse import SparseIndex


@dataclass
class _Pooled:
    score: float
    chunk_id: str
    text: str
    metadata: dict = field(default_factory=dict)


def _pool(hits: list) -> dict[str, _Pooled]:
    """Best chunk per paper, in the retriever's rank order (dicts keep insertion order)."""
    out: dict[str, _Pooled] = {}
    for h in hits:
        score = getattr(h, "similarity", None)
        if score is None:
            score = h.score
        pid = str(h.metadata.get("paper_id"))
        if pid not in out or score > out[pid].score:
            out[pid] = _Pooled(float(score), h.chunk_id, h.text, h.metadata)
    return dict(sorted(out.items(), key=lambda kv: -kv[1].score))


def normalise(scores: dict[str, float], how: str = "max") -> dict[str, float]:
    """Put one retriever's scores for one query on a 0..1 scale before weighting.

    "max" divides by the best score (keeps BM25's gaps; a weak top hit stays weak relative to
    nothing, though); "minmax" stretches the candidate range to 0..1; "zscore" centres on the
    candidates' mean. `bench/tune_fusion.py` measures all three."""
    if not scores:
        return {}
    vals = list(scores.values())
    hi, lo = max(vals), min(vals)
    if how == "minmax":
        span = hi - lo
        return {k: (v - lo) / span if span > 0 else 1.0 for k, v in scores.items()}
    if how == "zscore":
        mean = sum(vals) / len(vals)
        sd = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5 or 1.0
        return {k: (v - mean) / sd for k, v in scores.items()}
    if hi <= 0:
        return {k: 0.0 for k in scores}
    return {k: max(v, 0.0) / hi for k, v in scores.items()}


class Retriever:
    def __init__(
        self, settings: Settings, store: Store, sparse: SparseIndex, embedder: Embedder
    ) -> None:
        self.settings = settings
        self.store = store
        self.sparse = sparse
        self.embedder = embedder

    def dense_papers(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> dict[str, _Pooled]:
        emb = self.embedder.embed_query(query)
        return _pool(self.store.query(emb.tolist(), k, filters))

    def sparse_papers(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> dict[str, _Pooled]:
        return _pool(self.sparse.search(query, k, filters))

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        method: str = "fused",
        fusion: str | None = None,
        dense_weight: float | None = None,
        candidate_k: int | None = None,
    ) -> list[Hit]:
        """Top-k papers for a query. `method` is "fused", "dense" or "bm25"."""
        k = k or self.settings.top_k
        ck = max(candidate_k or self.settings.candidate_k, k)
        dense = self.dense_papers(query, ck, filters) if method in ("fused", "dense") else {}
        # a well-known name the query describes is searched for by name too (rag.glossary)
        keywords = " ".join([query, *described_names(query)])
        sparse = self.sparse_papers(keywords, ck, filters) if method in ("fused", "bm25") else {}
        if method == "dense":
            fused = {pid: p.score for pid, p in dense.items()}
        elif method == "bm25":
            fused = {pid: p.score for pid, p in sparse.items()}
        else:
            fused = fuse(
                {pid: p.score for pid, p in dense.items()},
                {pid: p.score for pid, p in sparse.items()},
                fusion or self.settings.fusion,
                self.settings.dense_weight if dense_weight is None else dense_weight,
                self.settings.rrf_k,
                self.settings.fusion_norm,
            )
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        hits: list[Hit] = []
        for pid, score in ranked:
            d, s = dense.get(pid), sparse.get(pid)
            best = _evidence_choice(d, s, dense, sparse)
            md = best.metadata
            year = md.get("year")
            hits.append(
                Hit(
                    paper_id=pid,
                    title=str(md.get("title", "")),
                    score=float(score),
                    evidence=best.text,
                    chunk_id=best.chunk_id,
                    year=int(year) if isinstance(year, int | float) and year != "" else None,
                    venue=str(md["venue"]) if md.get("venue") else None,
                    dense_score=d.score if d else None,
                    bm25_score=s.score if s else None,
                )
            )
        return hits


def _evidence_choice(
    d: _Pooled | None,
    s: _Pooled | None,
    dense: dict[str, _Pooled],
    sparse: dict[str, _Pooled],
) -> _Pooled:
    """The chunk the stronger retriever (relative to its own best) liked most."""
    if d is None or s is None:
        return d or s  # type: ignore[return-value]
    d_rel = d.score / max(next(iter(dense.values())).score, 1e-9)
    s_rel = s.score / max(next(iter(sparse.values())).score, 1e-9)
    return d if d_rel >= s_rel else s


def fuse(
    dense: dict[str, float],
    sparse: dict[str, float],
    method: str,
    dense_weight: float,
    rrf_k: int = 60,
    norm: str = "max",
) -> dict[str, float]:
    """Combine per-paper scores of the two retrievers; papers missing from one side get that
    side's floor (0 after "max"/"minmax" normalisation, the lowest seen for "zscore")."""
    if method == "rrf":
        out: dict[str, float] = {}
        for weight, scores in ((dense_weight, dense), (1.0 - dense_weight, sparse)):
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            for rank, (pid, _) in enumerate(ranked):
                out[pid] = out.get(pid, 0.0) + 2 * weight / (rrf_k + rank + 1)
        return out
    nd, ns = normalise(dense, norm), normalise(sparse, norm)
    fd = min(nd.values(), default=0.0) if norm == "zscore" else 0.0
    fs = min(ns.values(), default=0.0) if norm == "zscore" else 0.0
    return {
        pid: dense_weight * nd.get(pid, fd) + (1.0 - dense_weight) * ns.get(pid, fs)
        for pid in set(nd) | set(ns)
    }
