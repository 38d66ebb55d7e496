"""When to abstain instead of answering: the rules every answer passes before any text is written,
for both the extractive and the LLM answerer.

Rules, in order (each with its reason; the tune-split numbers that justify them are in
docs/ANSWERING.md and are reproduced by `eval/calibrate.py`):

1. missing name: the question names something specific (acronym, model, dataset, number) that no
   candidate abstract mentions -> nothing here is about it.
2. head-to-head: a direct comparison ("A vs B", "against GPT-4") needs one abstract that names
   every name of the question; two abstracts each about one side do not compare them.
3. answer slot (`rag.questions`): a question asking for a quantity of a kind, a name, or a
   training detail is answered only by a sentence that gives that kind of thing for that
   subject (the papers naming the question's names, or the papers a follow-up refers to);
   otherwise the abstention names what was not found ("none of them gives the learning rate").
   Names that play different parts ("What MMLU score does MeCo reach?") must be named by one
   paper together: another paper's MMLU sentence does not answer for MeCo.
4. relevance: the best sentence's relevance minus a penalty for question words that no abstract
   contains must reach a calibrated threshold. A question that names a paper by a name of its
   own ("SOBertBase") is not penalised for its other unknown words: they are phrasing. A long
   question's relevance is the mean of the whole question's and its best part's
   (`rag.questions.clauses`): a paraphrase in three clauses ("If you initialise a large encoder
   from a checkpoint half its size instead of training from scratch, how much pretraining compute
   can you save? I'm thinking of the function-preserving model-growth paper.") dilutes one
   embedding of the whole, while a topic the collection lacks stays far in every part.
   A word that only a gloss of a name the abstracts give uses ("forum" for StackOverflow,
   `rag.glossary`) is known, not unknown.
   A question that asks whether the collection covers a topic ("Is there any work on
   pretraining transformers for time-series forecasting?", `rag.compare.asked_topic`) abstains
   as a compare topic does when a part of the topic is in no abstract ("forecasting").
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from rag.conversation import described, title_described
from rag.extractive import (
    Corpus,
    Scored,
    asked_names,
    missing_entities,
    own_names,
    relevance,
)
from rag.glossary import BENCHMARKS
from rag.questions import (
    ASKS_EACH,
    DESCRIBED_IN,
    GENERIC_NAMES,
    LEAD_SENTENCES,
    Slot,
    answer_slot,
    asked_sentence,
    descriptions,
    fills,
    names,
    question_parts,
    referred_description,
    without_offered,
)
from rag.schema import Paper
from rag.sentences import (
    abstract_owns,
    entities,
    mentioned,
    names_verbatim,
    owns_name,
    papers_naming,
    short_title_named,
    terms,
)

# Rule 4, fitted with `.venv/bin/python eval/calibrate.py` on the tune split (answerable vs
# unanswerable questions): abstain when best relevance - OOV_WEIGHT * (IDF share of question
# terms that no abstract contains) is below ABSTAIN_THRESHOLD. On the 517 tune questions (with
# the 80 blind, paraphrase-heavy y-* ones) the fit is 0.31 / 0.2: 0.960 / 0.010 in-sample,
# 0.952 / 0.010 leave-one-out; the 0.20 / 0.8 fitted on 357 questions gives 0.960 / 0.024 there
# (synonyms no abstract uses, "initialise", "ramp back up", cost too much). On 847 tune questions,
# with a long question's relevance the mean of the whole's and its best part's, the refit gives
# 0.32 / 0.2 (0.945 / 0.015 in-sample, 0.940 / 0.022 leave-one-out) vs 0.940 / 0.013 shipped: kept.
ABSTAIN_THRESHOLD = 0.31
OOV_WEIGHT = 0.20
# ... lower, CONCENTRATED_THRESHOLD, when the CONCENTRATED_TOP best sentences all come from one
# paper: a question about one paper in everyday words ("pedestrian representations from
# pictures paired with descriptions" for PLIP) has many words no abstract uses, but it finds that
# paper and no other, where a topic the collection lacks scatters over several. On the 2,450
# single-turn tune questions that reach rule 4, the lower floor answers 2 more answerable ones
# (scores 0.218 and 0.287) and 1 more near-miss unanswerable (0.273); 0.8 of the five, or a floor
# of 0.18 or 0.20, the same or worse
CONCENTRATED_THRESHOLD = 0.21
CONCENTRATED_TOP = 5
# compare ("which papers X"): when even the best sentence of the whole collection scores below
# this against X (less OOV_WEIGHT x the share of X's words no abstract uses), no paper matches.
# On the 647 tune questions before the `f-*`/`h-*` batches the 4 topics no abstract covers
# ("quantum error correction", "stock prices from financial news", "symbolic music ... MIDI")
# score 0.06-0.25 and the ~120 answerable compare-routed ones 0.29 and up: the cutoff sits between
COMPARE_FLOOR = 0.27
# ... and when DEAD_SLOTS_MIN of its parts (`rag.compare.slots`; at least DEAD_SLOT_SHARE of
# them) have no word any abstract uses: answerable criteria miss one part at most, a verb ("by
# talking to it", "main selling point"); on 429 compare-routed tune questions two missing parts
# caught 5 more of 44 unanswerables (weather / traffic forecasting), no answerable one
DEAD_SLOTS_MIN = 2
DEAD_SLOT_SHARE = 0.3
# ... unless the best paper of the screen (sentence and topic, `rag.compare.Decision.relevance`)
# scores at least this: everyday words no abstract uses ("worth feeding", "dig into", "back up
# ... with formal theory") say nothing about the collection when the rest of the criterion is
# matched this well, and neither does a low COMPARE_FLOOR score (its OOV share is of such
# words). On the 120 compare-routed tune questions the dead parts caught, the 115 unanswerable
# ones (federated learning, music, weather) score 0.69 at most, three of the five answerable
# ones 0.82-0.91 (the other two 0.46 and 0.59); of the 37 the floor caught, the unanswerable
# ones score 0.66 at most (the 13 answerable ones 0.28-0.68). Only for a property put as what
# papers do: a kind of paper or a topic ("are surveys of quantum computing": surveys match well)
# is judged by every word of it (`compare_gate`)
DEAD_RESCUE = 0.75
_KIND_CRITERION = re.compile(r"(?:are|is|were|was|about|on)\b", re.IGNORECASE)
# ... or, for a topic ("any papers on speculative decoding?", `rag.compare.asks_topic`), when
# one of its parts (at least TOPIC_DEAD_SHARE of them) has no word any abstract uses: every word
# of a topic names it. On the tune split's 34 topic questions routed to compare, the 10
# answerable ones have no dead part, and 24 unanswerable ones have 1-3 (4 of the 11 with one were
# answered before: quantum error correction, speculative decoding, time-series forecasting, neural
# vocoders)
TOPIC_DEAD_SHARE = 0.2
# Rule 3 reads the sentences of this many best-matching papers when the question names none
SLOT_PAPERS = 2
# ... of which the runner-up must have a word of the question that at most ~3 abstracts use, when
# the best match has one (`slot_sentences`)
RARE_WORD_IDF = 3.1

# ... and a candidate with at least this many of those words, where the best match has none, is
# read instead of it
RARE_OVERRULE = 2

_COMPARATIVE = re.compile(
    r"\b(?:against|versus|vs\.?|head-to-head|better|worse|outperform\w*|beats?"
    r"|compared?\s+(?:with|to|against)|how\s+does\s+\S+\s+compare)\b",
    re.IGNORECASE,
)
# "to make it work better on legal text", "so features transfer better": an improvement each
# paper makes, no comparison between the papers asked about
_IMPROVES = re.compile(
    r"\b(?:work|works|working|perform|performs|performing|do|does|generali[sz]es?|transfers?)"
    r"\s+(?:much\s+|even\s+)?(?:better|worse)\b(?!\s+than)"
    # "try to get better generalist robot policies", "for better downstream transfer": an aim
    r"|\b(?:get|gets|getting|make|makes|making|build|building|learn|learning|obtain|obtaining"
    r"|produce|producing|achieve|achieving|yield|yielding|toward|towards|for)"
    r"\s+better\s+(?!than\b)[a-z]"
    # "the RLGF policy that beat the GPT-3 oracle": a description of the paper, not an ask
    r"|\b(?:that|which|who)\s+(?:beat|beats|outperform(?:s|ed)?)\b",
    re.IGNORECASE,
)


def comparative(question: str) -> bool:
    """The question compares things ("A versus B", "does A outperform B")."""
    return _COMPARATIVE.search(_IMPROVES.sub(" ", question)) is not None


@dataclass
class Gate:
    """Why a question is (not) answerable from the candidates; kept for calibration."""

    answerable: bool
    score: float
    relevance: float
    oov: float
    missing: list[str] = field(default_factory=list)
    why: str = ""  # a failed rule, in words, for the abstention message
    rule: str = ""  # which rule failed: name, head-to-head, slot, relevance
    floor: bool = True  # rule 4 applies (not to a follow-up whose papers are settled)
    subject: bool = False  # names a paper's own name: rule 4 without the unknown-words penalty
    concentrated: bool = False  # the best sentences all from one paper: rule 4's lower floor

    def below(self, threshold: float, oov_weight: float) -> bool:
        """Rule 4 fails (calibration reuses it with other values)."""
        if self.concentrated:
            threshold = min(threshold, CONCENTRATED_THRESHOLD)
        return _floor_score(self.relevance, self.oov, self.subject, oov_weight) < threshold


def _floor_score(relevance: float, oov: float, own_name: bool, oov_weight: float) -> float:
    """Rule 4's score: relevance less the unknown-words penalty (none with a name of its own)."""
    return relevance - (0.0 if own_name else oov_weight) * oov


