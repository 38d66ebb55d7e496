"""Follow-up questions ("what dataset did it use?") rewritten into standalone ones before retrieval.

With an LLM the condense prompt does it. Offline, a question that leans on pronouns or is very
short carries the previous turn's cited papers: their titles are appended to the search query and
the papers are boosted (focus) when sentences are scored, while the follow-up's own words still
decide which sentence answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.schema import Answer
from rag.sentences import terms

_REFERS = re.compile(
    r"\b(?:it|its|they|them|their|theirs|this|that|these|those|he|she|his|her|there"
    r"|the (?:paper|papers|method|methods|model|models|work|authors|approach|study|system"
    r"|dataset|benchmark|technique|framework|follow-up(?: work)?))\b",
    re.IGNORECASE,
)
SHORT_TERMS = 3  # a question with this few content terms cannot stand alone
FOCUS_MAX = 2  # carry at most the first papers cited by the previous answer


@dataclass
class Rewrite:
    standalone: str  # what retrieval searches for
    focus_ids: list[str] = field(default_factory=list)  # earlier papers the question refers to
    scoring_question: str = ""  # what sentences are scored against

    def __post_init__(self) -> None:
        if not self.scoring_question:
            self.scoring_question = self.standalone


def needs_context(question: str) -> bool:
    """Leans on earlier turns: a pronoun / "the paper", or too few content words."""
    return bool(_REFERS.search(question)) or len(set(terms(question))) <= SHORT_TERMS


def previous_papers(history: list[Answer]) -> tuple[Answer | None, list[tuple[str, str]]]:
    """The latest answered turn and its (paper_id, title) in citation (or table) order."""
    for a in reversed(history):
        if a.abstained:
            continue
        pairs = [(c.paper_id, c.title) for c in a.citations]
        pairs += [(p.paper_id, p.title) for p in a.papers]
        pairs = list(dict.fromkeys(pairs))
        if pairs:
            return a, pairs
    return None, []


def carry_over(question: str, history: list[Answer]) -> Rewrite:
    """Offline rewrite: append the previous turn's main paper title(s) to the search query."""
    q = question.strip()
    if not history or not needs_context(q):
        return Rewrite(q)
    prev, pairs = previous_papers(history)
    if prev is None:
        return Rewrite(q)
    focus = pairs[:FOCUS_MAX] if prev.mode != "compare" else pairs[:10]
    titles = "; ".join(t for _, t in focus[:FOCUS_MAX])
    standalone = f"{q} (about: {titles})" if titles else q
    return Rewrite(standalone, [pid for pid, _ in focus], scoring_question=q)


def condense(settings, question: str, history: list[Answer], client=None) -> Rewrite:  # noqa: ANN001
    """LLM rewrite (raises rag.llm.LLMError; the caller falls back to `carry_over`)."""
    from rag.generation import condense_question

    q = question.strip()
    if not history:
        return Rewrite(q)
    pairs = [(a.question, a.answer) for a in history]
    standalone = condense_question(settings, pairs, q, client=client) or q
    _, prev = previous_papers(history)
    focus = [pid for pid, _ in prev[:FOCUS_MAX]] if needs_context(q) else []
    return Rewrite(standalone, focus)
