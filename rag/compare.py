"""Compare mode, "which papers do X": screen well beyond top-k and return the whole matching set.

Top-k retrieval answers "what is the best paper for X" but a researcher asking "which papers
evaluate on real robots" wants every one of them. So every paper of a small collection (up to
`SCREEN_ALL_MAX`) is screened, and in a larger one every paper the retriever ranks above a
relevance floor. Each screened paper is decided by the LLM (`screen_papers`, batched) or offline by
a calibrated threshold on its best sentence-level relevance to the criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.extractive import Corpus, Scored, best_by_paper, cite, relevance, score_sentences
from rag.schema import ComparedPaper, Paper, SearchFilters
from rag.sentences import terms

SCREEN_ALL_MAX = 300  # collections up to this size are screened completely
SCREEN_CANDIDATES = 300  # larger collections: this many retrieval candidates

# offline decision: a paper matches when its best sentence relevance to the criterion is at least
# COMPARE_THRESHOLD and within COMPARE_RELATIVE of the best paper's.
# Calibrated with `python eval/calibrate.py` on eval/seed_questions.jsonl (compare questions).
COMPARE_THRESHOLD = 0.33
COMPARE_RELATIVE = 0.30

_LEAD = re.compile(
    r"^\s*(?:(?:which|what)\s+(?:of\s+the\s+)?(?:[\w-]+\s+)?(?:papers?|works?|studies|articles)"
    r"|(?:list|find|show)(?:\s+(?:me|all))?\s+(?:the\s+)?(?:[\w-]+\s+)?"
    r"(?:papers?|works?|studies|articles))\s*(?:that|which|who)?\s*",
    re.IGNORECASE,
)


def criterion_of(question: str) -> str:
    """The property asked about: "Which papers evaluate on NER?" -> "evaluate on NER"."""
    q = question.strip().rstrip("?.! ").strip()
    c = _LEAD.sub("", q, count=1).strip()
    return c or q


@dataclass
class Decision:
    paper: Paper
    matches: bool
    evidence: str
    confidence: float
    relevance: float = 0.0


_ASIDE = re.compile(r"\([^)]*\)|\b(?:e\.g\.|i\.e\.|rather than)\b.*$", re.IGNORECASE)
ALT_MIN_IDF = 3.0  # an alternative must carry at least this much IDF to be screened on its own


def alternatives(criterion: str, corpus: Corpus) -> list[str]:
    """The criterion plus its disjuncts ("surveys, reviews or books" -> each), so a paper that
    has one alternative is not penalised for lacking the others; generic disjuncts are dropped."""
    core = _ASIDE.sub("", criterion).strip(" ,;")
    parts = [p.strip() for p in re.split(r",|;|\bor\b|\bsuch as\b", core) if p.strip()]
    if len(parts) < 2:
        return [criterion]
    keep = [p for p in parts if sum(corpus.term_idf(t) for t in set(terms(p))) >= ALT_MIN_IDF]
    return [criterion, *keep]


def screen_ids(pipeline, corpus: Corpus, question: str, filters: SearchFilters | None) -> list[str]:  # noqa: ANN001
    """Which papers to screen: all of a small collection, else the retrieval candidates."""
    if (filters is None or filters.is_empty()) and len(corpus.paper_ids) <= SCREEN_ALL_MAX:
        return list(corpus.paper_ids)
    if filters is not None and filters.ids and len(filters.ids) <= SCREEN_ALL_MAX:
        hits = pipeline.search(question, k=len(filters.ids), filters=filters)
        return [h.paper_id for h in hits]
    hits = pipeline.search(
        question, k=SCREEN_CANDIDATES, filters=filters, candidate_k=SCREEN_CANDIDATES
    )
    return [h.paper_id for h in hits]


def screen_offline(
    embedder,  # noqa: ANN001
    corpus: Corpus,
    criterion: str,
    papers: list[Paper],
    threshold: float = COMPARE_THRESHOLD,
    relative: float = COMPARE_RELATIVE,
) -> list[Decision]:
    """Decide every paper by its best sentence's relevance to the criterion (or to one of its
    alternatives)."""
    best: dict[str, tuple[float, Scored]] = {}
    for alt in alternatives(criterion, corpus):
        for pid, s in best_by_paper(score_sentences(embedder, corpus, alt, papers)).items():
            r = relevance(s)
            if pid not in best or r > best[pid][0]:
                best[pid] = (r, s)
    top = max((r for r, _ in best.values()), default=0.0)
    out: list[Decision] = []
    for p in papers:
        if p.id not in best:
            out.append(Decision(p, False, "", 0.0))
            continue
        r, s = best[p.id]
        ok = r >= threshold and r >= top - relative
        out.append(Decision(p, ok, s.sentence, _confidence(r, threshold), r))
    return out


def _confidence(r: float, threshold: float) -> float:
    """0.5 at the threshold, rising/falling linearly; a display hint, not a probability."""
    return float(min(1.0, max(0.0, 0.5 + (r - threshold) * 2.0)))


def rows_of(decisions: list[Decision]) -> list[ComparedPaper]:
    """Matching papers as table rows, most confident first."""
    rows = [
        ComparedPaper(
            paper_id=d.paper.id,
            title=d.paper.title,
            evidence=d.evidence,
            confidence=d.confidence,
            year=d.paper.year,
        )
        for d in decisions
        if d.matches
    ]
    rows.sort(key=lambda r: -r.confidence)
    return rows


def compose(
    criterion: str, rows: list[ComparedPaper], screened: int, number: dict[str, int]
) -> str:
    """The answer text: the count, then each match (title line, then its cited evidence)."""
    if not rows:
        return f"None of the {screened} papers screened clearly matches: {criterion}."
    noun = "paper" if len(rows) == 1 else "papers"
    lines = [f"{len(rows)} of the {screened} papers screened match: {criterion}."]
    for r in rows:
        year = f" ({r.year})" if r.year else ""
        lines.append(f"- {r.title}{year}")
        if r.evidence:
            lines.append(f"  {cite(r.evidence, number[r.paper_id])}")
        else:
            lines.append(f"  [{number[r.paper_id]}]")
    del noun
    return "\n".join(lines)
