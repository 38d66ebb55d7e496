"""Answers turned into what a front end shows: citation chips, the compare table, summary theme
headings, filter and backend labels. Plain functions over `rag.schema` types, no UI framework, so
the Streamlit pages, the export and the tests share them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from rag.markup import citation_chip, evidence_excerpt
from rag.schema import Answer, Citation, Hit, Paper, SearchFilters
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

log = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("auto", "qa", "summary", "compare")
MODE_HELP = (
    "auto: decided from the question · qa: a cited answer · summary: grouped by theme · "
    "compare: which papers do X, screened beyond top-k"
)


@dataclass
class Turn:
    """One question and its outcome, as a front end keeps it for the conversation."""

    question: str
    mode: str
    filters: SearchFilters | None = None
    k: int | None = None
    answer: Answer | None = None
    papers: dict[str, Paper] = field(default_factory=dict)
    error: str = ""
    note: str = ""  # why nothing was searched (e.g. the filters leave no paper)
    rerun_of: int | None = None  # index of the turn whose rewritten question was edited
    seconds: float = 0.0


# --- filters ---------------------------------------------------------------------------------
def turn_filters(turn: Turn) -> str:
    """`describe_filters` for a turn: a compare screens every paper the filters keep, so its
    top-k is no part of what was searched."""
    compare = turn.answer is not None and turn.answer.mode == "compare"
    return describe_filters(turn.filters, None if compare else turn.k)


def describe_filters(filters: SearchFilters | None, k: int | None = None) -> str:
    """One line for the retrieval-state box."""
    parts: list[str] = []
    if k:
        parts.append(f"top-k {k}")
    if filters and filters.year_from:
        parts.append(f"year ≥ {filters.year_from}")
    if filters and filters.year_to:
        parts.append(f"year ≤ {filters.year_to}")
    if filters and filters.venue:
        parts.append(f"venue = {filters.venue}")
    if filters and filters.ids:
        parts.append(f"{len(filters.ids)} selected papers")
    return ", ".join(parts) if parts else "none"


def make_filters(
    year_from: int | None, year_to: int | None, venue: str | None = None
) -> SearchFilters | None:
    """Sidebar values -> filters (None when nothing is set, so the answerer skips filtering)."""
    f = SearchFilters(
        year_from=int(year_from) if year_from else None,
        year_to=int(year_to) if year_to else None,
        venue=venue or None,
    )
    return None if f.is_empty() else f


# --- labels ----------------------------------------------------------------------------------
def paper_meta_line(paper_id: str, year: int | None, venue: str | None) -> str:
    """'id · year · venue' with whatever is known; plain text (escape before Markdown)."""
    bits = [paper_id]
    if year:
        bits.append(str(year))
    if venue:
        bits.append(venue)
    return " · ".join(bits)


def citation_meta(c: Citation, paper: Paper | None) -> str:
    return paper_meta_line(
        c.paper_id, paper.year if paper else None, paper.venue if paper else None
    )


def is_llm(answer: Answer) -> bool:
    return answer.backend.startswith("llm")


def backend_label(answer: Answer) -> str:
    """What produced the answer; a fallback says so plainly."""
    if answer.notice and not is_llm(answer):
        return "extractive answer (fallback)"
    if is_llm(answer):
        return f"LLM answer ({answer.backend.split(':', 1)[-1]})"
    return "extractive answer"


def closest_papers(answer: Answer, n: int = 5) -> list[Hit]:
    return list(answer.retrieved[:n])


def endpoint_host(url: str | None) -> str:
    """Host[:port] of an endpoint URL: never the path, query or any user:password part."""
    if not url:
        return "api.openai.com (default)"
    try:
        parsed = urlparse(url if "//" in url else f"//{url}")
        host = parsed.hostname or "?"
        port = parsed.port
    except ValueError:
        return "(invalid URL)"
    return f"{host}:{port}" if port else host


def answerer_description(settings: Settings) -> str:
    """Which answerer answers; built from model and host only, so the key cannot leak."""
    if not settings.llm_model:
        return "extractive (offline: quotes sentences from the abstracts)"
    return f"LLM {settings.llm_model} at {endpoint_host(settings.llm_base_url)}"


def collection_lines(stats: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for the collection box."""
    return [
        ("papers", str(stats.get("papers", "?"))),
        ("chunks", str(stats.get("chunks", "?"))),
        ("embedding model", str(stats.get("embed_model") or "(none yet)")),
        ("store", str(stats.get("store", "?"))),
    ]


