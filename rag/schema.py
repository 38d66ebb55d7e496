"""Plain data types that flow between stages (loading -> chunking -> indexing -> retrieval -> answering).

They are dataclasses on purpose: no framework objects cross module boundaries, so each stage can be
tested alone and the CLI/UI/eval can serialise them with `asdict`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paper:
    """One abstract with its bibliographic fields; `id` is stable across re-ingests."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    source: str = ""  # "file:line" it came from, for error messages and provenance

    @property
    def content_hash(self) -> str:
        """Hash of what is embedded: a changed title or abstract means re-embedding."""
        h = hashlib.sha1()
        h.update(self.title.encode("utf-8"))
        h.update(b"\x00")
        h.update(self.abstract.encode("utf-8"))
        return h.hexdigest()[:16]

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (Chroma accepts only scalars)."""
        md: dict[str, Any] = {"paper_id": self.id, "title": self.title}
        if self.authors:
            md["authors"] = "; ".join(self.authors)
        if self.year is not None:
            md["year"] = int(self.year)
        if self.venue:
            md["venue"] = self.venue
        if self.url:
            md["url"] = self.url
        return md


@dataclass(frozen=True)
class LoadIssue:
    """A problem with one record or file; `where` is "path:line" (or just the path)."""

    where: str
    message: str
    level: str = "error"  # "error" (record skipped) or "warning" (record kept or merged)
    lost: bool = False  # records after this point (or the whole file) were not read

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


@dataclass
class LoadResult:
    papers: list[Paper] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    duplicates: int = 0  # records merged into an earlier paper (same id or same normalised title)


@dataclass(frozen=True)
class Chunk:
    """A piece of one abstract; offsets index into `Paper.abstract`."""

    id: str
    paper_id: str
    index: int
    text: str  # the abstract slice, verbatim
    start: int
    end: int


@dataclass
class Hit:
    """One retrieved paper with its best-matching chunk as evidence."""

    paper_id: str
    title: str
    score: float
    evidence: str
    chunk_id: str = ""
    year: int | None = None
    venue: str | None = None
    dense_score: float | None = None
    bm25_score: float | None = None

    def to_json(self, rank: int) -> dict[str, Any]:
        return {
            "rank": rank,
            "paper_id": self.paper_id,
            "title": self.title,
            "score": round(float(self.score), 6),
            "evidence": self.evidence,
        }


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # malformed records
    duplicates: int = 0
    removed: int = 0  # pruned
    chunks_written: int = 0
    issues: list[LoadIssue] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["issues"] = [str(i) for i in self.issues]
        return d


@dataclass
class SearchFilters:
    year_from: int | None = None
    year_to: int | None = None
    venue: str | None = None
    ids: list[str] | None = None

    def is_empty(self) -> bool:
        return not (self.year_from or self.year_to or self.venue or self.ids)


@dataclass
class Citation:
    """A source actually cited in an answer, renumbered by first use."""

    n: int
    paper_id: str
    title: str
    evidence: str  # the sentence(s) of the abstract that support the cited claim
    support: float  # 0..1, how well the cited abstract supports the claim
    # one (evidence, support) per claim that cites this source, in answer order: each `[n]`
    # marker opens the sentence behind its own claim, not the best one of all
    quotes: list[tuple[str, float]] = field(default_factory=list)

    def quote(self, k: int) -> tuple[str, float]:
        """The evidence and support behind the k-th `[n]` marker of this source."""
        return self.quotes[k] if 0 <= k < len(self.quotes) else (self.evidence, self.support)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "paper_id": self.paper_id,
            "title": self.title,
            "evidence": self.evidence,
            "support": round(float(self.support), 4),
            "quotes": [{"evidence": e, "support": round(float(s), 4)} for e, s in self.quotes],
        }


@dataclass
class ComparedPaper:
    """One row of the compare-mode table."""

    paper_id: str
    title: str
    evidence: str
    confidence: float
    year: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "paper_id": self.paper_id,
            "title": self.title,
            "evidence": self.evidence,
            "confidence": round(float(self.confidence), 4),
            "year": self.year,
        }


@dataclass
class Answer:
    question: str
    standalone_question: str
    mode: str  # "qa" | "summary" | "compare"
    backend: str  # "extractive" | "llm:<model>"
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    papers: list[ComparedPaper] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)  # sentences whose support is too low
    removed_citations: list[int] = field(default_factory=list)  # [n] that named no given source
    attributed: int = 0  # LLM sentences left uncited that got the source supporting them
    moved_citations: int = 0  # LLM sentences whose citation was moved to the supporting source
    notice: str = ""  # e.g. "LLM endpoint failed: ...; showing the extractive answer"
    screened: int = 0  # compare mode: how many papers were screened

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "mode": self.mode,
            "backend": self.backend,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "papers": [p.to_json() for p in self.papers],
            "retrieved": [
                {"paper_id": h.paper_id, "title": h.title, "score": round(float(h.score), 6)}
                for h in self.retrieved
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "flagged": self.flagged,
            "removed_citations": self.removed_citations,
            "attributed": self.attributed,
            "moved_citations": self.moved_citations,
            "notice": self.notice,
            "screened": self.screened,
        }
