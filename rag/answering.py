"""Answer orchestration: mode routing, follow-up rewriting, retrieval, abstention, the extractive
or LLM answer, and the citation check every answer passes through.

`get_answerer(pipeline)` returns one cached `Answerer` per pipeline. `stream()` yields text deltas
then the final checked `Answer`; `answer()` returns just the final one. Without `llm_model` the
extractive answerer runs; with it, the LLM streams and any `LLMError` falls back to the extractive
answer with a notice, so the chat never breaks on a flaky endpoint.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

from rag import compare as cmp
from rag.citations import check_citations, number_sources
from rag.conversation import Rewrite, carry_over, condense
from rag.extractive import (
    NUMBER,
    Corpus,
    Scored,
    cite,
    compose_qa,
    corpus_for,
    drop_boilerplate,
    ensure_number,
    hit_prior,
    missing_entities,
    mmr_select,
    relevance,
    score_sentences,
)
from rag.schema import Answer, Hit, Paper, SearchFilters
from rag.sentences import STOPWORDS, entities, mentioned, terms

MODES = ("qa", "summary", "compare")

# Abstain when answerability = best sentence relevance - OOV_WEIGHT * (IDF share of question
# terms that no abstract contains) is below ABSTAIN_THRESHOLD, or when the question names a
# specific thing (acronym, model/dataset name, number) that no retrieved abstract mentions.
# Calibrated with `.venv/bin/python eval/calibrate.py` (answerable vs unanswerable questions of
# eval/seed_questions.jsonl).
ABSTAIN_THRESHOLD = 0.25
OOV_WEIGHT = 0.60

# Answer-type and co-occurrence checks (rules, no fitted constants; with them the fitted
# ABSTAIN_THRESHOLD/OOV_WEIGHT above are unchanged, leave-one-question-out in eval/calibrate.py):
# * "how many X" needs a sentence that has both a number and X, in the papers naming the
#   question's specific names (so "How many parameters does RT-H have?" is not answered by a
#   sentence about RT-H without any parameter count);
# * a direct comparison ("A vs B", "against GPT-4", "which is better, A or B") needs one abstract
#   that names every specific name of the question.
HOW_MANY_SCAN = 40  # how many of the best-scored candidate sentences the quantity check reads
_HOW_MANY = re.compile(r"\bhow many\s+", re.IGNORECASE)
_HEAD_STOP = frozenset({"do", "does", "did", "was", "were", "is", "are", "have", "has", "had"})
_COMPARATIVE = re.compile(
    r"\b(?:against|versus|vs\.?|head-to-head|better|worse|outperform\w*|beats?"
    r"|compared?\s+(?:with|to|against)|how\s+does\s+\S+\s+compare)\b",
    re.IGNORECASE,
)

QA_SENTENCES = 3  # a direct answer: 2-4 sentences
QA_SENTENCES_MAX = 4
QA_WINDOW = 0.12  # further sentences must score within this of the best one
# a quantity question ("how quickly", "how many") may bring in a number-bearing sentence of a
# chosen paper scoring within this of the best one (rule; checked by eval/calibrate.py's
# gold-cited and fact rates, not fitted)
NUMBER_WINDOW = 0.30
SUMMARY_PAPERS = 6
SUMMARY_WINDOW = 0.15
THEME_COS = 0.55  # papers whose chosen sentences are this similar share a theme paragraph
FOCUS_PRIOR = 1.0  # prior of papers a follow-up refers to (same as the top retrieval hit)

_COMPARE_CUES = re.compile(
    r"\b(?:which|what)\s+(?:of\s+the\s+)?(?:[\w-]+\s+)?(?:papers|works|studies|articles)\b"
    r"|\b(?:list|find|show)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:[\w-]+\s+)?papers\b"
    r"|\bhow many papers\b",
    re.IGNORECASE,
)
_SUMMARY_CUES = re.compile(
    r"\bsummari[sz](?:e|ing|ation)\b|\bsummary\b|\boverview\b|\bwhat do (?:these|the) papers say\b"
    r"|\bwhat do the papers say\b",
    re.IGNORECASE,
)


def route(question: str) -> str:
    """Cue-word routing: summary cues win over compare cues ("summarise what the papers say")."""
    if _SUMMARY_CUES.search(question):
        return "summary"
    if _COMPARE_CUES.search(question):
        return "compare"
    return "qa"


@dataclass
class Gate:
    """Why a question is (not) answerable from the candidates; kept for calibration."""

    answerable: bool
    score: float
    relevance: float
    oov: float
    missing: list[str] = field(default_factory=list)
    why: str = ""  # a failed rule, in words, for the abstention message


def quantity_head(question: str) -> str | None:
    """The counted noun of a "how many X ..." question ("how many real robot demonstrations was"
    -> "demonstrations"): the last word before a stop word, punctuation or a past participle."""
    m = _HOW_MANY.search(question)
    if not m:
        return None
    head = None
    for w in re.findall(r"[\w-]+|[^\w\s]", question[m.end() :]):
        lw = w.lower()
        if not (w[0].isalnum()) or lw in STOPWORDS or lw in _HEAD_STOP:
            break
        if head and lw.endswith("ed"):
            break
        head = w
    return head


def _text(p: Paper) -> str:
    return (p.title + "\n" + p.abstract).lower()


def known_entities(question: str, corpus: Corpus) -> list[str]:
    """The question's specific names that some abstract of the collection mentions."""
    return [e for e in entities(question) if mentioned(e, corpus.text_lower)]