def short_error(exc: BaseException) -> str:
    """One line for an error box: the user's own problems verbatim, anything else by type only
    plus its first line (the traceback goes to the log, never to the page)."""
    from rag.errors import is_user_error

    first = (str(exc).strip().splitlines() or [""])[0][:300]
    if is_user_error(exc):
        return first or type(exc).__name__
    if first:
        return f"Something went wrong ({type(exc).__name__}: {first})"
    return f"Something went wrong ({type(exc).__name__})"


# --- citations -------------------------------------------------------------------------------
def citation_chips(answer: Answer, papers: dict[str, Paper]) -> dict[int, str]:
    """HTML chip per cited number: title, id/year/venue, support and the evidence marked in its
    context (see `rag.markup.citation_chip`)."""
    out: dict[int, str] = {}
    for c in answer.citations:
        out[c.n] = _chip(c, papers.get(c.paper_id), c.evidence, c.support)
    return out


def citation_chip_maker(answer: Answer, papers: dict[str, Paper]) -> Callable[[int], str | None]:
    """For `answer_markdown`: the k-th `[n]` marker of the answer, in reading order, becomes a
    chip with the evidence behind its own claim (a source cited by three sentences opens three
    different sentences), falling back to the source's best evidence."""
    by_n = {c.n: c for c in answer.citations}
    seen: dict[int, int] = {}

    def make(n: int) -> str | None:
        c = by_n.get(n)
        if c is None:
            return None
        k = seen.get(n, 0)
        seen[n] = k + 1
        evidence, support = c.quote(k)
        return _chip(c, papers.get(c.paper_id), evidence, support)

    return make


def _chip(c: Citation, paper: Paper | None, evidence: str, support: float) -> str:
    excerpt = evidence_excerpt(paper.abstract if paper else "", evidence)
    return citation_chip(c.n, c.title, citation_meta(c, paper), excerpt, support)


def cited_evidence(c: Citation) -> list[str]:
    """Every sentence the answer cites this source for, once each (the reference list and the
    export show them all)."""
    return list(dict.fromkeys([e for e, _ in c.quotes] or [c.evidence]))


# --- compare ---------------------------------------------------------------------------------
def decision_label(confidence: float) -> str:
    """The screening decision in words. The confidence is a display hint that saturates (not a
    probability), so the table says only whether a match sits near the decision threshold."""
    return "match" if confidence >= 0.6 else "match (borderline)"


def compare_rows(answer: Answer) -> list[dict[str, Any]]:
    """The compare table: one row per matching paper with its citation number; the year column
    only when some paper has a year."""
    number = {c.paper_id: c.n for c in answer.citations}
    with_year = any(p.year for p in answer.papers)
    rows: list[dict[str, Any]] = []
    for p in answer.papers:
        row: dict[str, Any] = {"ref": number.get(p.paper_id), "paper": p.title}
        if with_year:
            row["year"] = p.year
        row["evidence"] = p.evidence
        row["decision"] = decision_label(float(p.confidence))
        rows.append(row)
    return rows


def compare_caption(answer: Answer) -> str:
    n = len(answer.papers)
    screened = answer.screened or len(answer.retrieved)
    return f"{n} matching paper{'s' if n != 1 else ''} of {screened} screened"


def compare_lead(answer: Answer) -> str:
    """The first line of a compare answer (the count and criterion); the rows go in the table."""
    return (answer.answer.strip().splitlines() or [""])[0]


def compare_rest(answer: Answer) -> str:
    """After "which of these ...": the papers the reader named that do not match, each with its
    closest sentence (the part of the answer below the table); "" when there is none."""
    from rag.compare import NOT_MATCHING

    at = answer.answer.find(NOT_MATCHING)
    return answer.answer[at:].strip() if at >= 0 else ""


# --- fetching --------------------------------------------------------------------------------
def fetch_papers(pipe: Pipeline, answer: Answer) -> dict[str, Paper]:
    """The full records behind an answer's citations/table/closest papers (for abstracts,
    year and venue in the reference list)."""
    ids = [c.paper_id for c in answer.citations]
    ids += [p.paper_id for p in answer.papers]
    ids += [h.paper_id for h in answer.retrieved[:5]] if answer.abstained else []
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return {}
    try:
        return dict(pipe.papers(ids))
    except Exception:  # the reference list degrades to evidence only
        log.exception("could not fetch papers %s", ids)
        return {}


def history_answers(turns: list[Turn], upto: int | None = None) -> list[Answer]:
    """Earlier answers (the conversation context for follow-up rewriting)."""
    chosen = turns if upto is None else turns[:upto]
    return [t.answer for t in chosen if t.answer is not None]


def by_title(papers: list[Paper]) -> list[Paper]:
    """Browsing order (the store returns records in its own order)."""
    return sorted(papers, key=lambda p: (p.title.casefold(), p.id))
