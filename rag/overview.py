"""What a collection holds, for a front end's first screen: its size, which fields it has (years,
venues: filters are offered only for those), its most frequent terms, and example questions (one
per mode) checked against the collection itself, so a new reader starts from questions that work.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.schema import Paper, SearchFilters
from rag.sentences import STOPWORDS, terms

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

TEXT_SAMPLE = 2000  # papers whose abstracts are read for terms (evenly spread over the collection)
TERMS = 8
CANDIDATES = 6  # example candidates tried per mode

_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# research vocabulary that names no topic; such a word may still end a phrase ("language models")
_GENERIC = frozenset(
    """paper papers propose proposed proposes approach approaches method methods model models
    result results show shows shown using use used based work works task tasks performance novel
    new also existing first well achieve achieves achieved however study studies framework across
    different various able demonstrate demonstrates including given large data way ways set many
    significantly significant improve improves improved outperforms state-of-the-art art state
    recent recently experiments experimental introduce introduces present presents key two three
    one address problem problems effective efficient further specifically particular towards
    toward via thus while whether often without even general specific diverse wide range
    available publicly made https http github com www code trained training train learn""".split()
)
# a name before the title's colon: "RoboFuME: Robot Fine-Tuning Made Easy" -> "RoboFuME"
_TITLE_NAME = re.compile(r"^\s*([A-Za-z][\w.+-]*[A-Z0-9][\w.+-]*)\s*:\s+\S")


@dataclass
class Example:
    mode: str  # qa | summary | compare
    question: str


@dataclass
class Overview:
    papers: int
    years: dict[int, int] = field(default_factory=dict)  # year -> papers
    venues: dict[str, int] = field(default_factory=dict)
    # (venue, year or None) -> papers: a year and a venue filter together are counted exactly
    venue_years: dict[tuple[str, int | None], int] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def with_year(self) -> int:
        return sum(self.years.values())

    def year_range(self) -> tuple[int, int] | None:
        return (min(self.years), max(self.years)) if self.years else None

    def matching(self, filters: SearchFilters | None) -> int:
        """How many papers the filters keep (a year filter drops papers without a year)."""
        if filters is None or filters.is_empty():
            return self.papers
        if filters.ids:
            return len(filters.ids)
        if filters.venue and not (filters.year_from or filters.year_to):
            return self.venues.get(filters.venue, 0)
        if filters.venue:
            lo, hi = filters.year_from or -math.inf, filters.year_to or math.inf
            return sum(
                n
                for (venue, y), n in self.venue_years.items()
                if venue == filters.venue and y is not None and lo <= y <= hi
            )
        return self._in_years(filters)

    def _in_years(self, f: SearchFilters) -> int:
        lo, hi = f.year_from or -math.inf, f.year_to or math.inf
        return sum(n for y, n in self.years.items() if lo <= y <= hi)

    def filter_note(self, filters: SearchFilters | None) -> str:
        """What the filters do to this collection, in words ("" when they keep every paper)."""
        if filters is None or filters.is_empty():
            return ""
        kept = self.matching(filters)
        if kept == 0:
            if (filters.year_from or filters.year_to) and not self.years:
                why = f"none of its {self.papers} papers has a year"
            elif filters.venue and (filters.year_from or filters.year_to):
                why = f"none of its {filters.venue} papers is from those years"
            elif filters.year_from or filters.year_to:
                lo, hi = self.year_range() or (0, 0)
                why = f"its papers with a year are from {lo}–{hi}"
            else:
                why = f"none of its {self.papers} papers matches"
            return f"The filters leave no paper of the collection ({why})."
        note = f"The filters keep {kept} of {self.papers} papers"
        missing = self.papers - self.with_year
        if (filters.year_from or filters.year_to) and missing:
            note += f" ({missing} without a year are left out)"
        return note + "."


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2]


def _phrases(words: list[str]) -> set[str]:
    """Phrases of 1-3 words between stop words: no generic word except as the last of two or
    three ("language models"), no number."""
    out: set[str] = set()
    for i in range(len(words)):
        for n in (1, 2, 3):
            gram = words[i : i + n]
            if len(gram) < n or any(w in STOPWORDS or w.isdigit() for w in gram):
                break
            if any(w in _GENERIC for w in gram[:-1]) or (n == 1 and gram[0] in _GENERIC):
                continue
            out.add(" ".join(gram))
    return out


def frequent_terms(papers: list[Paper], n: int = TERMS) -> list[str]:
    """The phrases most papers share, longer phrases weighted up. A single word in most papers
    says nothing ("learning"), and a phrase whose stems lie inside (or around) one already
    chosen adds nothing ("language model" next to "language models")."""
    df: Counter[str] = Counter()
    for p in papers:
        df.update(_phrases(_words(p.title + ". " + p.abstract)))
    floor = max(2, len(papers) // 50)
    ranked = sorted(
        (t for t, c in df.items() if c >= floor and (" " in t or c <= 0.4 * len(papers))),
        key=lambda t: (-(df[t] * (1 + 0.5 * t.count(" "))), t),
    )
    out: list[str] = []
    chosen: list[set[str]] = []
    for t in ranked:
        stems = set(terms(t))
        if any(stems <= c or c <= stems for c in chosen):
            continue
        out.append(t)
        chosen.append(stems)
        if len(out) == n:
            break
    return out


def _sample(ids: list[str], n: int) -> list[str]:
    if len(ids) <= n:
        return ids
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def _qa_example(pipe: Pipeline, papers: list[Paper]) -> Example | None:
    """ "What is NAME?" for a paper titled "NAME: ...", else a question about one short title,
    where search puts that paper first."""
    cands: list[tuple[str, Paper]] = []
    for p in papers:
        m = _TITLE_NAME.match(p.title)
        if m and len(m.group(1)) >= 3:
            cands.append((f"What is {m.group(1)}, and what does it achieve?", p))
    cands.sort(key=lambda c: (len(c[0]), c[0]))  # short, memorable names first
    if not cands:
        by_len = sorted(papers, key=lambda p: (len(p.title), p.id))
        cands = [(f"What does the paper “{p.title}” find?", p) for p in by_len]
    for q, p in cands[:CANDIDATES]:
        hits = pipe.search(q, k=1)
        if hits and hits[0].paper_id == p.id:
            return Example("qa", q)
    return None


def _summary_example(pipe: Pipeline, terms: list[str]) -> Example | None:
    """A summary over a frequent phrase that several retrieved papers actually mention."""
    for t in [t for t in terms if " " in t][:CANDIDATES]:
        q = f"Summarise what the papers say about {t}."
        hits = pipe.search(q, k=pipe.settings.top_k)
        if sum(t in (h.title + " " + h.evidence).lower() for h in hits) >= 3:
            return Example("summary", q)
    return None


def _compare_example(pipe: Pipeline, terms: list[str]) -> Example | None:
    """ "Which papers use X?" (X a phrase of two or more words) where offline screening finds
    a few papers: the fewest of at least two, below half of those screened."""
    from rag import compare as cmp
    from rag.extractive import corpus_for

    corpus = corpus_for(pipe)
    best: tuple[int, str] | None = None
    for t in [t for t in terms if " " in t][:CANDIDATES]:
        q = f"Which papers use {t}?"
        ids = cmp.screen_ids(pipe, corpus, q, None)
        pool = pipe.papers(ids)
        screened = [pool[i] for i in ids if i in pool]
        decisions = cmp.screen_offline(pipe.embedder, corpus, cmp.criterion_of(q), screened)
        hits = sum(d.matches for d in decisions)
        if 2 <= hits < len(screened) / 2 and (best is None or hits < best[0]):
            best = (hits, q)
    return Example("compare", best[1]) if best else None


def _used(ov: Overview) -> set[str]:
    """Terms the examples so far ask about (the next example picks another)."""
    return {w for ex in ov.examples for w in ex.question.lower().rstrip(".?").split()}


def build_overview(pipe: Pipeline) -> Overview:
    """One metadata pass over the store, abstracts of an even sample, and a few searches to
    check the example questions (the answerer's own retrieval and screening, offline)."""
    years: dict[str, int] = {}
    venues: dict[str, str] = {}
    ids: dict[str, None] = {}
    for _, _, md in pipe.store.iter_rows():
        pid = str(md.get("paper_id", ""))
        if pid in ids:
            continue
        ids[pid] = None
        y = md.get("year")
        if isinstance(y, int | float) and not isinstance(y, bool):
            years[pid] = int(y)
        if md.get("venue"):
            venues[pid] = str(md["venue"])
    ov = Overview(
        papers=len(ids),
        years=dict(sorted(Counter(years.values()).items())),
        venues=dict(Counter(venues.values()).most_common()),
        venue_years=dict(Counter((v, years.get(pid)) for pid, v in venues.items())),
    )
    if not ids:
        return ov
    found = pipe.papers(_sample(sorted(ids), TEXT_SAMPLE))
    papers = [found[i] for i in sorted(found)]
    phrases = frequent_terms(papers, 3 * TERMS)
    ov.terms = phrases[:TERMS]
    for make in (
        lambda: _qa_example(pipe, papers),
        lambda: _summary_example(pipe, phrases),
        lambda: _compare_example(pipe, [t for t in phrases if not set(t.split()) & _used(ov)]),
    ):
        ex = make()
        if ex is not None:
            ov.examples.append(ex)
    return ov