def _text(p: Paper) -> str:
    return (p.title + "\n" + p.abstract).lower()


def known_entities(question: str, corpus: Corpus) -> list[str]:
    """The question's specific names that some abstract of the collection mentions (field-wide
    abbreviations such as RL or LLMs name no subject)."""
    return [
        e for e in entities(question) if e not in GENERIC_NAMES and mentioned(e, corpus.text_lower)
    ]


# a name whose every word is this common in the collection (IDF; "BERT" 1.4 in the seeds, "Llama"
# 2.9, "GLUE" 4.0) is the field's, like "LLM": it picks no subject for rule 3 (tune: ninth round)
FIELD_NAME_IDF = 2.0


def field_wide(name: str, corpus: Corpus) -> bool:
    """Every word of `name` is common in the collection (FIELD_NAME_IDF): the field's name."""
    return max((corpus.term_idf(t) for t in terms(name)), default=9.0) < FIELD_NAME_IDF


# "Compare the Maltese and the African-language pretraining papers": asked of several papers
_MANY = re.compile(
    r"\b(?:papers|works|studies|articles|each|both|compare|contrast)\b", re.IGNORECASE
)


def subject_ids(question: str, papers: list[Paper], corpus: Corpus) -> set[str]:
    """The candidate papers the question is about: those naming its most specific name, the one
    the fewest candidates name ("bert2BERT" rather than "GLUE" in "What GLUE average did
    bert2BERT reach?"); empty when it names nothing a candidate names."""
    ranked = []
    # a spelled-out name ("the Decision-Pretrained Transformer") names its paper too, and so does
    # a capitalised word only one candidate's abstract uses ("rewarming Pythia models": the
    # rewarming study's model family; not "Chinese", which two use), unless such words point at
    # different papers ("the Maltese models and the model covering many African languages")
    found = [n for n in names(question, corpus.term_idf) if n not in GENERIC_NAMES]
    spelled = [n for n in found if " " in n]
    words = {
        n: users[0].id
        for n in found
        if n.isalpha() and len(users := [p for p in papers if mentioned(n, _text(p))]) == 1
    }
    if len(set(words.values())) == 1 and not descriptions(question) and not _MANY.search(question):
        spelled += list(words)
    for e in dict.fromkeys([*known_entities(question, corpus), *spelled]):
        if field_wide(e, corpus):
            continue  # "the two BERT models ...": a name many abstracts use is no paper's own
        found = papers_naming(e, papers)
        if found:  # a name before a size ("the 10B model ... SuperGLUE": ProX has "10B"
            # tokens, ERNIE "10 billion"), then the fewest candidates, then the rarest
            n = (e[0].isdigit(), len(found), corpus.text_lower.count(e.lower()))
            ranked.append((n, found))
    return {p.id for p in min(ranked, key=lambda r: r[0])[1]} if ranked else set()


def names_subject(question: str, papers: list[Paper], corpus: Corpus) -> bool:
    """The question names one or two candidate papers by a name of their own ("SOBertBase",
    "BLURB"): the collection covers its topic, so its other words that no abstract uses
    ("parameter counts", "acronym") are phrasing, not a topic the collection lacks (rule 4's
    penalty is for the latter)."""
    return any(
        not e[0].isdigit() and 1 <= len(papers_naming(e, papers)) <= 2
        for e in known_entities(question, corpus)
    )


