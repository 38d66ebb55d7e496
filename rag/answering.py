"""Answer orchestration: mode routing, follow-up rewriting, retrieval, abstention, the extractive
or LLM answer, and the citation check every answer passes through.

`get_answerer(pipeline)` returns one cached `Answerer` per pipeline. `stream()` yields text deltas
then the final checked `Answer`; `answer()` returns just the final one. Without `llm_model` the
extractive answerer runs; with it, the LLM streams and any `LLMError` falls back to the extractive
answer with a notice, so the chat never breaks on a flaky endpoint.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from rag import compare as cmp
from rag.abstention import (
    ABSTAIN_THRESHOLD,
    OOV_WEIGHT,
    RARE_OVERRULE,
    RARE_WORD_IDF,
    Gate,
    compare_gate,
    dead_words,
    field_wide,
    gate,
    rare_words,
)
from rag.citations import check_citations, number_sources
from rag.contribution import names_itself, presents_itself
from rag.conversation import (
    NAME_OWNERS_MAX,
    WHICH_ONE,
    Rewrite,
    condense,
    reference,
    resolve,
    setting_terms,
    title_described,
    title_named,
)
from rag.extractive import (
    W_LEX,
    Corpus,
    Scored,
    asked_names,
    cite,
    compose_qa,
    compounded,
    corpus_for,
    cover_parts,
    define_abbreviations,
    demote_background,
    drop_boilerplate,
    ensure_number,
    ensure_slot,
    ensure_slot_each,
    hit_prior,
    is_boilerplate,
    lexical_overlap,
    missing_entities,
    mmr_select,
    prefer_slot,
    relevance,
    rival_filler,
    score_sentences,
    theme_label,
)
from rag.facets import is_survey, leaves_out_surveys
from rag.glossary import gloss_terms
from rag.questions import (
    ASKS_SEVERAL,
    DESCRIBED_IN,
    GENERIC_NAMES,
    QUOTED,
    Slot,
    answer_slot,
    asks_expansion,
    clauses,
    described_together,
    describes_several,
    descriptions,
    each_described,
    fills,
    names,
    one_each,
    papers_described,
    proper_name,
    question_parts,
    shared_field,
    strip_lead_in,
    unworded,
)
from rag.schema import Answer, Hit, Paper, SearchFilters
from rag.sentences import (
    introduces,
    names_verbatim,
    paper_names,
    papers_naming,
    short_title_named,
    terms,
)
from rag.synonyms import in_line, knowing, paraphrased

MODES = ("qa", "summary", "compare")

QA_SENTENCES = 3  # a direct answer: 2-4 sentences
QA_SENTENCES_MAX = 4
QA_WINDOW = 0.12  # further sentences must score within this of the best one
# a question asked of 2-3 papers quotes up to this many sentences of each, scoring within
# NAMED_WINDOW of that paper's best (607 tune questions: 1 more within 0.10 -> 2 more within
# 0.20 raised multi key facts 0.540 -> 0.623, and 0.393 -> 0.507 on the 25 blind z- multi
# questions; docs/ANSWERING.md, sixth round); 2 each when 4 papers are asked of
NAMED_SENTENCES = 4
NAMED_WINDOW = 0.25
# an ask of a two-ask question is answered from the lead paper's sentence that holds what it
# asks for among its best this many for that ask ("which model architecture and which new
# dataset": "... continue to pre-train on SlimPajama" ranks fifth against "which new dataset")
LEAD_FILLER_DEPTH = 5
QA_PER_PAPER = 3  # one paper may give the whole answer (tune split: docs/ANSWERING.md)
# a quantity question ("how quickly", "how many") may bring in a number-bearing sentence of a
# chosen paper scoring within this of the best one (rule; checked by eval/calibrate.py's
# gold-cited and fact rates, not fitted)
NUMBER_WINDOW = 0.30
SUMMARY_PAPERS = 6
# a summary covers the papers with a sentence scoring within this of the best one: on the 14
# tune summaries 0.15 cited 2.6 papers (gold recall 0.475, precision 0.845), 0.30 4.4 (0.686 /
# 0.768: the best F1 of 0.15-0.50 with 6 or 8 papers; docs/ANSWERING.md)
SUMMARY_WINDOW = 0.30
THEME_COS = 0.55  # papers whose chosen sentences are this similar share a theme paragraph
# added to the prior of the one candidate naming a name of the question that no other names
# ("... only on StackOverflow data?"), unless the question is about several papers (tune: 0.5
# 2 up, 1.0 3 up, none down; docs/ANSWERING.md, eighth round)
NAME_PRIOR = 1.0
# "which of these ...?" after at most this many papers also shows the ones that do not match
NOT_MATCHING_MAX = 5
SETTING_LIFT = 0.01  # the best sentence naming the setting, just above the best of all
FOCUS_PRIOR = 1.0  # prior of papers a follow-up refers to (same as the top retrieval hit)
TAIL_PAPERS = 12  # "..., and what do they Y?": Y is answered for this many matching papers
# "Which papers X, and what do they Y?" answered by this few papers (a question about two or
# three papers) quotes two sentences of each for Y (647 tune questions: multi key facts 0.548
# -> 0.574; 3 or 6 papers: 0.570 / 0.578; three sentences: no change)
FEW_ROWS = 4
TAIL_SENTENCES_FEW = 2
CLAUSE_PAPERS = 5  # candidates whose sentences each part of a long question is scored against
NAMED_K = 3  # candidates read per name the first retrieval missed
DESCRIBED_CHOICES = 3  # papers per description tried when two descriptions want the same one
# an ask of a two-part question that describes another paper than the lead fits that paper as a
# description by this much more than the lead (asks of tune multi-paper and factoid questions
# that point nowhere: at 0.1, 93 asks move, 23 to a paper outside gold; at 0.3 with a word of
# the paper's own, 52 move, all to a gold paper; docs/ANSWERING.md, twenty-eighth round)
PART_MARGIN = 0.30
# "which benchmark does each report on", "for both": an ask of every paper the question is about
_EACH_ASK = re.compile(r"\b(?:each|both|either|all\s+of\s+them|every)\b", re.IGNORECASE)
# words of the asking ("for what kind of tasks", "how big are the models"), not of a paper
_ASK_WORDS = frozenset(terms("kind sort type big large largest small size called named dubbed"))

_PAPERS = rf"(?:{cmp.PAPER_NOUNS})"
# "What neural vocoder works best for ...?": "works" is the verb of a finding asked, no paper
_WORKS_WELL = r"(?!\s+(?:best|better|well|worse|poorly)\b)"
_COMPARE_CUES = re.compile(
    rf"\b(?:which|what)\s+(?:of\s+the\s+)?(?:[\w-]+\s+)?{_PAPERS}\b{_WORKS_WELL}"
    # "What legal-domain pretraining papers are in here?": two or three words saying what kind
    r"|\b(?:which|what)\s+(?:(?!(?:do|does|did|is|are|was|were|have|has|can|could|would|should"
    rf"|the|these|those|of)\b)[\w-]+\s+){{2,3}}{_PAPERS}\b{_WORKS_WELL}"
    # ("did it find works best": a verb of the paper's, not a request to the reader)
    r"|(?<!\bit\s)(?<!\bthey\s)\b(?:list|find|show|name|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:[\w-]+\s+)?"
    rf"{_PAPERS}\b{_WORKS_WELL}"  # "find works best": a finding
    rf"|\b(?:any|are\s+there)\s+(?:of\s+the\s+)?(?:[\w-]+\s+)?{_PAPERS}\b"
    r"|\bhow many papers\b|\bwhich\s+(?:ones|of\s+(?:these|those|them))\b"
    # typed as a search: "papers on in-context learning?", "works that use MCTS"
    rf"|^\s*{_PAPERS}\s+(?:on|about|regarding|covering|that|which|using)\b"
    # "Are there surveys of X in the collection?", "Is there any survey or review in the
    # collection?": asks for every paper that is one
    r"|^\s*(?:are\s+there|is\s+there\s+any)\b(?=.*(?:" + cmp.SCOPE.pattern + "))",
    re.IGNORECASE,
)
# "anything (in here) on X?": the papers on a topic named in a few words (a longer one, "pretrained
# models for electricity demand time-series forecasting", describes a paper: asked as one)
# (the topic up to the reader's examples: "law? court cases, legislation, ...")
_ANYTHING_ON = re.compile(r"^\W*(?:is\s+there\s+)?anything\b[^?,;:\u2014(]*", re.IGNORECASE)
_HAVE_ON = re.compile(rf"{cmp.HAVE_ON}[^?,;:\u2014(]*", re.IGNORECASE)
# ("summarization" is the task a paper is evaluated on: "what summarization win rate")
_SUMMARY_CUES = re.compile(
    r"\bsummari[sz](?:e|ing)\b|\bsummary\b|\boverview\b|\bwhat do (?:these|the) papers say\b"
    r"|\bwhat do the papers say\b",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    r"\b(?:two|three|four|both)\s+(?:[\w-]+\s+){0,2}?(?:papers|works|studies|articles|methods"
    r"|approaches|systems)\b",
    re.IGNORECASE,
)
# "which of these use X?" after a list: screen only the papers shown before
_SCOPED_COMPARE = re.compile(r"\b(?:which|how many)\s+of\s+(?:these|those|them)\b", re.I)
# "Which of those two claims the bigger saving?": weighs the papers against each other (a QA
# answer about both), not a property to screen them for
_WHICH_MORE = re.compile(
    r"\bwhich\s+of\s+(?:these|those|them|the)\b[^?]*?\b(?:bigger|larger|smaller|better|worse"
    r"|more|less|fewer|higher|lower|faster|slower|cheaper|greater|biggest|largest|smallest|best"
    r"|worst|most|least|highest|lowest|fastest)\b",
    re.IGNORECASE,
)

# "which paper separates ...?", "is there a paper on ...?", "anything here on ...?": asks which
# paper (one), whose name is the answer (not "which paper's model", "which papers")
_WHICH_ONE = re.compile(
    r"^\W*(?:(?:which|what)\s+(?:one\s+of\s+the\s+)?(?:paper|work|study|article)(?!s|\s*'s)"
    r"|(?:is|are)\s+there\s+(?:a|any|one)\s+(?:paper|work|study|article)s?\b"
    r"|(?:is\s+there\s+)?anything\b|does\s+anything\b)",
    re.IGNORECASE,
)

# "What is UL2?", "Tell me about OpenVLA": the paper's own presentation of itself comes first
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are|was|were)|tell\s+me\s+about|describe|explain)\s+(?:the\s+)?"
    r"[\w^.+-]+(?:\s+[\w^.+-]+){0,3}\s*[?.!]?\s*$"
    r"|^\s*what\s+(?:does|do|did)\s+(?:the\s+)?[\w^.+-]+(?:\s+acronym|\s+name)?\s+stand\s+for\b",
    re.IGNORECASE,
)


# a word in capitals, two to five letters ("GNN", "RL", "PTMs"): an initialism, perhaps of a title
_CAPS = re.compile(r"\b[A-Z]{2,5}s?\b")


def _initialisms(text: str) -> dict[str, set[tuple[str, ...]]]:
    """Each run of two to four words of a text, by its initials ("gnn": ("graph", "neural",
    "network"), "rl": ("reinforc", "learn"))."""
    words = terms(text)
    out: dict[str, set[tuple[str, ...]]] = {}
    for a in range(len(words)):
        for b in range(a + 1, min(len(words), a + 4)):
            run = tuple(words[a : b + 1])
            out.setdefault("".join(w[0] for w in run), set()).add(run)
    return out


def _field_initialism(name: str, owner: Paper, papers: list[Paper]) -> bool:
    """A name in capitals that stands for words another candidate's title has, which the paper
    writing the name spells out too ("GNN": RELIEF's "Graph Neural Network (GNN)" and "When to
    Pre-Train Graph Neural Networks?"): the field's initialism, no name of one paper. ("PCP",
    which its paper spells "prompt-based continued pre-training", is not another title's.)"""
    key = terms(name)[:1]
    if not key or not _CAPS.fullmatch(name):
        return False
    spelled = _initialisms(f"{owner.title}\n{owner.abstract}").get(key[0], set())
    return any(
        _initialisms(p.title).get(key[0], set()) & spelled for p in papers if p.id != owner.id
    )


def route(question: str) -> str:
    """Cue-word routing: the first cue decides ("summarise which papers ..." is a summary,
    "which papers give an overview of ..." a compare)."""
    q = strip_lead_in(question).text
    # "What do the papers that X propose?": the papers that X are screened for (rag.compare)
    compare = _COMPARE_CUES.search(q) or cmp.PLURAL_SUBJECT.search(q) or cmp.KIND_EXISTS.match(q)
    if _WHICH_MORE.search(q):  # "which of those two is bigger": weighed, not screened
        compare = None
    # "Two works steer LMs toward human values, one by X and one by Y. Which of them needs
    # preference labels?": the papers the question itself counts, asked about, not screened
    if compare and cmp.WHICH_OF.match(compare.group(0)) and _COUNTED.search(q[: compare.start()]):
        compare = None
    summary = _SUMMARY_CUES.search(q)
    if summary and (not compare or summary.start() < compare.start()):
        return "summary"
    if compare and one_each(q)[1]:  # "Which papers X, one A and one B?": those papers, asked
        return "qa"
    if compare:
        return "compare"
    if (m := _ANYTHING_ON.match(q) or _HAVE_ON.match(q)) and cmp.asked_topic(m.group(0)):
        return "compare"  # "anything in here on legal text — court cases, legislation?"
    return "qa"


def spells_out(sentence: str, names: list[str]) -> bool:
    """The sentence gives one of `names` in full: "an outcome-conditioned GFlowNet (OC-GFN)",
    "our BLURB benchmark (short for Biomedical Language Understanding ...)"."""
    return any(
        introduces(e, sentence)
        or re.search(rf"(?<![\w-]){re.escape(e)}(?:\s+[\w-]+)?\W{{0,12}}\(\s*short for\b", sentence)
        for e in names
    )


def named_papers(question: str, papers: list[Paper], corpus: Corpus | None = None) -> list[str]:
    """For a question naming several things ("Tell me about OpenVLA and Agent Q"), the best
    candidate paper for each name, in the order the question names them (with `corpus`, not
    for a one-word name of the whole field: "grows a large BERT out of a smaller one")."""
    out: list[str] = []
    found_names = names(question)
    for e in found_names:
        if corpus is not None and " " not in e and field_wide(e, corpus):
            continue
        if any(e != o and names_verbatim(e, o) for o in found_names):
            continue  # "BERT" of "the Maltese BERT paper" names no paper by itself
        found = papers_naming(e, papers)  # in retrieval order: the best one first
        if found and _field_initialism(e, found[0], papers):
            continue  # "GNN": RELIEF's "(GNN)" and "When to Pre-Train Graph Neural Networks"
        if not found and " " in e:  # no abstract says "Maltese BERT": its most telling word
            words = e.split()  # or two ("Stack Overflow" of "Stack Overflow BERT")
            parts = [" ".join(words[i : i + 2]) for i in range(len(words) - 1)] + words
            options = [
                f for w in parts if w not in GENERIC_NAMES and (f := papers_naming(w, papers))
            ]
            found = min(options, key=len) if options else []
        if len(found) > NAME_OWNERS_MAX:
            continue  # "BERT-style models ... StackOverflow": a name many candidates share
        if found and found[0].id not in out:
            out.append(found[0].id)
    return out + [pid for pid in short_title_named(question, papers) if pid not in out]


def sole_namers(question: str, papers: list[Paper]) -> set[str]:
    """The candidates that alone name one of the question's names verbatim."""
    out: set[str] = set()
    for e in asked_names(question):
        found = [p.id for p in papers if names_verbatim(e, f"{p.title}\n{p.abstract}")]
        if len(found) == 1:
            out.add(found[0])
    return out


def about_several(question: str, named: list[str]) -> bool:
    """The question asks about two or more papers: names them (`named`, from `named_papers`),
    describes them, or sets them side by side ("each", "compare", "the two ... methods")."""
    return bool(
        ASKS_SEVERAL.search(question)
        or papers_described(question)
        or len(named) >= 2
        or describes_several(question)
    )


def slot_in_own_words(slot: Slot, scored: list[Scored], papers: list[Paper]) -> Slot:
    """The slot as the best-matching paper can fill it (rag.questions.unworded): a counted
    thing asked for under a word that paper never uses is any number it gives. A soft slot
    ("which tasks") is not filled by a candidate's own name ("multi-task learning with URLBERT"),
    unless what it asks is what something is called ("what is its score called": "VSDR")."""
    if slot.soft and slot.head != "name":
        return replace(slot, given="\n".join(p.title for p in papers))
    top = next((p for p in papers if scored and p.id == scored[0].paper_id), None)
    return unworded(slot, f"{top.title}\n{top.abstract}") if top else slot


# an ask of one of the papers the question described, by its place ("the second one's models")
_ORDINAL_ASK = re.compile(
    r"\bthe\s+(first|second|third|former|latter)(?:\s+(?:one|model|paper|work|study|method))?"
    r"(?:['\u2019]s)?\b(?!\s+(?:two|three|time|step|stage|phase|round|author))",
    re.IGNORECASE,
)
_ORDINAL_AT = {"first": 0, "second": 1, "third": 2, "former": 0, "latter": -1}


def _in_setting(scored: list[Scored], setting: set[str]) -> list[Scored]:
    """The sentences that name the setting an earlier question is asked again under ("And with
    the active data gathering loop?") lead, in their order: the earlier question's own
    words match the earlier answer better, which gives the result without the setting."""
    inside = [s for s in scored if setting & set(terms(s.sentence))]
    if not inside:
        return scored
    lift = max(0.0, scored[0].score - inside[0].score) + SETTING_LIFT
    out = [replace(s, score=s.score + lift) if s in inside else s for s in scored]
    return sorted(out, key=lambda s: -s.score)


def _rare_sentence(own: list[Scored], got: list[Scored], rare: set[str]) -> list[Scored]:
    """A paper's best sentence with a word of the question few abstracts use, when none of the
    sentences `got` for it has one: "How do the papers on transformers that learn in context
    explain that ability in Bayesian terms ...?" quoted DPT's in-context sentences and not its
    "Bayesian posterior sampling" one."""
    if not rare or any(rare & set(terms(s.sentence)) for s in got):
        return []
    return next(([s] for s in own if s not in got and rare & set(terms(s.sentence))), [])


def _finding_of(
    question: str, slot: Slot, pid: str, chosen: list[Scored], scored: list[Scored]
) -> list[Scored]:
    """The paper's best sentence that states a finding, unless a chosen one already does."""
    if any(fills(slot, s.sentence, question) for s in chosen):
        return []
    return next(
        ([s] for s in scored if s.paper_id == pid and fills(slot, s.sentence, question)), []
    )


# "How do DataMan, ProX and PreSelect each decide which data to keep?", "Compare how ...": the
# way each paper does it, which the sentence where it presents its method says ("we introduce
# ... Preselect, a lightweight ... method that requires only a fastText-based scorer")
_HOW_EACH = re.compile(
    r"\bhow\s+(?:does|do|did)\b(?!\s+(?:it|they)\s+(?:score|perform|compare|do)\b)"
    r"|\bcompare\s+how\b",
    re.IGNORECASE,
)


def _with_method_each(
    chosen: list[Scored], scored: list[Scored], must: list[str], most: int
) -> list[Scored]:
    """Each paper of `must` quoted with the sentence that presents its method, unless one of its
    quotes already does: in place of its last quote that gives no number or name (background),
    else added while the answer has fewer than `most` sentences."""
    out = list(chosen)
    for pid in must:
        got = [s for s in out if s.paper_id == pid]
        if not got or any(presents_itself(s.sentence) for s in got):
            continue
        own = next((s for s in scored if s.paper_id == pid and presents_itself(s.sentence)), None)
        if own is None:
            continue
        bare = [s for s in got[1:] if not re.search(r"\d", s.sentence) and not names(s.sentence)]
        if bare:
            out[out.index(bare[-1])] = own
        elif len(out) < most:
            out.insert(out.index(got[-1]) + 1, own)
    return out


@dataclass
class Analysis:
    """What `Answerer.analyse` decided (see there)."""

    rw: Rewrite
    mode: str
    notice: str
    corpus: Corpus
    hits: list[Hit]
    papers: list[Paper]
    scored: list[Scored] = field(default_factory=list)
    slot: Slot | None = None
    gate: Gate | None = None
    timings: dict[str, float] = field(default_factory=dict)


def _named_lead(
    chosen: list[Scored], scored: list[Scored], papers: list[Paper]
) -> tuple[list[Scored], Scored | None]:
    """For "which paper ...?": the best paper's sentence that gives its method a name ("we
    propose the dichotomy of control (DoC)") leads, brought in if MMR left it out: the name
    answers which paper, where a quoted finding only shows it."""
    pid = chosen[0].paper_id
    paper = next((p for p in papers if p.id == pid), None)
    names = [
        n
        for n in (paper_names(paper.title, paper.abstract) if paper else [])
        if n not in GENERIC_NAMES  # (the field's names, "LLMs", name no paper)
    ]
    own = sorted((s for s in scored if s.paper_id == pid), key=lambda s: s.position)
    ranked = [(names_itself(s.sentence, names), s) for s in own if not is_boilerplate(s.sentence)]
    rank, intro = max(ranked, key=lambda x: x[0], default=(0, None))  # (the earliest of the best)
    if not rank or intro is None:
        return chosen, None
    if intro not in chosen:
        chosen = [*chosen[: QA_SENTENCES_MAX - 1], intro]
    return chosen, intro


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
        on_stage: Callable[[str], None] | None = None,
    ) -> Answer:
        final: Answer | None = None
        for item in self.stream(
            question, history or [], mode=mode, filters=filters, k=k, on_stage=on_stage
        ):
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
        on_stage: Callable[[str], None] | None = None,
    ) -> Iterator[str | Answer]:
        stage = on_stage or (lambda _: None)
        t0 = time.perf_counter()
        question = (question or "").strip()
        history = history or []
        if mode not in ("auto", *MODES):
            raise ValueError(f"unknown mode {mode!r}: use auto, qa, summary or compare")
        if not question:
            raise ValueError("empty question")
        a = self.analyse(question, history, mode, filters, k, stage)
        t2 = time.perf_counter()
        base = Answer(
            question=question,
            standalone_question=a.rw.standalone,
            mode=a.mode,
            backend="extractive",
            answer="",
            abstained=False,
            retrieved=a.hits,
            notice=a.notice,
        )
        rw, chosen, papers, scored, timings = a.rw, a.mode, a.papers, a.scored, a.timings
        if chosen == "compare":
            yield from self._compare(base, rw, a.corpus, papers, filters, timings, t0, t2, stage)
            return
        assert a.gate is not None
        if self.abstain and not a.gate.answerable:
            yield self._finish(self._abstain(base, papers, a.gate), timings, t0, t2)
            return

        stage("writing the answer")
        if self.settings.llm_model:
            yield from self._llm(base, rw, chosen, papers, scored, timings, t0, t2, stage)
            return
        ans = self._extractive(base, chosen, papers, scored, rw)
        final = self._finish(ans, timings, t0, t2)
        if final.answer:
            yield final.answer
        yield final

    def analyse(
        self,
        question: str,
        history: list[Answer],
        mode: str = "auto",
        filters: SearchFilters | None = None,
        k: int | None = None,
        stage: Callable[[str], None] = lambda _: None,
    ) -> Analysis:
        """Everything decided before any text is written: the rewritten question, the mode, the
        candidates, the scored sentences and (not in compare mode) the abstention gate.
        `eval/calibrate.py` reads the same analysis the answers are built from."""
        t0 = time.perf_counter()
        rw, notice = self._rewrite(question, history)
        chosen = route(rw.scoring_question) if mode == "auto" else mode
        if (
            mode == "auto"
            and history
            and rw.reference.kind == "plural"
            # ("Which one comes with regret guarantees?" after two papers: the one of them)
            and (_SCOPED_COMPARE.search(question) or WHICH_ONE.search(question))
            and not _WHICH_MORE.search(question)
        ):
            chosen = "compare"
        if mode == "auto" and rw.reference.kind == "ordinal" and chosen == "compare":
            # "How many tasks did the second one use, and which of them is new?": one paper is
            # asked about; "them" are its tasks, not papers to screen
            chosen = "qa"
        t1 = time.perf_counter()
        unnamed: list[str] = []  # a new subject's names that no paper of the collection gives
        stage("searching")
        corpus = corpus_for(self.pipeline)
        hits = self._retrieve(rw, filters, k)
        by_id = self.pipeline.papers([h.paper_id for h in hits]) if hits else {}
        if rw.search_focus and hits:  # "and what about the approach that ...?": that paper
            # ("what about the StackOverflow models?": the best hit naming StackOverflow)
            naming = [
                h.paper_id
                for h in hits
                if h.paper_id in by_id
                and any(
                    names_verbatim(
                        n, f"{by_id[h.paper_id].title}\n{by_id[h.paper_id].abstract}", True
                    )
                    for n in rw.subject_names
                )
            ]
            rw = replace(rw, focus_ids=naming[:1] or [hits[0].paper_id])
            if naming:  # named: the answer is that paper's alone, as for an earlier one
                hits = [h for h in hits if h.paper_id == naming[0]]
            elif rw.subject_names:  # "What about GPT-5?": no paper names it
                unnamed = list(rw.subject_names)
        papers = [by_id[h.paper_id] for h in hits if h.paper_id in by_id]
        if not rw.focus_ids:
            hits, papers = self._named(rw.scoring_question, hits, papers, filters)
        t2 = time.perf_counter()
        a = Analysis(rw, chosen, notice, corpus, hits, papers)
        a.timings = {"rewrite": (t1 - t0) * 1000, "retrieve": (t2 - t1) * 1000}
        if chosen == "compare":
            return a
        stage(f"reading {len(papers)} abstracts")
        q = rw.scoring_question
        a.slot = answer_slot(q)
        prior = hit_prior(hits)
        for pid in rw.focus_ids:
            prior[pid] = max(prior.get(pid, 0.0), FOCUS_PRIOR)
        in_question = named_papers(q, papers)
        sole = sole_namers(q, papers) or title_described(q, papers)
        if len(sole) == 1 and not about_several(q, in_question):
            # "... only on StackOverflow data?": the one candidate that names it
            (pid,) = sole
            prior[pid] = prior.get(pid, 0.0) + NAME_PRIOR
        scored = score_sentences(self.pipeline.embedder, corpus, q, papers, prior)
        if rw.reference.kind == "ellipsis" and (setting := setting_terms(question)):
            scored = _in_setting(scored, setting)
        a.slot = slot_in_own_words(a.slot, scored, papers)
        # asked for results, a paper's outcome sentence is preferred among its own quotes only
        a.scored = prefer_slot(scored, a.slot, q, corpus) if a.slot.checked else scored
        # papers a follow-up points at, or two or more the question names ("How do SOBert,
        # CySecBERT and URLBERT differ?"): the subject is settled (rag.abstention, rule 4)
        named = in_question if not rw.focus_ids else []
        # "What does BLURB stand for?" is settled by the sentence that spells BLURB out
        spelled = (
            {s.paper_id for s in a.scored if spells_out(s.sentence, asked_names(q))}
            if asks_expansion(q)
            else set()
        )
        a.gate = gate(
            q,
            a.scored,
            papers,
            corpus,
            self.abstain_threshold,
            self.oov_weight,
            focus=set(rw.focus_ids),
            slot=a.slot,
            named=set(named) if len(named) >= 2 else (spelled or None),
            parts=self._best_part(q, papers, corpus),
            topic=cmp.asked_topic(q),
        )
        which = "" if a.gate.rule or rw.focus_ids else cmp.which_one_topic(q)
        dead = dead_words(which, corpus, topic=True) if which else []
        if dead and all(w.islower() for w in dead):
            # "Which paper uses pretrained transformers for time-series forecasting?": a part no
            # abstract has a word for, unless the best papers say it in other words (a
            # capitalised one, "CVs", may be a name or an abbreviation the glossary lacks)
            near = paraphrased(" ".join(dead), papers, corpus, self.pipeline.embedder)
            if dead_words(which, knowing(corpus, near), topic=True):
                why = f"no abstract uses the words {' or '.join(dead)}"
                a.gate = replace(a.gate, answerable=False, why=why, rule="relevance")
        if unnamed:  # rule 1 for the subject the reader moved to
            a.gate = replace(a.gate, answerable=False, missing=unnamed, rule="name")
        return a

    def _best_part(self, question: str, papers: list[Paper], corpus: Corpus) -> float | None:
        """The best relevance of any one part of a long question (rag.abstention, rule 4) among
        the first CLAUSE_PAPERS candidates; None for a question of one part."""
        parts = clauses(question)
        if not parts or not papers:
            return None
        best = 0.0
        for part in parts:
            own = score_sentences(self.pipeline.embedder, corpus, part, papers[:CLAUSE_PAPERS])
            best = max([best, *(relevance(s) for s in own)])
        return best

    # --- steps -------------------------------------------------------------------------------
    def _rewrite(self, question: str, history: list[Answer]) -> tuple[Rewrite, str]:
        lookup = self.pipeline.papers
        if history and self.settings.llm_model:
            from rag.llm import LLMError

            try:
                return condense(self.settings, question, history, lookup), ""
            except LLMError as exc:
                return resolve(question, history, lookup), f"{exc}; follow-up rewritten offline"
        return resolve(question, history, lookup), ""

    def _retrieve(self, rw: Rewrite, filters: SearchFilters | None, k: int | None) -> list[Hit]:
        """Top-k hits; a follow-up that refers to earlier papers searches only those."""
        k = k or self.settings.top_k
        if not rw.focus_ids:
            return self.pipeline.search(rw.standalone, k=k, filters=filters)
        f = SearchFilters(
            year_from=filters.year_from if filters else None,
            year_to=filters.year_to if filters else None,
            venue=filters.venue if filters else None,
            ids=list(rw.focus_ids),
        )
        hits = self.pipeline.search(rw.scoring_question, k=len(rw.focus_ids), filters=f)
        order = {pid: i for i, pid in enumerate(rw.focus_ids)}
        return sorted(hits, key=lambda h: order.get(h.paper_id, len(order)))

    def _named(
        self,
        question: str,
        hits: list[Hit],
        papers: list[Paper],
        filters: SearchFilters | None,
    ) -> tuple[list[Hit], list[Paper]]:
        """Add, for each name the question gives that no candidate mentions ("How do SOBert,
        CySecBERT and URLBERT differ?"), the best paper for that name alone: fused retrieval
        over the whole question can let one of several named systems slip."""
        for name in names(question):
            if name in GENERIC_NAMES:
                continue
            found = papers_naming(name, papers)
            # a candidate whose words only spell an acronym's letters ("V-PTR": "video
            # pre-training ... robots") does not keep the search for its own paper away
            if found and not (
                name.isupper()
                and not any(names_verbatim(name, p.title + "\n" + p.abstract) for p in found)
            ):
                continue
            for h in self.pipeline.search(name, k=NAMED_K, filters=filters):
                p = self.pipeline.papers([h.paper_id]).get(h.paper_id)
                if p is not None and p.id not in {x.id for x in papers}:
                    if papers_naming(name, [p]):
                        hits, papers = [*hits, h], [*papers, p]
                        break
        return hits, papers

    def _extractive(
        self,
        base: Answer,
        mode: str,
        papers: list[Paper],
        scored: list[Scored],
        rw: Rewrite | None = None,
    ) -> Answer:
        sources = number_sources(papers)
        number = {p.id: n for n, p in sources}
        q = rw.scoring_question if rw else base.question
        # one slot for the whole answer: a link sentence that holds what is asked ("our BLURB
        # benchmark ... at https://") stays, and the sentence that holds it opens the answer
        slot = slot_in_own_words(answer_slot(q), scored, papers)
        scored = drop_boilerplate(base.question, scored, slot, corpus_for(self.pipeline)) or scored
        if mode != "summary":
            scored = demote_background(scored)
        if mode == "summary":
            text = self._summary_text(q, scored, papers, number)
        else:
            chosen, lead = self._qa_sentences(q, scored, papers, rw, slot)
            chosen = define_abbreviations(q, chosen, scored, QA_SENTENCES_MAX)
            text = compose_qa(chosen, number, lead)
        checked = check_citations(text, sources, self.pipeline.embedder)
        base.answer = checked.text
        base.citations = checked.citations
        base.flagged = checked.flagged
        base.removed_citations = checked.removed
        return base

    def _qa_sentences(
        self,
        question: str,
        scored: list[Scored],
        papers: list[Paper],
        rw: Rewrite | None,
        slot: Slot,
    ) -> tuple[list[Scored], Scored | None]:
        """The best sentences, with every paper the question is about represented: each paper a
        plural follow-up refers to, each paper the question names ("OpenVLA and Agent Q"); and
        the one to open the answer: the best that holds what is asked (`slot`), or for "What is
        X?" the sentence where X's paper presents itself."""
        if not scored:
            return [], None
        top = scored[0].score
        must: list[str] = []
        several = about_several(question, [])
        apart = descriptions(question)  # "one by X and one by Y": each paper on its own
        count, what = 0, ""
        in_order: list[str] = []  # each description's paper, in the question's order
        if rw is not None and (rw.reference.kind == "plural" or len(rw.reference.indices) >= 2):
            must = list(rw.focus_ids)  # (and "the first one ..., the second one ...": each)
        elif len(named := named_papers(question, papers, corpus_for(self.pipeline))) >= 2:
            must = named
        elif (
            (count := papers_described(question))
            and (what := described_together(question))
            and len(apart) >= 2
            and len(found := self._described(question, papers, named, what)) >= 2
        ):
            # "Two robot-learning papers ..., one by X and one by Y": each description, with
            # the words for them all, picks its own paper
            must = found
            in_order = self._in_order(found, apart, count, papers)
        elif (each := each_described(question))[1] and len(
            found := self._described(question, papers, named, *each)
        ) >= 2:
            # "Which papers pretrain biomedical BERTs, one from scratch and one up-sampling a
            # Japanese corpus?": each description, with the shared words, picks its own paper
            must = found
        elif (
            count
            and what
            and len(asks := question_parts(question)) == count
            and all(DESCRIBED_IN.search(a) and not reference(a).refers for a in asks)
            and len(found := self._described(question, papers, named, what, asks)) == count
        ):
            # "Two papers make an LLM cheaper to pretrain by leaning on a smaller one. How much
            # does the function-preserving approach save, and what sizes were the models in
            # the soft-label approach?": each ask describes its own paper among those
            must = found
            in_order = self._in_order(found, asks, count, papers)
        elif count and what:
            # "the two biomedical BERT papers": the papers those words describe best
            ranked = self._rank_described(what, papers)
            if not leaves_out_surveys(what):  # "the three general overviews": the surveys first
                ranked = {
                    p.id: ranked.get(p.id, 0.0) + float(is_survey(p.title, p.abstract))
                    for p in papers
                }
            must = sorted(ranked, key=lambda pid: -ranked[pid])[:count]
        elif (
            several
            and len(found := self._described(question, papers, named, shared_field(question))) >= 2
        ):
            # "between the paper arguing X and the one that Y, what does each ...": each
            # description's best paper
            must = found
            in_order = self._in_order(found, apart, count, papers)
        elif ASKS_SEVERAL.search(question):  # "D-CPT Law and the stability-gap paper each ..."
            by_title = title_named(question, papers)
            named += sorted((pid for pid in by_title if pid not in named), key=by_title.get)
            must = named if len(named) >= 2 else []
        if not must and (count := papers_described(question)):  # "the two papers ..."
            must = list(dict.fromkeys(s.paper_id for s in scored))[:count]
        picked: list[Scored] = []
        per_named = NAMED_SENTENCES if len(must) <= 3 else 2
        rare = rare_words(question, papers, corpus_for(self.pipeline))
        titles = {p.id: p.title for p in papers}
        for pid in must[:QA_SENTENCES_MAX]:
            own = [s for s in scored if s.paper_id == pid]
            if own:  # each paper's best sentence and up to two more that add something
                first = [own[0]]
                if slot.head == "relation":  # and its likenings ("behaving like a Bayesian
                    # estimator", "its behavior aligns with that of ridge regression")
                    first += [s for s in own[1:] if fills(slot, s.sentence, question)]
                    first = first[:per_named]
                floor = own[0].score - NAMED_WINDOW  # (mmr_select skips those already chosen)
                picked += [
                    *first,
                    *mmr_select(own, per_named - len(first), floor, per_named, first),
                ]
        rest = [s for s in scored if s not in picked]
        more = mmr_select(
            rest, max(0, QA_SENTENCES - len(must)), top - QA_WINDOW, QA_PER_PAPER, picked
        )
        chosen = picked + more
        n_max = max(QA_SENTENCES_MAX, len(picked))  # a question about 2-3 papers quotes each
        for pid in dict.fromkeys(s.paper_id for s in chosen):  # (each paper quoted)
            got = [s for s in chosen if s.paper_id == pid]
            own = [s for s in scored if s.paper_id == pid]
            # (a word of the paper's own title, "B-PROP", only says which paper: its citation
            # shows the title)
            words = rare.get(pid, set()) - set(terms(titles.get(pid, "")))
            if add := _rare_sentence(own, got, words):
                if len(chosen) >= n_max and len(got) > 1:  # in place of its own last sentence
                    chosen.remove(got[-1])
                if len(chosen) < n_max:
                    chosen += add
        parts = question_parts(question)
        if len(parts) > 1:
            chosen = cover_parts(
                parts,
                chosen,
                scored,
                self._best_for(papers),
                n_max,
                self._part_paper(papers, in_order),
                frozenset(must),
                self._other_paper(papers),
            )
        if slot.checked:
            corpus = corpus_for(self.pipeline)
            chosen = ensure_slot(question, slot, chosen, scored, n_max, corpus)
            chosen = ensure_slot_each(question, slot, chosen, scored, must, corpus)
            idf = corpus.term_idf
            if len(chosen) < n_max:
                chosen += rival_filler(question, slot, chosen, scored, NUMBER_WINDOW, idf)
            return chosen, next((s for s in chosen if fills(slot, s.sentence, question, idf)), None)
        chosen = ensure_number(question, chosen, scored, top - NUMBER_WINDOW, QA_SENTENCES_MAX)
        if len(must) >= 2 and _HOW_EACH.search(question):
            chosen = _with_method_each(chosen, scored, must, n_max)
        if slot.asks_outcome:  # each paper quoted reports a result if its abstract does
            subjects = must or list(dict.fromkeys(s.paper_id for s in chosen))
            chosen = ensure_slot_each(question, slot, chosen, scored, subjects)
            if slot.head != "results" and len(subjects) == 1 and len(chosen) < n_max:
                # "<the study described>: what setup did it end up recommending?": the sentence
                # that restates the description is no finding; its best one that states one is
                chosen += _finding_of(question, slot, subjects[0], chosen, scored)
        if _DEFINITION.match(question) and chosen:
            return self._definition(question, chosen, scored, papers)
        if _WHICH_ONE.match(question) and len(parts) == 1 and chosen:
            return _named_lead(chosen, scored, papers)
        return chosen, None

    def _described(
        self,
        question: str,
        papers: list[Paper],
        named: list[str],
        heading: str = "",
        items: list[str] | None = None,
    ) -> list[str]:
        """The papers a question names, then the best candidate for each paper it describes
        ("the one that up-samples a small medical corpus"): its best sentence's score plus how
        much of the description its title holds. A description whose best paper is named
        adds nothing (it describes that paper). Two descriptions whose best paper is the same
        get the two different papers that fit them best together ("Compare the biomedical BERT
        paper that trains from scratch with the one that up-samples a small medical corpus":
        the second paper's title says "biomedical BERT" and fits the first description best too,
        but less than it fits its own)."""
        out = list(named)
        fits: list[dict[str, float]] = []
        claimed: set[str] = set()  # the papers a description names itself
        corpus = corpus_for(self.pipeline)
        for d in descriptions(question) if items is None else items:
            # ("grows a large BERT out of a smaller one": the field's name names no paper)
            own = named_papers(d, papers, corpus)
            # `heading`: what the question says of them all ("two graph neural network papers")
            fit = (
                {own[0]: 1.0}
                if len(own) == 1
                else self._rank_described(f"{heading} {d}".strip(), papers)
            )
            if fit:
                fits.append(fit)
                claimed |= {own[0]} if len(own) == 1 else set()
        # ("one arguing for training from scratch and one up-sampling a small Japanese medical
        # corpus": the first is not the Japanese paper the second names)
        fits = [
            {pid: v for pid, v in f.items() if pid not in claimed} or f if len(f) > 1 else f
            for f in fits
        ]
        tops = [max(f, key=f.get) for f in fits]
        if len(set(tops)) < len(tops) and not set(tops) & set(named):
            firsts = [sorted(f, key=lambda pid: -f[pid])[:DESCRIBED_CHOICES] for f in fits]
            joint = max(
                (c for c in itertools.product(*firsts) if len(set(c)) == len(c)),
                key=lambda c: sum(f[pid] for f, pid in zip(fits, c, strict=True)),
                default=None,
            )
            tops = list(joint) if joint else tops
        for pid in tops:
            if pid not in out:
                out.append(pid)
        return out

    def _in_order(
        self, found: list[str], apart: list[str], count: int, papers: list[Paper]
    ) -> list[str]:
        """The papers `found` for the descriptions `apart`, one per description in the
        question's order (each description's best fit among them), when that gives each its own
        and they are all the papers the question counts ("Three papers ...: A; B; and C" split
        into four at a comma is no list to count in); else []."""
        if len(found) != len(apart) or (count and count != len(apart)):
            return []
        among = [p for p in papers if p.id in found]
        fits = [self._rank_described(d, among) for d in apart]
        order = [max(f, key=f.get) for f in fits if f]
        return order if len(set(order)) == len(apart) else []

    def _rank_described(self, description: str, papers: list[Paper]) -> dict[str, float]:
        """How well each paper fits a description of it: its best sentence's score plus how
        much of the description its title holds."""
        corpus = corpus_for(self.pipeline)
        best: dict[str, float] = {}
        for s in score_sentences(self.pipeline.embedder, corpus, description, papers):
            best.setdefault(s.paper_id, s.score)
        d_terms = terms(description)
        # ("the one that asks when GNN pretraining is worth it": "When to Pre-Train Graph Neural
        # Networks?"): an initialism the reader writes in capitals
        caps = {t for t in terms(" ".join(_CAPS.findall(description))) if t in d_terms}
        for p in papers:
            # with what a well-known name in it is ("URL": web address, rag.glossary)
            title = set(terms(p.title)) | gloss_terms(p.title)
            title |= caps & set(_initialisms(p.title)) if caps else set()
            title |= compounded(d_terms, title)
            best[p.id] = best.get(p.id, 0.0) + W_LEX * lexical_overlap(d_terms, title, corpus)
        return best

    def _part_paper(
        self, papers: list[Paper], listed: list[str] | None = None
    ) -> Callable[[str, str], str]:
        """The paper one ask of a question is about: the candidate that has the most of the
        ask's rare words (rag.abstention.rare_words), at least RARE_OVERRULE and more than the
        lead paper has (one incidental word, "mixing", moves no ask to another paper); or, for an
        ask that describes its paper and does not point back ("..., and what is the name of the
        benchmark released with the biomedical domain-specific pretraining study?"), the paper
        that fits the ask as a description (`_rank_described`) by PART_MARGIN more than the lead
        and has a rare word of the ask the lead lacks."""
        corpus = corpus_for(self.pipeline)
        listed = listed or []

        def paper_for(part: str, lead: str) -> str:
            # "one for Chinese psychological text ..., one for security-related text. How many
            # entries ..., and how many tasks was the second one compared on?": the second
            # description's paper (`listed`: the descriptions' papers, in order)
            places = {_ORDINAL_AT[w.lower()] for w in _ORDINAL_ASK.findall(part)}
            if len(listed) >= 2 and len(places) == 1 and (at := places.pop()) < len(listed):
                return listed[at]  # (an ask of two places, "in the first, ... in the second")
            # "what four directions ... does the 'past, present and future' review list": a
            # quoted piece of one candidate's title names the ask's paper
            spans = [m.span() for m in QUOTED.finditer(part)]
            titled = title_named(part, papers) if spans else {}
            quoted = [pid for pid, at in titled.items() if any(a <= at < b for a, b in spans)]
            if len(quoted) == 1:
                return quoted[0]
            rare = rare_words(part, papers, corpus, set(answer_slot(part).terms))
            best = max(rare, key=lambda pid: len(rare[pid]), default=lead)
            most = len(rare.get(best, ()))
            if most >= RARE_OVERRULE and most > len(rare.get(lead, ())):
                return best
            if reference(part).refers or _EACH_ASK.search(part):
                return lead  # "how large was the latter's ...", "which benchmark does each ..."
            fit = self._rank_described(part, papers)
            top = max(fit, key=fit.get, default=lead)
            if top == lead or fit[top] < fit.get(lead, 0.0) + PART_MARGIN:
                return lead
            # ... with a word few abstracts use that the paper has and the lead has not ("URL")
            have = {
                p.id: set(terms(f"{p.title} {p.abstract}")) for p in papers if p.id in (top, lead)
            }
            asked = set(answer_slot(part).terms) | _ASK_WORDS
            own = {
                t
                for t in terms(part)
                if t not in asked and corpus.knows(t) and corpus.term_idf(t) >= RARE_WORD_IDF
            }
            return top if own & have.get(top, set()) - have.get(lead, set()) else lead

        return paper_for

    def _other_paper(self, papers: list[Paper]) -> Callable[[str, str], str]:
        """The paper other than the lead that an ask fits best as a description
        (`_rank_described`): for an ask the lead paper has no sentence for and that does not
        point back at the papers asked about."""

        def other_for(part: str, lead: str) -> str:
            if reference(part).refers or _EACH_ASK.search(part):
                return lead  # "what gains do they report": of the papers asked about
            fit = self._rank_described(part, [p for p in papers if p.id != lead])
            return max(fit, key=fit.get, default=lead)

        return other_for

    def _best_for(self, papers: list[Paper]) -> Callable[..., Scored | None]:
        """One ask's best sentence in one paper: scored against the ask alone, the sentence that
        holds what it asks for (rag.questions.fills) first; None when nothing in the paper
        shares a word with the ask or fills it. `any_filler` (an ask about another paper than
        the answer's lead): that paper's best sentence that fills it, even below its best."""
        corpus = corpus_for(self.pipeline)
        by_id = {p.id: p for p in papers}

        def best_for(part: str, pid: str, any_filler: bool = False) -> Scored | None:
            if pid not in by_id:
                return None
            slot = slot_in_own_words(answer_slot(part), [], [by_id[pid]])
            own = score_sentences(self.pipeline.embedder, corpus, part, [by_id[pid]])
            own = prefer_slot(own, slot, part, corpus)
            if not own:
                return None
            top = own[0]
            if slot.checked and not slot.soft and any_filler:  # the best that holds the answer
                return next(
                    (s for s in own if fills(slot, s.sentence, part, corpus.term_idf)), None
                )
            if slot.checked and not slot.soft:  # (the lead's: one of its first few sentences;
                # below the first, a name asked is a real one, not "Continual Learning (CL)")
                return next(
                    (
                        s
                        for i, s in enumerate(own[:LEAD_FILLER_DEPTH])
                        if fills(slot, s.sentence, part, corpus.term_idf)
                        and (
                            i == 0
                            or slot.kind != "name"
                            or proper_name(s.sentence, corpus.term_idf)
                        )
                    ),
                    None,
                )
            return top if top.lex > 0 else None

        return best_for

    def _definition(
        self, question: str, chosen: list[Scored], scored: list[Scored], papers: list[Paper]
    ) -> tuple[list[Scored], Scored | None]:
        """For "What is X?" about one named paper: the earliest sentence where that paper
        presents itself ("This paper presents ...") leads, brought in if MMR left it out."""
        named = named_papers(question, papers)
        if len(named) != 1:
            return chosen, None
        own = sorted((s for s in scored if s.paper_id == named[0]), key=lambda s: s.position)
        # the sentence that spells out the asked name defines it best; else its self-introduction
        asked = asked_names(question)
        intro = next((s for s in own if spells_out(s.sentence, asked)), None)
        intro = intro or next((s for s in own if presents_itself(s.sentence)), None)
        if intro is None:
            return chosen, None
        if intro not in chosen:
            chosen = [*chosen[: QA_SENTENCES_MAX - 1], intro]
        return chosen, intro

    def _summary_text(
        self, question: str, scored: list[Scored], papers: list[Paper], number: dict[str, int]
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
        # "a summary each of OpenVLA, RT-H and V-GPS": every paper the question names is in it
        named = named_papers(question, papers)
        if len(named) >= 2:
            for pid in named:
                if pid not in by_paper:
                    by_paper[pid] = [s for s in scored if s.paper_id == pid]
            named = [pid for pid in named if by_paper.get(pid)]
            rest = [pid for pid in pids if pid not in named]
            # "an overview of three agent papers: Agent Q, ... and OpenVLA": those three alone
            alone = papers_described(question) == len(named)
            pids = named + ([] if alone else rest[: max(0, SUMMARY_PAPERS - len(named))])
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
        corpus = corpus_for(self.pipeline)
        asked = set(terms(question))
        paras: list[str] = []
        for group in themes:
            lines: list[str] = []
            if len(themes) > 1:  # each group under the words that set it apart
                texts = [titles[pid].title for pid in group]
                texts += [s.sentence for pid in group for s in picks[pid]]
                count = f" ({len(group)} papers)" if len(group) > 1 else ""
                head = f"**Theme {len(paras) + 1}: {theme_label(texts, corpus, asked)}**{count}"
                lines.append(head)
            for pid in group:
                p = titles[pid]
                year = f" ({p.year})" if p.year else ""
                cited = " ".join(cite(s.sentence, number[pid]) for s in picks[pid])
                lines.append(f"- {p.title}{year}:\n  {cited}")
            paras.append("\n".join(lines))
        n = len(pids)
        head = f"{n} papers address this" if n != 1 else "1 paper addresses this"
        head += f", in {len(themes)} themes:" if len(themes) > 1 else ":"
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
        stage: Callable[[str], None],
    ) -> Iterator[str | Answer]:
        criterion = cmp.criterion_of(rw.scoring_question)
        scope = rw.focus_ids if rw.reference.kind == "plural" else []
        ids = cmp.screen_ids(self.pipeline, corpus, rw.scoring_question, filters, scope)
        pool = self.pipeline.papers(ids)
        screened = [pool[i] for i in ids if i in pool]
        stage(f"screening {len(screened)} papers")
        missing = missing_entities(criterion, screened) or cmp.unnamed(criterion, screened, corpus)
        if self.abstain and missing:
            g = Gate(False, 0.0, 0.0, 0.0, missing)
            yield self._finish(self._abstain(base, papers, g), timings, t0, t2)
            return
        tail = cmp.split_question(rw.scoring_question)[1]
        relative = cmp.ASKED_OF_EACH_RELATIVE if tail else cmp.COMPARE_RELATIVE
        offline = cmp.screen_offline(
            self.pipeline.embedder, corpus, criterion, screened, relative=relative, phrased=not tail
        )
        if self.abstain and not scope and offline:  # a property no abstract comes close to
            core = cmp.topical(cmp.gate_core(criterion))[0]
            best = max(d.worded for d in offline)
            top = max(d.relevance for d in offline)
            topic = cmp.asks_topic(rw.scoring_question)
            g = compare_gate(core, best, corpus, topic, top)
            if not g.answerable:
                # "pictures", "defending": the reader's word for one the best papers use
                ranked = [d.paper for d in sorted(offline, key=lambda d: -d.relevance)]
                near = paraphrased(core, ranked, corpus, self.pipeline.embedder)
                if near:
                    again = compare_gate(core, best, knowing(corpus, near), topic, top)
                    g = again if again.answerable else g
                if not g.answerable and not g.why:
                    # "doctors or health care" beside "medicine": words that keep to the papers
                    # (not when no abstract has a word for whole parts of it: "weather forecasting")
                    def best_match(text: str) -> float:
                        hits = self.pipeline.search(text, k=1, filters=filters, method="dense")
                        return hits[0].score if hits else 0.0

                    if kept_words := in_line(core, corpus, best_match):
                        again = compare_gate(core, best, knowing(corpus, kept_words), topic, top)
                        g = again if again.answerable else g
            if not g.answerable and (kept := cmp.with_aside(criterion)):
                # "a separate scoring model (a reward model)": the reader's other wording
                again = compare_gate(cmp.topical(kept)[0], best, corpus, topic, top)
                g = again if again.answerable else g
            if not g.answerable and (alt := cmp.restatement(criterion)):
                # "... losing what it learned earlier (catastrophic forgetting)": the field's
                # own term for it, which every abstract about it uses, decides as well
                restated = compare_gate(alt, best, corpus)
                g = restated if restated.answerable else g
            if not g.answerable and not cmp.kind_in_collection(criterion, screened, corpus):
                yield self._finish(self._abstain(base, papers, g), timings, t0, t2)
                return
        decisions = None
        if self.settings.llm_model:
            from rag.generation import screen_papers, screening_excerpt
            from rag.llm import LLMError

            try:
                conf = {d.paper.id: d for d in offline}
                # the LLM judges the papers the offline screen ranks best (and every offline
                # match); the rest are decided offline, which keeps a CPU model's cost bounded
                cap = self.settings.llm_screen_max or len(screened)
                by_rel = sorted(screened, key=lambda p: -conf[p.id].relevance)
                judged = by_rel[:cap] + [p for p in by_rel[cap:] if conf[p.id].matches]
                sent = {p.id for p in judged}
                shown = [screening_excerpt(p, conf[p.id].evidence) for p in judged]
                found = screen_papers(self.settings, criterion, shown)
                found += [(p.id, False, "") for p in screened if p.id not in sent]
                add = self.settings.llm_screen_mode == "add"  # offline matches stand
                decisions = []
                for pid, ok, ev in found:
                    off = conf[pid]
                    match = ok or (add and off.matches)
                    evidence = ev if ok and ev else off.evidence
                    confidence = max(off.confidence, 0.5) if match else off.confidence
                    decisions.append(cmp.Decision(pool[pid], match, evidence, confidence))
                base.backend = f"llm:{self.settings.llm_model}"
            except LLMError as exc:
                base.notice = f"{exc}; showing the extractive answer"
        if decisions is None:
            decisions = offline
        rows = cmp.rows_of(decisions)
        matched = [pool[r.paper_id] for r in rows]
        # "which of these ...": the reader named the few papers, so the ones that do not match
        # are shown too, each with the sentence that came closest ("the dataset will not be made
        # publicly available"), not silently left out
        few = bool(scope) and len(scope) <= NOT_MATCHING_MAX  # a long list: its matches only
        rest = [d for d in decisions if not d.matches and d.evidence] if few else []
        sources = number_sources(matched + [d.paper for d in rest])
        number = {p.id: n for n, p in sources}
        extra = self._second_part(rw.scoring_question, rows, pool, corpus)
        text = cmp.compose(criterion, rows, len(screened), number, extra, rest)
        stage("checking citations")
        checked = check_citations(text, sources, self.pipeline.embedder)
        base.answer = checked.text
        base.citations = checked.citations
        base.flagged = checked.flagged
        base.removed_citations = checked.removed
        base.papers = rows
        base.screened = len(screened)
        # "none of the N papers matches" answers nothing: an abstention, like the QA gate's
        base.abstained = not rows
        final = self._finish(base, timings, t0, t2)
        yield final.answer
        yield final

    def _second_part(
        self, question: str, rows: list, pool: dict[str, Paper], corpus: Corpus
    ) -> dict[str, list[str]]:
        """For "Which papers X, and what do they Y?": each matching paper's sentence that best
        answers Y (besides its evidence for X); two when only a few papers match, as in a
        question about two or three papers."""
        tail = cmp.split_question(question)[1]
        if not tail or not rows:
            return {}
        slot = answer_slot(tail)
        n = TAIL_SENTENCES_FEW if len(rows) <= FEW_ROWS else 1
        out: dict[str, list[str]] = {}
        for r in rows[:TAIL_PAPERS]:
            scored = score_sentences(self.pipeline.embedder, corpus, tail, [pool[r.paper_id]])
            # as in a QA answer: no link sentence unless it holds what is asked ("our BLURB
            # benchmark ... at https://"), the field's background after the paper's own
            kept = drop_boilerplate(tail, scored, slot, corpus)
            scored = prefer_slot(demote_background(kept), slot, tail, corpus)
            scored = [s for s in scored if s.sentence != r.evidence]
            if scored:
                more = mmr_select(scored[1:], n - 1, scored[0].score - NAMED_WINDOW, n, scored[:1])
                out[r.paper_id] = [s.sentence for s in [scored[0], *more]]
        return out

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
        stage: Callable[[str], None],
    ) -> Iterator[str | Answer]:
        from rag.generation import (
            answer_excerpt,
            attribute_uncited,
            clean_answer,
            is_cannot_answer,
            judge_support,
            mostly_flagged,
            move_misplaced,
            select_sources,
            stream_answer,
            uncited_claims,
            ungrounded,
        )
        from rag.llm import LLMError

        ranked = [s.paper_id for s in scored]
        sources = number_sources(select_sources(papers, ranked, self.settings.llm_sources))
        k = self.settings.llm_excerpt
        shown = [
            (n, answer_excerpt(p, [s.sentence for s in scored if s.paper_id == p.id], k))
            for n, p in sources
        ]
        parts: list[str] = []
        try:
            for delta in stream_answer(self.settings, mode, rw.standalone, shown):
                parts.append(delta)
                yield delta
        except LLMError as exc:
            ans = self._extractive(base, mode, papers, scored, rw)
            ans.notice = f"{exc}; showing the extractive answer"
            final = self._finish(ans, timings, t0, t2)
            yield final
            return
        text = clean_answer("".join(parts))
        base.backend = f"llm:{self.settings.llm_model}"
        if not is_cannot_answer(text):
            text, base.attributed = attribute_uncited(text, sources, self.pipeline.embedder)
            text, base.moved_citations = move_misplaced(text, sources, self.pipeline.embedder)
        if is_cannot_answer(text) and self.abstain and self.settings.llm_no_answer_fallback:
            # the calibrated gate above found the question answerable; a small model's "no
            # answer" is the weaker judgement (it abstained on plainly stated numbers), so the
            # reader gets the extractive answer, labelled as a fallback
            ans = self._fallback(base, mode, papers, scored, rw, "found no answer in the abstracts")
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

        stage("checking citations")
        checked = check_citations(text, sources, self.pipeline.embedder, judge=judge)
        base.answer = checked.text
        base.citations = checked.citations
        # a sentence left uncited (no source supports it well enough to attribute) is flagged too
        base.flagged = checked.flagged + [
            c for c in uncited_claims(checked.text) if c not in checked.flagged
        ]
        base.removed_citations = checked.removed
        claims = [c.text for c in checked.claims]
        why = ""
        if self.abstain and ungrounded(claims, sources, self.pipeline.embedder):
            # no sentence of the model's answer comes from the abstracts it was given (a small
            # model that copies the prompt's wording or answers from memory): the gate found the
            # question answerable, so the reader gets the extractive answer, labelled
            why = "wrote an answer the abstracts do not support"
        elif self.abstain and mostly_flagged(
            base.flagged, claims, self.settings.llm_flagged_fallback
        ):
            why = "wrote an answer most of whose sentences its sources do not support"
        if why:
            yield self._finish(self._fallback(base, mode, papers, scored, rw, why), timings, t0, t2)
            return
        yield self._finish(base, timings, t0, t2)

    def _fallback(
        self,
        base: Answer,
        mode: str,
        papers: list[Paper],
        scored: list[Scored],
        rw: Rewrite,
        why: str,
    ) -> Answer:
        """The extractive answer in place of the model's, labelled with why."""
        ans = self._extractive(base, mode, papers, scored, rw)
        ans.backend = "extractive"
        ans.notice = f"{self.settings.llm_model} {why}; showing the extractive answer"
        return ans

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