def unsupported(question: str, scored: list[Scored], papers: list[Paper], corpus: Corpus) -> str:
    """Why the candidates cannot hold the kind of answer asked for ("" when they can)."""
    ents = known_entities(question, corpus)
    if len(ents) >= 2 and _COMPARATIVE.search(question):
        if not any(all(mentioned(e, _text(p)) for e in ents) for p in papers):
            return f"no abstract compares {' and '.join(ents)} directly"
    head = quantity_head(question)
    ht = terms(head) if head else []
    if ht:
        about = {p.id for p in papers if ents and all(e.lower() in _text(p) for e in ents)}
        cand = [s for s in scored if not about or s.paper_id in about][:HOW_MANY_SCAN]
        if not any(NUMBER.search(s.sentence) and ht[0] in terms(s.sentence) for s in cand):
            return f"none of them gives a number of {head}"
    return ""


def oov_share(question: str, corpus: Corpus) -> float:
    """IDF share of the question's plain terms that appear in no abstract at all."""
    qt = {t for t in terms(question) if "-" not in t}
    if not qt:
        return 0.0
    total = sum(corpus.term_idf(t) for t in qt)
    return sum(corpus.term_idf(t) for t in qt if t not in corpus.idf) / total if total else 0.0


def gate(
    question: str,
    scored: list[Scored],
    papers: list[Paper],
    corpus: Corpus,
    threshold: float = ABSTAIN_THRESHOLD,
    oov_weight: float = OOV_WEIGHT,
) -> Gate:
    rel = max((relevance(s) for s in scored), default=0.0)
    oov = oov_share(question, corpus)
    missing = missing_entities(question, papers)
    score = rel - oov_weight * oov
    why = "" if missing else unsupported(question, scored, papers, corpus)
    ok = not missing and not why and score >= threshold and bool(scored)
    return Gate(ok, score, rel, oov, missing, why)