def _listed(question: str, a: str, b: str) -> bool:
    """Two names listed side by side ("SOBertBase and SOBertLarge", "OpenVLA, RT-H or V-GPS",
    "the AfroLM and the Maltese BERT papers"): the question asks about each, not about one paper
    that names both."""
    x, y = re.escape(a), re.escape(b)
    for first, second in ((x, y), (y, x)):
        if re.search(
            rf"{first}(?:\s+[\w.-]+){{0,2}}?\W*\s*(?:,|\b(?:and|or|vs\.?|versus|as well as)\b|&|/)\s*"
            # ("policy initialisation in VirtualHome and imitation pre-training in MiniGrid": a
            # parallel phrase of lower-case words before the second)
            rf"(?:the\s+(?:[\w-]+\s+){{0,2}}|(?-i:(?:[a-z][\w-]*\s+){{1,4}}))?{second}",
            question,
        ):
            return True
    return False


def co_named(
    question: str, papers: list[Paper], corpus: Corpus
) -> tuple[list[str], set[str]] | None:
    """For a question whose names play different parts ("What MMLU score does MeCo reach?":
    a benchmark and a method), those names and the candidates that name them all; None when it
    names fewer than two things the candidates name, lists them side by side, or names them in
    different asks of its own ("..., and what is X called?"). A detail asked
    of one paper is answered by a sentence of a paper that names every one of them, not by
    another paper's sentence about the benchmark alone (rule 3)."""
    found = [
        e
        for e in dict.fromkeys(known_entities(question, corpus))
        if not e[0].isdigit() and papers_naming(e, papers)
    ]
    if len(found) < 2 or any(_listed(question, a, b) for a in found for b in found if a != b):
        return None
    # "How many languages does AfroLM cover, and what is the Maltese BERT called?": each ask
    # has its own name, asked of its own paper
    parts = question_parts(question)
    if len(parts) > 1 and not any(all(e in part for e in found) for part in parts):
        return None
    # "... in Agent Q's booking runs, in the RLGF policy that beat GPT-3 on IMDB, and as the
    # model aligned with SAMI?": names spread over the descriptions of several papers
    apart = descriptions(question)
    if len(apart) > 1 and not any(all(e in d for e in found) for d in apart):
        return None
    naming = {e: {p.id for p in papers_naming(e, papers)} for e in found}

    def names_it(e: str, p: Paper) -> bool:  # verbatim, not by `mentioned`'s looser parts
        return p.id in naming[e] or names_verbatim(e.lower(), _text(p))

    return found, {p.id for p in papers if all(names_it(e, p) for e in found)}


# a result measured on a dataset the question describes: "on the legal case-holdings
# multiple-choice dataset"
_ON_DESCRIBED = re.compile(
    r"\b(?:on|in)\s+the\s+(?P<d>(?:[\w-]+\s+){1,6}?(?:dataset|benchmark|task|test\s+set))\b",
    re.IGNORECASE,
)


def measured_apart(question: str, papers: list[Paper], corpus: Corpus) -> list[str]:
    """A name the question measures on a dataset it describes, and that description, when the
    paper the description fits best does not name it ("What accuracy does GPT-4 reach on the
    legal case-holdings multiple-choice dataset?": CaseHOLD's abstract has no GPT-4); else []."""
    m = _ON_DESCRIBED.search(question) if len(question_parts(question)) < 2 else None
    if not m or re.search(r"\b(?:what|which|how|and|or)\b", m["d"], re.IGNORECASE):
        return []
    outside = question[: m.start()] + question[m.end() :]
    found = [e for e in known_entities(outside, corpus) if not e[0].isdigit()]
    if len(found) != 1 or names(m["d"], corpus.term_idf):  # (a named dataset: `co_named`)
        return []
    home = described(m["d"], papers)
    return [] if mentioned(found[0], _text(home)) else [found[0], f"“{m['d']}”"]


def each_named(question: str, papers: list[Paper], corpus: Corpus) -> set[str]:
    """The best candidate for each of two or more names of a question that asks them each ("how
    many tasks did V-PTR and V-GPS each use"); empty when it names fewer."""
    best = {
        found[0].id
        for e in known_entities(question, corpus)
        if not e[0].isdigit() and (found := papers_naming(e, papers))
    } | set(short_title_named(question, papers))
    return best if len(best) >= 2 else set()


def titled_papers(question: str, papers: list[Paper]) -> set[str]:
    """The candidates the question names by their title: a name the title gives ("VPT",
    "MeCo"), the title's part before its colon ("A Pretrainer's Guide to Training Data"), or
    the whole title."""
    low = question.lower()
    # a name one title alone gives ("BERT" is in six titles: the field's, no paper's own)
    own = [
        e
        for e in asked_names(question)
        if sum(names_verbatim(e, p.title, ignore_case=True) for p in papers) == 1
    ]
    out = {
        p.id
        for p in papers
        if p.title.lower() in low
        or (
            ":" in p.title
            and len(head := p.title.partition(":")[0].split()) >= 2
            and " ".join(head) in question
        )  # a long head, written out
        or any(names_verbatim(e, p.title, ignore_case=True) for e in own)
    }
    return out | set(short_title_named(question, papers))


# "Dichotomy of Control vs DPT: which baseline does DoC beat ..., and what does DPT ...?": the
# heading sets the two side by side; the asks after it say what is compared, and with what
# ("Compare PreSelect and DataMan: how many tokens does PreSelect ...": the same heading)
_VERSUS_HEADING = re.compile(
    r"^(?:[^:?]{0,80}?\b(?:vs\.?|versus)\s+|(?:compare|comparing|contrast)\s+)[^:?]{1,60}:\s*",
    re.IGNORECASE,
)
# a comparison that asks for a verdict ("which is better", "does A outperform B") needs one
# abstract that makes it; "how do A and B compare on X" asks each
_VERDICT = re.compile(
    r"\b(?:better|worse|outperform\w*|beats?|beaten|wins?|head-to-head|superior|inferior"
    r"|stronger|weaker|which\s+(?:one|is|of\s+(?:the|them|these|those)))\b",
    re.IGNORECASE,
)


def own_subjects(question: str, papers: list[Paper], corpus: Corpus) -> set[str]:
    """The candidates each of which alone owns a name of the question (its title gives it, or
    its abstract introduces it) that is no field's ("BERT"): "How many tasks were used in the
    evaluations of OpenVLA and of V-GPS?" asks two papers in parallel, each of which may answer
    for itself (rule 3), unlike "What MMLU score does MeCo reach?", where MMLU is no paper's."""
    out: set[str] = set()
    for e in asked_names(question):
        if max((corpus.term_idf(t) for t in terms(e)), default=0.0) < FIELD_NAME_IDF:
            continue
        owners = [p.id for p in papers if owns_name(e, p.title, p.abstract)]
        if len(owners) == 1:
            out.add(owners[0])
    return out


def parallel_subjects(question: str, papers: list[Paper], corpus: Corpus) -> set[str]:
    """Rule 2 does not apply to papers of the collection compared without a verdict asked
    ("RoboFuME vs V-PTR: what real-robot setups do they report?", "How do BERTu and AfroLM
    compare against mBERT?"): two or more candidates named by a name of their own (one their
    title alone gives, or one their abstract introduces) are each asked the question, and the
    answer quotes each. Their ids, or none. A name many abstracts use is no paper's own, even
    where one of them spells it out ("A Transformer architecture (BERT)"): "By what factor did
    removing padding speed up BERT training, compared with the padded baseline?" compares no
    two BERT papers."""
    if _VERDICT.search(_IMPROVES.sub(" ", question)):
        return set()
    asked = [e for e in asked_names(question) if not field_wide(e, corpus)]
    owned = titled_papers(question, papers) | {
        p.id for p in papers if any(_presents(e, p.abstract) for e in asked)
    }
    return owned if len(owned) >= 2 else set()


def _presents(name: str, abstract: str) -> bool:
    """The abstract presents `name` as its own: "... GFlowNet (OC-GFN)", "We introduce
    RoboFuME, ...", "Our system, called V-PTR, ..."."""
    n = re.escape(name)
    return abstract_owns(name, abstract) or (
        re.search(
            rf"\b(?:we\s+(?:introduce|propose|present)|called|named|dubbed|termed)\s+{n}(?![\w-])",
            abstract,
            re.IGNORECASE,
        )
        is not None
    )


def slot_sentences(
    scored: list[Scored],
    about: set[str],
    rare: dict[str, set[str]] | None = None,
) -> list[Scored]:
    """The sentences rule 3 reads: all of the subject papers', else those of the SLOT_PAPERS
    papers with the best sentences (a question that names no paper is about the best match).
    `rare`: per candidate paper, the question's rare words its abstract uses. A runner-up without
    any, where the best match has some, is about something else ("How many parameters does the
    cybersecurity-adapted model have?": the pretrainer's guide's "1.5B parameter" models are no
    cybersecurity model). The candidate with the most of them, RARE_OVERRULE or more, where the
    best match has none, is the one asked about ("By how many F1 points did
    the Chinese mental-health model beat Chinese BERT?" is not answered by the Japanese medical
    BERT's "0.3 points", though that sentence scores best); one incidental word ("people") is
    too little to overrule the best match."""
    if about:
        return [s for s in scored if s.paper_id in about]
    order = list(dict.fromkeys(s.paper_id for s in scored))
    rare = rare or {}
    count = {p: len(rare.get(p, ())) for p in order}
    most = max(count.values(), default=0)
    top = order[:SLOT_PAPERS]
    if order and count[order[0]] == 0 and most >= RARE_OVERRULE:
        # (also when the best sentences are all the best match's: "What MMLU score did the 1.6B
        # model trained with URL metadata conditioning get?" is not asked of UL2, whose "MMLU"
        # sentences score best)
        top = [p for p in order if count[p] == most][:SLOT_PAPERS]  # the one described
    elif concentrated(scored):  # the best sentences all one paper's: it is asked about
        top = [max(scored, key=relevance).paper_id]  # (another's number is no answer)
    elif top and count[top[0]]:  # the runner-up must have more than half as many of them
        # ("Which specific Chinese base model did the mental-health language model start
        # from?": ERNIE 3.0 has "Chinese" of the four rare words MentalBERT has)
        top = [p for p in top if p == top[0] or 2 * count[p] > count[top[0]]]
    about = set(top)
    return [s for s in scored if s.paper_id in about]


# no rare words of a paper: metric or field abbreviations ("F1" tells no paper from another) and
# the words that ask for a name ("what is its score called")
_NOT_RARE = frozenset(t for n in GENERIC_NAMES for t in terms(n)) | frozenset(
    terms("called named dubbed termed kind sort")  # ("what kind of algorithm": not KIND)
    # ("By how many points does ... beat RT-2?": how one compares, said of any paper's result)
    + terms("beat beats beaten outperform outperforms surpass surpasses")
)


@functools.lru_cache(maxsize=4096)
def _text_terms(text: str) -> frozenset[str]:
    """An abstract's terms, read once (rare_words asks of every candidate, for every ask)."""
    return frozenset(terms(text))


def rare_words(
    question: str, papers: list[Paper], corpus: Corpus, asked: set[str] | None = None
) -> dict[str, set[str]]:
    """Per paper, the words of the question that few abstracts use (RARE_WORD_IDF) and that
    its abstract or title uses; a metric or field abbreviation (GENERIC_NAMES) is none, and
    neither are the `asked` words (the answer's kind)."""
    words = {
        t
        for t in terms(question)
        if corpus.knows(t)
        and corpus.term_idf(t) >= RARE_WORD_IDF
        and t not in _NOT_RARE
        and t not in (asked or ())
    }
    out = {p.id: words & _text_terms(_text(p)) for p in papers}
    # "pseudo-label" and its "pseudo" are one word of the question, not two
    return {
        pid: {w for w in ws if not any(w in o.split("-") for o in ws if o != w)}
        for pid, ws in out.items()
    }


# "What accuracy did the baseline reach on CoRe 50?": a quantity asked on a named benchmark or
# dataset, which the answering sentence must name (the abstract's "88.53% on 10-Split-CIFAR-100"
# is not its CoRe 50 result)
_MEASURED_ON = re.compile(
    # ("on the simulated WebShop store": one lower-case word before the name)
    r"\b(?:on|in|for)\s+(?:the\s+)?(?:(?-i:[a-z][\w-]*)\s+)?"
    r"(?P<n>(?=[\w.-]*[A-Z0-9])[A-Za-z][\w.-]*(?:\s+\d[\w.]*)?)"
)