class Answerer:
    """One per pipeline: holds nothing but caches (corpus stats live in rag.extractive)."""

    def __init__(self, pipeline) -> None:  # noqa: ANN001 - rag.pipeline.Pipeline
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.abstain_threshold = ABSTAIN_THRESHOLD
        self.oov_weight = OOV_WEIGHT
        self.use_judge = False  # LLM support judge per cited sentence (costly; off by default)
        self.abstain = True  # calibration turns this off to see the raw answers

    # --- public ------------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        history: list[Answer] | None = None,
        mode: str = "auto",
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Answer:
        final: Answer | None = None
        for item in self.stream(question, history or [], mode=mode, filters=filters, k=k):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: list[Answer] | None = None,
        mode: str = "auto",
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Iterator[str | Answer]:
        t0 = time.perf_counter()
        question = (question or "").strip()
        history = history or []
        if mode not in ("auto", *MODES):
            raise ValueError(f"unknown mode {mode!r}: use auto, qa, summary or compare")
        if not question:
            raise ValueError("empty question")
        chosen = route(question) if mode == "auto" else mode
        timings: dict[str, float] = {}
        notice = ""

        rw, notice = self._rewrite(question, history)
        t1 = time.perf_counter()
        timings["rewrite"] = (t1 - t0) * 1000
        corpus = corpus_for(self.pipeline)
        hits = self._retrieve(rw, filters, k)
        papers_by_id = self.pipeline.papers([h.paper_id for h in hits]) if hits else {}
        papers = [papers_by_id[h.paper_id] for h in hits if h.paper_id in papers_by_id]
        t2 = time.perf_counter()
        timings["retrieve"] = (t2 - t1) * 1000

        base = Answer(
            question=question,
            standalone_question=rw.standalone,
            mode=chosen,
            backend="extractive",
            answer="",
            abstained=False,
            retrieved=hits,
            notice=notice,
        )
        if chosen == "compare":
            yield from self._compare(base, rw, corpus, papers, filters, timings, t0, t2)
            return

        prior = hit_prior(hits)
        for pid in rw.focus_ids:
            prior[pid] = max(prior.get(pid, 0.0), FOCUS_PRIOR)
        scored = score_sentences(self.pipeline.embedder, corpus, rw.scoring_question, papers, prior)
        g = gate(
            rw.scoring_question, scored, papers, corpus, self.abstain_threshold, self.oov_weight
        )
        if self.abstain and not g.answerable:
            yield self._finish(self._abstain(base, papers, g), timings, t0, t2)
            return

        if self.settings.llm_model:
            yield from self._llm(base, rw, chosen, papers, scored, timings, t0, t2)
            return
        ans = self._extractive(base, chosen, papers, scored)
        final = self._finish(ans, timings, t0, t2)
        if final.answer:
            yield final.answer
        yield final

    # --- steps -------------------------------------------------------------------------------
    def _rewrite(self, question: str, history: list[Answer]) -> tuple[Rewrite, str]:
        if not history:
            return Rewrite(question), ""
        if self.settings.llm_model:
            from rag.llm import LLMError

            try:
                return condense(self.settings, question, history), ""
            except LLMError as exc:
                return carry_over(question, history), f"{exc}; follow-up rewritten offline"
        return carry_over(question, history), ""

    def _retrieve(self, rw: Rewrite, filters: SearchFilters | None, k: int | None) -> list[Hit]:
        k = k or self.settings.top_k
        hits = self.pipeline.search(rw.standalone, k=k, filters=filters)
        if rw.focus_ids:
            have = {h.paper_id for h in hits}
            want = [pid for pid in rw.focus_ids if pid not in have]
            if want:
                f = SearchFilters(
                    year_from=filters.year_from if filters else None,
                    year_to=filters.year_to if filters else None,
                    venue=filters.venue if filters else None,
                    ids=want,
                )
                extra = self.pipeline.search(rw.standalone, k=len(want), filters=f)
                hits = hits[: max(0, k - len(extra))] + extra
        return hits

    def _extractive(
        self, base: Answer, mode: str, papers: list[Paper], scored: list[Scored]
    ) -> Answer:
        sources = number_sources(papers)
        number = {p.id: n for n, p in sources}
        scored = drop_boilerplate(base.question, scored) or scored
        if mode == "summary":
            text = self._summary_text(scored, papers, number)
        else:
            top = scored[0].score if scored else 0.0
            chosen = mmr_select(scored, QA_SENTENCES, top - QA_WINDOW)
            chosen = ensure_number(
                base.question, chosen, scored, top - NUMBER_WINDOW, QA_SENTENCES_MAX
            )
            text = compose_qa(chosen, number)
        checked = check_citations(text, sources, self.pipeline.embedder)
        base.answer = checked.text
        base.citations = checked.citations
        base.flagged = checked.flagged
        base.removed_citations = checked.removed
        return base

    def _summary_text(
        self, scored: list[Scored], papers: list[Paper], number: dict[str, int]
    ) -> str:
        """One or two sentences per relevant paper, papers grouped into theme paragraphs."""
        if not scored:
            return ""
        top = scored[0].score
        by_paper: dict[str, list[Scored]] = {}
        for s in scored:
            if s.score >= top - SUMMARY_WINDOW:
                by_paper.setdefault(s.paper_id, []).append(s)
        pids = list(by_paper)[:SUMMARY_PAPERS]
        titles = {p.id: p for p in papers}
        picks: dict[str, list[Scored]] = {}
        for pid in pids:
            ss = mmr_select(by_paper[pid], 2, by_paper[pid][0].score - 0.05, per_paper=2)
            picks[pid] = sorted(ss, key=lambda s: s.position)
        themes: list[list[str]] = []
        for pid in pids:
            v = picks[pid][0].vec
            for group in themes:
                if float(v @ picks[group[0]][0].vec) >= THEME_COS:
                    group.append(pid)
                    break
            else:
                themes.append([pid])
        paras: list[str] = []
        for group in themes:
            lines: list[str] = []
            for pid in group:
                p = titles[pid]
                year = f" ({p.year})" if p.year else ""
                cited = " ".join(cite(s.sentence, number[pid]) for s in picks[pid])
                lines.append(f"- {p.title}{year}:\n  {cited}")
            paras.append("\n".join(lines))
        n = len(pids)
        head = f"{n} paper{'s' if n != 1 else ''} address this"
        head += f", in {len(themes)} groups:" if len(themes) > 1 else ":"
        return head + "\n\n" + "\n\n".join(paras)

    def _abstain(self, base: Answer, papers: list[Paper], g: Gate) -> Answer:
        why = (
            f"none of them mentions {', '.join(g.missing)}"
            if g.missing
            else g.why or "none of them is close enough to the question"
        )
        lines = [f"I could not find an answer in the indexed abstracts ({why})."]
        if papers:
            lines.append("The closest papers found:")
            for p in papers[:3]:
                year = f" ({p.year})" if p.year else ""
                lines.append(f"- {p.title}{year}")
        base.answer = "\n".join(lines)
        base.abstained = True
        return base

    def _compare(
        self,
        base: Answer,
        rw: Rewrite,
        corpus: Corpus,
        papers: list[Paper],
        filters: SearchFilters | None,
        timings: dict[str, float],
        t0: float,
        t2: float,
    ) -> Iterator[str | Answer]:
        criterion = cmp.criterion_of(rw.scoring_question)
        ids = cmp.screen_ids(self.pipeline, corpus, rw.standalone, filters)
        if rw.focus_ids:
            ids = [i for i in ids if i in set(rw.focus_ids)] or ids
        pool = self.pipeline.papers(ids)
        screened = [pool[i] for i in ids if i in pool]
        missing = missing_entities(criterion, screened)
        if self.abstain and missing:
            g = Gate(False, 0.0, 0.0, 0.0, missing)
            yield self._finish(self._abstain(base, papers, g), timings, t0, t2)
            return
        decisions = None
        if self.settings.llm_model:
            from rag.generation import screen_papers, screening_excerpt
            from rag.llm import LLMError

            try:
                conf = {
                    d.paper.id: d
                    for d in cmp.screen_offline(self.pipeline.embedder, corpus, criterion, screened)
                }
                # the LLM judges the papers the offline screen ranks best (and every offline
                # match); the rest are decided offline, which keeps a CPU model's cost bounded
                cap = self.settings.llm_screen_max or len(screened)
                by_rel = sorted(screened, key=lambda p: -conf[p.id].relevance)
                judged = by_rel[:cap] + [p for p in by_rel[cap:] if conf[p.id].matches]
                sent = {p.id for p in judged}
                shown = [screening_excerpt(p, conf[p.id].evidence) for p in judged]
                found = screen_papers(self.settings, criterion, shown)
                found += [(p.id, False, "") for p in screened if p.id not in sent]
                decisions = [
                    cmp.Decision(
                        pool[pid],
                        ok,
                        ev or conf[pid].evidence,
                        max(conf[pid].confidence, 0.5) if ok else conf[pid].confidence,
                    )
                    for pid, ok, ev in found
                ]
                base.backend = f"llm:{self.settings.llm_model}"
            except LLMError as exc:
                base.notice = f"{exc}; showing the extractive answer"
        if decisions is None:
            decisions = cmp.screen_offline(self.pipeline.embedder, corpus, criterion, screened)
        rows = cmp.rows_of(decisions)
        matched = [pool[r.paper_id] for r in rows]
        sources = number_sources(matched)
        number = {p.id: n for n, p in sources}
        text = cmp.compose(criterion, rows, len(screened), number)
        checked = check_citations(text, sources, self.pipeline.embedder)
        base.answer = checked.text
        base.citations = checked.citations
        base.flagged = checked.flagged
        base.removed_citations = checked.removed
        base.papers = rows
        base.screened = len(screened)
        final = self._finish(base, timings, t0, t2)
        yield final.answer
        yield final

    def _llm(
        self,
        base: Answer,
        rw: Rewrite,
        mode: str,
        papers: list[Paper],
        scored: list[Scored],
        timings: dict[str, float],
        t0: float,
        t2: float,
    ) -> Iterator[str | Answer]:
        from rag.generation import (
            attribute_uncited,
            clean_answer,
            is_cannot_answer,
            judge_support,
            select_sources,
            stream_answer,
            uncited_claims,
        )
        from rag.llm import LLMError

        ranked = [s.paper_id for s in scored]
        sources = number_sources(select_sources(papers, ranked, self.settings.llm_sources))
        parts: list[str] = []
        try:
            for delta in stream_answer(self.settings, mode, rw.standalone, sources):
                parts.append(delta)
                yield delta
        except LLMError as exc:
            ans = self._extractive(base, mode, papers, scored)
            ans.notice = f"{exc}; showing the extractive answer"
            final = self._finish(ans, timings, t0, t2)
            yield final
            return
        text = clean_answer("".join(parts))
        base.backend = f"llm:{self.settings.llm_model}"
        if not is_cannot_answer(text):
            text, base.attributed = attribute_uncited(text, sources, self.pipeline.embedder)
        if is_cannot_answer(text) and self.abstain and self.settings.llm_no_answer_fallback:
            # the calibrated gate above found the question answerable; a small model's "no
            # answer" is the weaker judgement (it abstained on plainly stated numbers), so the
            # reader gets the extractive answer, labelled as a fallback
            ans = self._extractive(base, mode, papers, scored)
            ans.backend = "extractive"
            ans.notice = (
                f"{self.settings.llm_model} found no answer in the abstracts; "
                "showing the extractive answer"
            )
            yield self._finish(ans, timings, t0, t2)
            return
        if is_cannot_answer(text):
            g = Gate(False, 0.0, 0.0, 0.0)
            ans = self._abstain(base, papers, g)
            ans.answer = ans.answer.replace(
                "(none of them is close enough to the question)",
                "(the model found no answer in the retrieved abstracts)",
            )
            yield self._finish(ans, timings, t0, t2)
            return
        judge = None
        if self.use_judge:

            def judge(claim: str, paper: Paper) -> float:
                return judge_support(self.settings, claim, paper)

        checked = check_citations(text, sources, self.pipeline.embedder, judge=judge)
        base.answer = checked.text
        base.citations = checked.citations
        # a sentence left uncited (no source supports it well enough to attribute) is flagged too
        base.flagged = checked.flagged + [
            c for c in uncited_claims(checked.text) if c not in checked.flagged
        ]
        base.removed_citations = checked.removed
        yield self._finish(base, timings, t0, t2)

    @staticmethod
    def _finish(ans: Answer, timings: dict[str, float], t0: float, t2: float) -> Answer:
        now = time.perf_counter()
        ans.timings_ms = {
            **timings,
            "answer": (now - t2) * 1000,
            "total": (now - t0) * 1000,
        }
        return ans


_LOCK = threading.Lock()
_ANSWERERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_answerer(pipeline) -> Answerer:  # noqa: ANN001 - rag.pipeline.Pipeline
    """One Answerer per pipeline (dies with it)."""
    with _LOCK:
        a = _ANSWERERS.get(pipeline)
        if a is None:
            a = Answerer(pipeline)
            _ANSWERERS[pipeline] = a
        return a