def measured_on(
    question: str, slot: Slot, papers: list[Paper], among: list[Paper] | None = None
) -> list[str]:
    """The named benchmarks or datasets a quantity is asked on that the candidate abstracts name
    (and do not own: "on OpenVLA" is the paper, not where it was measured), or that the other
    papers `among` the candidates or the field (rag.glossary.BENCHMARKS) call a benchmark: a
    paper that never names MMLU gives no MMLU result ("By how many points does metadata
    conditioning improve MMLU accuracy?" is not told by MeCo's "33% less data")."""
    if slot.kind != "quantity" or not papers or len(question_parts(question)) > 1:
        return []  # ("How big is X, and what did it score on SuperGLUE?": of the other ask)
    out = []
    wider = [p for p in among or () if p not in papers]
    for m in itertools.chain(_MEASURED_ON.finditer(question), _SCORED_ON.finditer(question)):
        name = m.group("n").rstrip(".")
        # "the work on Maltese", "the model that took first place on SuperGLUE": which paper
        if _PAPER_ON.search(question[: m.start()]) or _RELATIVE.search(question[: m.start()]):
            continue
        if name.lower() in _NOT_BENCHMARK or name in GENERIC_NAMES:  # "for legal NLP"
            continue
        if any(own_names(name, p) for p in papers):
            continue
        # (a score or rate is measured in an environment too, "What success rate did Agent Q
        # reach in WebShop?"; a count of what was used is not: "how few trajectories ... in
        # MiniGrid" is told by a paper set in MiniGrid that says so once)
        if any(_benchmark(name, p.abstract, not slot.counted) for p in papers):
            out.append(name)
        elif not any(mentioned(name, _text(p)) for p in papers) and (
            name in BENCHMARKS or any(_benchmark(name, p.abstract) for p in wider)
        ):
            out.append(name)
    if (m := _SPENT_IN.search(question)) and any(
        m.group("x").lower() in _text(p).lower() for p in papers
    ):
        out.append(m.group("x"))  # "what fraction ... is spent in the cooldown phase"
    return out


# "What fraction of the total training tokens does MeCo spend in its cooldown phase?": the share
# is the cooldown's, which a sentence naming it gives (MeCo's "33% less data" is a saving)
_SPENT_IN = re.compile(
    r"\b(?:fraction|proportion|percentage|share|portion|how\s+much|how\s+many)\b[^?]*?\b"
    r"(?:spen[dt]s?|spending|devoted|allocated|dedicated)\s+(?:on|in|to|for|during)\s+"
    r"(?:the\s+|its\s+|their\s+|a\s+)?(?P<x>[a-z][\w-]{3,})",
    re.IGNORECASE,
)


# "improve MMLU accuracy", "its SuperGLUE score": a benchmark's name (two capitals or a digit)
# before the metric measured on it
_SCORED_ON = re.compile(
    r"\b(?P<n>(?-i:[A-Z][\w.-]*[A-Z0-9][\w.-]*))\s+(?:accuracy|scores?|F1|performance|results?)\b"
)
_PAPER_ON = re.compile(
    r"\b(?:papers?|works?|stud(?:y|ies)|articles?|one|ones|research|thesis|survey)\s*$",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"(?<=\s)(?:that|which|who)\b[^,;?]*$", re.IGNORECASE)
_BENCHMARK_NOUN = r"(?:benchmarks?|datasets?|suites?|leaderboards?|corpora|corpus)"
_PLACE_NOUN = rf"(?:{_BENCHMARK_NOUN}|environments?|simulators?)"


def _benchmark(name: str, abstract: str, places: bool = False) -> bool:
    """The abstract calls `name` a benchmark or dataset ("on Split-CIFAR100 and CoRe 50
    benchmarks", "datasets such as X"), or with `places` an environment or simulator ("the
    WebShop environment"); "built on Llama 2" is no place a number is measured."""
    n = re.escape(name)
    noun = _PLACE_NOUN if places else _BENCHMARK_NOUN
    return (
        re.search(
            rf"(?<![\w-]){n}(?![\w-])(?:\s+[\w-]+){{0,4}}?\s+{noun}\b",
            abstract,
            re.IGNORECASE,
        )
        is not None
        or re.search(
            rf"\b{noun}\s*(?:,|:|\(|such\s+as|like|including|namely)?\s*"
            rf"(?:[\w-]+\s+){{0,3}}?{n}(?![\w-])",
            abstract,
            re.IGNORECASE,
        )
        is not None
    )


_NOT_BENCHMARK = frozenset({"average", "total", "all", "english", "chinese", "gpus", "tpus"})


# words that ask for a number, which a collection may never use ("the parameter counts"): no
# unknown word of the topic
_ASKING = frozenset(terms("count"))


_WORDS = re.compile(r"[A-Za-z]+")


def oov_share(question: str, corpus: Corpus) -> float:
    """IDF share of the question's plain terms that appear in no abstract at all. The modifier
    of a hyphenated word whose head the abstracts know is no unknown word: "a brand-new
    benchmark" asks for a new one (as `_dead` reads it)."""
    qt = {t for t in terms(question) if "-" not in t and t not in _ASKING}
    for t in terms(question):
        *mods, head = t.split("-") if "-" in t else ("",)
        if mods and (h := terms(head)) and all(corpus.knows(x) for x in h):
            qt -= {x for m in mods for x in terms(m) if not corpus.knows(x)}
    # two words the abstracts write as one ("Hugging Face": "huggingface.co", "Stack Overflow":
    # "StackOverflow") are known words
    words = _WORDS.findall(question)
    for a, b in itertools.pairwise(words):
        if (
            min(len(a), len(b)) >= 3 and (j := terms(a + b)) and all(x in corpus.idf for x in j)
        ):  # (as written, no near form)
            qt -= set(terms(f"{a} {b}"))
    if not qt:
        return 0.0
    total = sum(corpus.term_idf(t) for t in qt)
    return sum(corpus.term_idf(t) for t in qt if not corpus.knows(t)) / total if total else 0.0


# "Is Amharic one of the African languages AfroLM covers?", "Does RELIEF report results on the
# Cora citation graph?": asked yes or no about a name no abstract uses, the abstracts cannot say
# yes (in other questions such a word is as often the reader's own: "Mandarin-language posts")
_POLAR = re.compile(r"^\s*(?:is|are|does|do|did|was|were|has|have|can|could)\b", re.IGNORECASE)
_CAPITAL_WORD = re.compile(r"(?<=[\w,;:(]\s)[A-Z][a-z]{2,}\b")


# "How does DPT do on Atari games?", "evaluated on Franka arms": the setting a result is asked
# on, whose capitalised name no abstract uses, is not in the collection
_RESULT_ON = re.compile(
    r"\b(?:(?:do|does|did|perform\w*|scor\w*|far\w*)|(?:evaluat|test|benchmark)\w*)\s+on\s+"
    r"(?:the\s+)?(?P<w>[A-Z][a-z]{2,})\b"
)


def unknown_names(question: str, corpus: Corpus) -> list[str]:
    """The capitalised words of a yes/no question that no abstract of the collection uses, or
    the one a result is asked on."""
    if _POLAR.match(asked_sentence(question)):
        words = list(dict.fromkeys(_CAPITAL_WORD.findall(question)))
    else:
        words = [m.group("w") for m in _RESULT_ON.finditer(question)]
    return [w for w in words if (ts := terms(w)) and not any(corpus.knows(t) for t in ts)]


def _slot_why(slot: Slot, subject: list[Paper], on: list[str] | None = None) -> str:
    what = {
        "quantity": f"a number for {slot.head}" if slot.head else "the number asked for",
        "name": f"the name of the {slot.head}" if slot.head else "the name asked for",
        "detail": f"the {slot.head}",
    }[slot.kind]
    if on := [b for b in on or () if b.lower() not in what.lower()]:  # (not "MMLU score on MMLU")
        what += f" on {' and '.join(on)}"
    if len(subject) == 1:
        return f"the abstract of “{subject[0].title}” does not give {what}"
    return f"none of them gives {what}"


def _asks_open(question: str) -> bool:
    """One of the question's asks is open ("How do RoboFuME and V-PTR each get reward signals,
    and on what hardware?"): asked of several papers, it is answered, what the abstracts leave
    out aside (a near-miss asks of one paper)."""
    for part in question_parts(question):
        slot = answer_slot(part)
        # (a soft slot, "which baselines", prefers a name but never abstains: as open)
        if (slot.kind == "open" or slot.soft) and not slot.asks_results:
            return True
    return False


_LEAD_COLON = re.compile(
    r"^[^?:]*?:\s+(?=(?:what|which|how|who|whom|where|when|did|does|do|is|are|was|were)\b)",
    re.IGNORECASE,
)


_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")


def _slot_part(question: str, slot: Slot) -> str:
    """The ask of a two-ask question whose own slot is `slot`, else the whole question."""
    # (or of one of its questions: "First, the A: how many ...? Second, the B: which ...?")
    parts = question_parts(question)
    if len(parts) < 2 and len(parts := re.split(r"(?<=\?)\s+(?=\S)", question.strip())) < 2:
        return question
    for part in parts:
        own = answer_slot(part)
        if (own.kind, own.head) == (slot.kind, slot.head):
            # ("Two papers ...: one ..., the other (V-PTR) .... At what rate does the Minecraft
            # agent act ...": the sentences before the ask say which papers, not whom it asks)
            said = LEAD_SENTENCES.match(part)
            part = part[said.end() :] if said else part
            # ("Regarding PCP and the paper that unifies LoRA-style methods: how many benchmarks
            # did PCP evaluate on": the words before the colon say which papers, as well, when
            # the ask names its own; "For legal NLP: what gain ...?" heads a topic it needs)
            said = _LEAD_COLON.match(part)
            ask = part[said.end() :] if said else ""
            return ask if _CAPITALISED.search(ask, 1) else part
    return question


# an ask of a few words with no subject of its own ("How many parameters does the decision-
# pretrained transformer have, and how many layers?"): it asks of the other ask's subject
_ELLIPTICAL = re.compile(
    r"^\W*(?:and\s+|also\s+)?(?:how\s+(?:many|much|long|big|large)|what|which)"
    r"(?!\s+about\b)(?:\s+[\w-]+){1,2}\W*$",
    re.IGNORECASE,
)


def _bearing_asks(asks: list[str]) -> list[str]:
    """The asks that bring a subject of their own: not a few words with none, nor a later one
    that points back at the first's ("..., and which base LLM was it started from?")."""
    return [
        a
        for i, a in enumerate(asks)
        if not _ELLIPTICAL.match(a)
        and not (i > 0 and _POINTS_BACK.search(a) and not DESCRIBED_IN.search(a))
    ]


# an ask that points back at a paper named before ("..., and how many parameters does it have?")
_POINTS_BACK = re.compile(
    r"\b(?:it|its|they|their|them|this|these|those|the same)\b", re.IGNORECASE
)
# an ask with a verb of its own: "What hardware and how many accelerators trained ERNIE 3.0?"
# asks its first part of the second's paper; a preamble ("In the CaseHOLD study") asks nothing
# ("how much compute went into the pool of byte-level models": a verb of spending)
_OWN_VERB = re.compile(
    r"\b(?:is|are|was|were|do|does|did|has|have|had|went|goes|took|takes|cost|costs)\b",
    re.IGNORECASE,
)


def _whole_subject(
    question: str, part: str, papers: list[Paper], corpus: Corpus, scored: list[Scored]
) -> set[str]:
    """The question's subject, for the ask carrying the slot that names no paper; when another
    ask of its own names that subject and this one has a verb of its own and does not point back,
    the paper this ask describes and the best matches instead ("How many questions are in the
    multiple-choice dataset about case holdings, and which Turkish model did the Turkish legal
    BERT compete with?": LegalTurk is the second ask's paper, the first describes its own)."""
    whole = subject_ids(question, papers, corpus)
    if not whole or not papers or _POINTS_BACK.search(part) or not _OWN_VERB.search(part):
        return whole
    for other in question_parts(question):
        if (
            other != part
            and _OWN_VERB.search(other)
            and whole <= subject_ids(other, papers, corpus)
        ):
            best = list(dict.fromkeys(s.paper_id for s in scored))[:SLOT_PAPERS]
            return {described(part, papers).id, *best}
    return whole


_DOES_ON = re.compile(
    r"\b(?:do|does|did|perform|performs|performed|score|scores|scored|fare|fares|fared)\s+on\b",
    re.IGNORECASE,
)


def concentrated(scored: list[Scored]) -> bool:
    """The CONCENTRATED_TOP best sentences all come from one paper."""
    top = sorted(scored, key=relevance, reverse=True)[:CONCENTRATED_TOP]
    return len(top) == CONCENTRATED_TOP and len({s.paper_id for s in top}) == 1


def gate(
    question: str,
    scored: list[Scored],
    papers: list[Paper],
    corpus: Corpus,
    threshold: float = ABSTAIN_THRESHOLD,
    oov_weight: float = OOV_WEIGHT,
    focus: set[str] | None = None,
    slot: Slot | None = None,
    named: set[str] | None = None,
    parts: float | None = None,
    topic: str = "",
) -> Gate:
    """Apply the rules of the module docstring. `focus`: the earlier papers a follow-up points
    at (the subject of rule 3; rules 2 and 4 do not apply). `named`: two or more papers the
    question names and the candidates hold ("How do SOBert, CySecBERT and URLBERT differ?"):
    rule 4 does not apply. `parts`: the best relevance of any one part of a long question
    (`rag.questions.clauses`), for rule 4. `topic`: what a question asks whether the
    collection covers ("Is there any work on X?"): rule 4 as for a compare topic."""
    rel = max((relevance(s) for s in scored), default=0.0)
    if parts is not None:  # a long question: its best-matched part counts half (rule 4)
        rel = (rel + max(rel, parts)) / 2
    oov = oov_share(question, corpus)
    own_name = names_subject(question, papers, corpus)
    score = _floor_score(rel, oov, own_name, oov_weight)
    missing = missing_entities(question, papers) or unknown_names(question, corpus)
    if missing:
        return Gate(False, score, rel, oov, missing, rule="name")
    if topic and not focus and (dead := dead_words(topic, corpus, topic=True)):
        why = f"no abstract uses the words {' or '.join(dead)}"
        return Gate(False, score, rel, oov, why=why, rule="relevance")
    # papers compared without a verdict asked: each is asked (rules 2 and 3)
    compares = comparative(question)
    compared = parallel_subjects(question, papers, corpus) if compares else set()
    if not focus and compares and not ASKS_EACH.search(question) and not compared:
        # each ask on its own: "By how much did OpenVLA beat RT-2-X, and over how many tasks
        # did V-GPS ...?" compares the first two only
        for part in question_parts(question):
            # "DoC vs DPT: which baseline does DoC beat": the ask after the heading, where it
            # names whom it asks of ("DoC vs DPT: which is better?" asks of both)
            if (vs := _VERSUS_HEADING.match(part)) and known_entities(part[vs.end() :], corpus):
                part = part[vs.end() :]
            ents = known_entities(part, corpus)
            if len(ents) < 2 or not comparative(part):
                continue
            if not any(all(mentioned(e, _text(p)) for e in ents) for p in papers):
                why = f"no abstract compares {' and '.join(ents)} directly"
                return Gate(False, score, rel, oov, why=why, rule="head-to-head")
    slot = slot or answer_slot(question)
    answered_by_name = False
    if (slot.asks_results or slot.kind == "quantity") and not focus and papers and not compares:
        # "How well does GPT-3 do on the CaseHOLD task?", "What accuracy does GPT-4 reach on the
        # legal case-holdings dataset?": no abstract that names the one and names or is the
        # other gives a result of the one on the other (rule 3, as for a number asked)
        # ("How well does GPT-4 do on CaseHOLD?": two names of two papers, one result asked of
        # the one on the other, not two papers set side by side)
        together = (
            co_named(question, papers, corpus)
            if slot.asks_results and (not named or _DOES_ON.search(question))
            else None
        )
        apart = None if together is not None else measured_apart(question, papers, corpus)
        if (together is not None and not together[1]) or apart:
            pair = together[0] if together is not None else apart
            why = f"no abstract names {' and '.join(pair)} together"
            return Gate(False, score, rel, oov, why=why, rule="slot")
    if slot.checked and not slot.soft and scored:
        # the names of the ask that carries the slot first ("What accuracy does the baseline
        # reach on 10-Split-CIFAR-100, and what are the two FST variants called?": the accuracy
        # is the baseline's, not FST's), then the question's
        # (the reader's example answers name no paper asked about: "Which RL algorithm, for
        # example PPO or SAC, trains the agent in RELIEF?" is not asked of the PPO paper)
        asked = without_offered(question)
        part = without_offered(_slot_part(question, slot))
        # ("The protein embedding benchmark and the nearest-mean baseline: how many tasks does
        # the benchmark contain": the paper of the description the ask repeats a word of)
        referred = referred_description(part, question) if papers else ""
        about = (
            set(focus or ())
            or ({described(referred, papers).id} if referred else set())
            or subject_ids(part, papers, corpus)
            or title_described(asked, papers)
            or (_whole_subject(asked, part, papers, corpus, scored) if part != asked else set())
        )
        # two papers named by their titles ("Which environments do VPT and 'Pre-Trained
        # Language Models for ...' use?"), or by names of their own and asked "each" ("OpenVLA
        # ..., while V-GPS ...: how many tasks is each evaluated on?"), are parallel subjects,
        # any of which may answer ("each of its four benchmarks" names one paper)
        titled = titled_papers(asked, papers)
        owned = {p.id for p in papers if own_names(asked, p)} | titled
        several = not focus and (
            len(titled) >= 2
            or (bool(ASKS_EACH.search(question)) and len(owned) >= 2)
            or len(own_subjects(asked, papers, corpus)) >= 2
            or bool(compared)
        )
        owned |= compared
        # (the names of the ask that carries the slot: "What success rate does Agent Q reach,
        # and what win rate does SAMI report for mistral-7b?" asks the rate of Agent Q alone)
        together = None if focus or several else co_named(part, papers, corpus)
        if together is not None and not together[1]:
            why = f"no abstract names {' and '.join(together[0])} together"
            return Gate(False, score, rel, oov, why=why, rule="slot")
        if together is not None:
            about = together[1]
        elif several:
            about = owned
        elif not focus and ASKS_EACH.search(question):  # "how do V-PTR and V-GPS each ...": any
            about = each_named(question, papers, corpus) or about  # of them may answer
        # a question about one paper: a runner-up without its rare words is no subject
        asks = question_parts(question)
        one_paper = (
            not _MANY.search(question)
            and not descriptions(question)
            # two asks may be of two papers, unless each later one points back at the first's
            # ("How many parameters does the self-evolved medical model have, and which base
            # LLM was it started from?"), not at a paper it describes ("what constraint does
            # the method that separates ... use to strip randomness from its latent variable")
            and len(_bearing_asks(asks)) <= 1
        )
        # (the asked kind's own word, "which toxicity classifier", tells what is asked, not of whom;
        # nor do the reader's examples: "Which robot arms (for example WidowX or Franka) were the
        # value-guided policy steering experiments run on?" is not asked of the WidowX paper)
        rare = rare_words(asked, papers, corpus, set(slot.terms)) if one_paper else None
        # (the name that made a paper the subject does not describe it: "By how many points
        # does metadata conditioning with a cooldown phase improve MMLU accuracy?")
        # (a paper's own name, one its title gives, describes it: "ERNIE 3.0")
        # (read only for a question about one paper, as `rare` is)
        entities = known_entities(part, corpus) if rare else []
        naming = {t for e in entities for t in terms(e)}
        titles = {p.id: _text_terms(p.title) for p in papers} if rare else {}
        left: list[str] = []  # the names the paper asked about, once overruled, never gives
        if (
            rare
            and about
            and not focus
            and not any(rare.get(p, set()) - (naming - titles[p]) for p in about)
        ):
            # "What MMLU score did the 1.6B model trained with URL metadata conditioning get?":
            # the one paper naming MMLU (UL2) has none of the words that describe the paper
            # asked about; a paper with RARE_OVERRULE of them is that paper, and a number it
            # gives is no answer unless given with the names ("What win rate does the mutual-
            # information method reach against GPT-4?": SAMI never names GPT-4)
            most = max(len(ws) for ws in rare.values())
            if most >= RARE_OVERRULE:
                about = {p for p, ws in rare.items() if len(ws) == most}
                told = [_text(p) for p in papers if p.id in about]
                left = [e for e in entities if not any(mentioned(e, t) for t in told)]
        elif rare and len(about) >= 2 and not focus and not several:
            # a name two candidates share ("What exact SuperGLUE score did the cybersecurity-
            # adapted language model get?": ERNIE 3.0 and CySecBERT): those with the question's
            # other rare words are the one asked about
            own = {p: len(rare.get(p, set()) - naming) for p in about}
            if (best := max(own.values())) > 0:
                about = {p for p, n in own.items() if n == best}
        cands = slot_sentences(scored, about, rare)
        reading = {s.paper_id for s in cands}
        on = measured_on(question, slot, [p for p in papers if p.id in reading], papers)
        on += [e for e in left if e not in on]
        # (a count asked under a word the best paper never uses is any number there; one the
        # paper asked about gives under the word itself counts too: "four important
        # directions: designing ...", where the book leads and the review is asked)
        worded = answer_slot(question) if slot.counted and not slot.terms else slot
        filling = [
            s
            for s in cands
            if (
                fills(slot, s.sentence, question, corpus.term_idf, True)
                or (worded is not slot and fills(worded, s.sentence, question))
            )
            and all(mentioned(b, s.sentence.lower()) for b in on)
        ]
        # the paper the question names by its own name gives what is asked: the collection
        # covers the question, however few of its words that paper's sentences share ("What
        # are the parameter counts of the StackOverflow models?": "109M parameters")
        answered_by_name = own_name and bool(about) and any(s.paper_id in about for s in filling)
        # ("Two robotics papers ...: one pre-trains them on human videos, the other steers
        # generalist policies. What does each do and what hardware did they test on?": two
        # papers described, not named, are as several as two named ones)
        pair = bool(ASKS_EACH.search(question)) and len(descriptions(asked)) >= 2
        if not filling and not ((several or pair) and _asks_open(question)):
            read = about or {s.paper_id for s in cands}  # the papers rule 3 read
            subject = [p for p in papers if p.id in read]
            return Gate(False, score, rel, oov, why=_slot_why(slot, subject, on), rule="slot")
    # a follow-up that points at earlier papers has its subject settled: the relevance floor
    # (which asks "does the collection cover this at all?") does not apply, rules 1-3 do
    settled = bool(focus) or bool(named) or answered_by_name
    one = concentrated(scored)
    floor = min(threshold, CONCENTRATED_THRESHOLD) if one else threshold
    ok = bool(scored) and (settled or score >= floor)
    rule = "" if ok else "relevance"
    return Gate(
        ok, score, rel, oov, rule=rule, floor=not settled, subject=own_name, concentrated=one
    )


def _dead(slot: frozenset[str], corpus: Corpus) -> bool:
    """No abstract has a word for this part of a criterion. A hyphenated word no abstract uses
    is dead when its last part is too ("text-to-music": "text" is everywhere, "music"
    nowhere; "mid-task" is about a task)."""
    if any(corpus.knows(t) for t in slot if "-" in t):
        return False
    compounds = [t for t in slot if "-" in t]
    parts = [t for t in slot if "-" not in t]
    if len(compounds) == 1 and len(parts) <= compounds[0].count("-") + 1:  # one word's parts
        head = compounds[0].rsplit("-", 1)[1]  # what the word names: "music", not "mid-"
        return not any(corpus.knows(t) for t in parts if t.startswith(head) or head.startswith(t))
    return not any(corpus.knows(t) for t in slot)


def dead_words(criterion: str, corpus: Corpus, topic: bool = False) -> list[str]:
    """The criterion's words for parts no abstract has a word for, when there are enough of them
    to say the collection lacks the property (DEAD_SLOTS_MIN and DEAD_SLOT_SHARE; one part at
    least TOPIC_DEAD_SHARE of them for a topic, every word of which names it); else none."""
    from rag.compare import slots  # compare reads this module's measures lazily too

    sl = slots(criterion)
    dead = [s for s in sl if _dead(s, corpus)]
    least, share = (1, TOPIC_DEAD_SHARE) if topic else (DEAD_SLOTS_MIN, DEAD_SLOT_SHARE)
    if not dead or len(dead) < least or len(dead) < share * len(sl):
        return []
    words = [
        w for w in re.findall(r"[\w-]+", criterion) if any(t in s for s in dead for t in terms(w))
    ]
    return list(dict.fromkeys(words))


def compare_gate(
    criterion: str,
    best_sentence: float,
    corpus: Corpus,
    topic: bool = False,
    best_paper: float = 0.0,
) -> Gate:
    """Rule 4 for a compare question: is the property `criterion` anywhere in the collection?
    `best_sentence` is the best sentence score any screened paper has for it. Two of its
    parts that no abstract has a word for (DEAD_SLOTS_MIN, at least DEAD_SLOT_SHARE of them)
    say so too: "graph neural networks for traffic forecasting" is about traffic forecasting,
    unless a paper matches the rest as well as DEAD_RESCUE (`best_paper`: the best relevance of
    the screen), which answers the floor too: "deciding which web text is worth feeding an
    LLM" is about data selection."""
    oov = oov_share(criterion, corpus)
    score = _floor_score(best_sentence, oov, False, OOV_WEIGHT)
    # (only a property put as what papers do: a kind of paper or a topic, "are surveys of
    # quantum computing", keeps every word)
    if best_paper >= DEAD_RESCUE and not topic and not _KIND_CRITERION.match(criterion):
        return Gate(True, score, best_sentence, oov)
    words = dead_words(criterion, corpus, topic)
    if words:
        why = f"no abstract uses the words {' or '.join(words)}"
        return Gate(False, score, best_sentence, oov, why=why, rule="relevance")
    ok = score >= COMPARE_FLOOR
    return Gate(ok, score, best_sentence, oov, rule="" if ok else "relevance")
