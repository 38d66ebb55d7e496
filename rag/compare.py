"""Compare mode, "which papers do X": screen well beyond top-k and return the whole matching set.

Top-k retrieval answers "what is the best paper for X" but a researcher asking "which papers
evaluate on real robots" wants every one of them. So every paper of a small collection (up to
`SCREEN_ALL_MAX`) is screened, and in a larger one every paper the retriever ranks above a
relevance floor. Each screened paper is decided by the LLM (`screen_papers`, batched) or offline by
a calibrated threshold on its relevance to the criterion: its best sentence (dense + disjunction-aware
lexical) plus its whole abstract's similarity.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace

import numpy as np

from rag.contribution import (
    contribution_object,
    evaluated_on,
    evaluation_data,
    evaluative,
    is_release,
    object_modifiers,
    states,
)
from rag.extractive import W_DENSE, W_LEX, Corpus, asks_code, cite, is_boilerplate
from rag.facets import (
    Facet,
    asked_facets,
    asks_main_subject,
    is_survey,
    kind_sentence,
    leaves_out_surveys,
    says_kind,
)
from rag.glossary import field_terms, in_field_words
from rag.questions import GENERIC_NAMES, names, strip_lead_in
from rag.schema import ComparedPaper, Paper, SearchFilters
from rag.sentences import embed_sentences, split_sentences, terms

SCREEN_ALL_MAX = 300  # collections up to this size are screened completely
NOT_MATCHING = "Not clearly matching:"  # heads the papers a scoped compare shows as not matching
SCREEN_CANDIDATES = 300  # larger collections: this many retrieval candidates

# offline decision: a paper's relevance is its best sentence's score against the criterion
# (W_DENSE * cosine + W_LEX * disjunction-aware IDF term coverage, see `slot_overlap`) plus
# COMPARE_TOPIC_WEIGHT * the cosine of its whole abstract (mean sentence vector), plus or minus
# CONTRIBUTION_WEIGHT when the criterion is a contribution ("propose a new benchmark") and the
# abstract does or does not state it as its own (rag.contribution). A paper matches when its
# relevance clears the question's own cutoff: COMPARE_RELATIVE of the way from the median
# paper's relevance (what an unrelated paper scores on this criterion) to the best one's, and at
# least COMPARE_THRESHOLD. Fitted on the tune split's compare questions with
# `.venv/bin/python eval/calibrate.py` (grid, leave-one-question-out CV printed beside it; the
# refit of the thirty-second round, 0.38 / 0.50 / 0.20, was not taken: docs/ANSWERING.md).
COMPARE_THRESHOLD = 0.40
COMPARE_RELATIVE = 0.48
# "Which papers X, and what do they report for Y?": the reader asks something of every paper
# that does X, so a borderline one is better listed (with its confidence) than left out
ASKED_OF_EACH_RELATIVE = 0.40
COMPARE_TOPIC_WEIGHT = 0.40
# plus DOC_LEX_WEIGHT * the criterion's IDF term coverage (`slot_overlap`) by the whole title and
# abstract: a paper that states the property across two sentences ("we score documents ..." /
# "... to select pretraining data") has every word of it, though no one sentence has them all
DOC_LEX_WEIGHT = 0.10
CONTRIBUTION_WEIGHT = 0.15
# a word before the contribution's head this rare (IDF; "contrastive" 2.2, "medical" 2.7, not
# "pretraining" 1.1 or "new" 1.2) says what kind of object is asked: the stating sentence says it
MODIFIER_IDF = 2.0
# a release criterion ("release model weights or checkpoints") is stated in so few words ("we
# release our models at ...") that similarity hardly sees it, and the statement is near certain:
# its weight is twice that of other contributions (tune: the five release questions' F1 from
# 0.44-0.76 to 0.87-0.96, no other row changed; 0.5 and 1.0 give the same, 0.15 is not enough)
RELEASE_WEIGHT = 0.30
# a criterion asking for a kind of paper (rag.facets: "surveys or books", "proofs or guarantees")
# adds this to a paper whose abstract has the kind's cue words and takes it from one without
# (tune: docs/ANSWERING.md, ninth round)
FACET_WEIGHT = 0.30
# ... and answers the compare gate when its other words (but its verb) are nearly all words of
# the collection: "surveys of quantum computing" does not
KIND_OOV_MAX = 0.2
_BACKING = re.compile(
    r"^\s*(?:back(?:ed|ing)?(?:\s+up)?|underpin|support|justify|ground|accompany|complement"
    r"|supplement)s?\b",
    re.I,
)
# "with actual formal theory", "explicitly deal with": how sure the reader wants it, no topic
_HEDGE = re.compile(r"\b(?:actual(?:ly)?|genuine(?:ly)?|truly|explicitly)\b", re.IGNORECASE)
MEDIAN_MIN = 10
# a criterion's phrase few abstracts use ("in-context learning", "scaling laws": two adjacent
# words PHRASE_DF_MIN to PHRASE_DF_MAX of the screened abstracts have side by side, or written
# with initials: "offline RL") is how the papers on it say it: a paper with none of its phrases
# loses PHRASE_WEIGHT ("Name the papers that investigate in-context learning" listed RT-H for
# "visual context" and "learns"); the cutoff is set before it, so it only takes papers away.
# Compare F1 on the 3,848 tune compare questions: 0.8810 / 0.8827 / 0.8844 / 0.8831 at 0.03 /
# 0.05 / 0.08 / 0.12 (precision 0.876 / 0.882 / 0.890 / 0.893, recall 0.918 / 0.915 / 0.910 /
# 0.905): docs/ANSWERING.md, forty-first round
PHRASE_WEIGHT = 0.08
PHRASE_DF_MAX = 8
# (words one abstract has side by side, "image data", are its own wording: counted as a phrase,
# F1 0.8789, but "run experiments on image data" lost PLIP)
PHRASE_DF_MIN = 2
# the words a paper may state a kind of method under (`screen_offline`)
_METHOD_WORDS = frozenset(
    terms("objective loss method approach task technique framework strategy scheme")
)
# "Which papers ...?" asks for papers: when COMPARE_THRESHOLD leaves fewer than this many in a
# collection, the question's own cutoff alone decides ("have anything to do with medicine,
# doctors or health care": every medical paper scores under 0.40, the best at 0.42; tune compare
# F1 0.8543 -> 0.8552 on the 37 questions it changes, blind batches eq-et 0.731 -> 0.744;
# docs/ANSWERING.md, twenty-eighth round)
PLURAL_MATCHES = 2

# the words of a criterion that asks for a release and nothing else ("publicly release their
# trained model weights or checkpoints for others to download")
_RELEASE_WORDS = frozenset(
    terms(
        "release publicly public openly freely make available accessible open source share"
        " trained pretrained pre-trained model weights checkpoints code their own others people"
        " researchers download downloadable use reuse anyone put out actually final resulting"
        " parameters"
    )
)

# the words a reader uses for the papers of the collection (plural; routing reads them too)
PAPER_NOUNS = r"papers|works|studies|articles|abstracts|publications|entries|items"
_PAPERS = rf"(?:{PAPER_NOUNS}|paper|work)"
_COUNT = r"(?:two|three|four|five|six|\d+)"  # "which of those three (papers)"
# "What do we have on graph neural networks?", "What is there on X?": the collection asked what
# it covers, as "anything on X?"
HAVE_ON = (
    r"^\W*what\s+(?:do\s+(?:we|you|I)\s+have|have\s+(?:we|you)\s+got|is\s+there|'s\s+there)"
    r"(?:\s+(?:in\s+)?here)?(?=\s+(?:on|about|regarding|concerning|covering)\s)"
)
_LEAD = re.compile(
    # "anything in here on legal text?", "Is there anything about X?"
    rf"^\s*(?:{HAVE_ON}"
    r"|(?:(?:are|is)\s+there\s+)?anything(?:\s+(?:in\s+)?(?:here|the\s+collection))?"
    r"(?=\s+(?:on|about|regarding|covering|dealing\s+with|touching|that\s+(?:deals?|touch(?:es)?))\b)"
    r"(?:\s+(?:regarding|covering|dealing|touching(?:\s+on)?|that\s+(?:deals?|touch(?:es)?(?:\s+on)?)))?"
    # ("Which ones use a contrastive loss?", "Who reports SuperGLUE numbers?")
    r"|which\s+ones|who(?=\s+[\w-]+s\b)"
    rf"|(?:which|what)\s+of\s+(?:(?:these|those|them)(?:\s+{_COUNT})?|the\s+{_COUNT})"
    rf"(?:\s+{_PAPERS})?"
    rf"|(?:which|what)\s+(?:of\s+the\s+)?(?:(?!{_PAPERS}\b)[\w-]+\s+)?{_PAPERS}"
    rf"|(?:list|find|show|name|give)(?:\s+(?:me|all))*\s+(?:the\s+)?(?:(?!{_PAPERS}\b)[\w-]+\s+)?"
    rf"{_PAPERS}"
    rf"|(?:(?:are|is)\s+there\s+)?any\s+(?:(?!{_PAPERS}\b)[\w-]+\s+)?{_PAPERS}"
    rf"|(?:are|is)\s+there\s+(?:any\s+)?(?:(?:(?!{_PAPERS}\b)[\w-]+\s+)?{_PAPERS})?"
    rf"|(?:{PAPER_NOUNS})(?=\s+(?:on|about|regarding|covering|that|which|using)\b))"
    r"\s*(?:(?:that|which|who|on|about|with)\b)?\s*",
    re.IGNORECASE,
)
# where the question says it asks ("in the collection", "among these abstracts"): not a property
SCOPE = re.compile(
    r",?\s*\b(?:in|from|among|across)\s+(?:the|this|these|my|our)\s+"
    rf"(?:collection|corpus|library|index|{PAPER_NOUNS})\b"
    r"|,?\s*\bin\s+here\b",  # "Are there any surveys in here?"
    re.IGNORECASE,
)


# "What does the collection say about X?", "what do the abstracts have on X": as below
_COVERAGE = (
    r"\b(?:collection|abstracts|corpus|library)\s+(?:say|says|have|has|contain|contains"
    r"|cover|covers|know|knows|tell\s+us)(?:\s+\w+)?\s+(?:on|about|regarding)\s"
)
# "Any papers on speculative decoding?": the criterion is a topic, every word of which names it
_TOPIC = re.compile(
    # ("Any results on self-supervised pretraining for satellite imagery?": as "any work on")
    rf"\b(?:{PAPER_NOUNS}|paper|work|research|anything|something"
    r"|(?<=any\s)(?:results|findings|evidence))"
    r"(?:\s+(?:in\s+)?here)?"
    # ("anything related to cybersecurity?", "anything involving speech or audio?", "anything
    # touching speech?", "anything that deals with graph neural networks?")
    rf"\s+(?:on|about|regarding|covering|concerning|involving|(?:related|relating)\s+to"
    r"|touching(?:\s+on)?|dealing\s+with|that\s+(?:deals?\s+with|touch(?:es)?(?:\s+on)?))\s"
    rf"|{_COVERAGE}|{HAVE_ON}\s+\w+\s",
    re.IGNORECASE,
)
# "Is there any work on X?", "Anything here about X?": asks whether the collection covers X
_EXISTENCE = re.compile(
    rf"^\W*(?:is|are)\s+there\b"
    rf"|\bany(?:thing|\s+(?:{PAPER_NOUNS}|paper|work|research|results|findings|evidence))\b"
    rf"|{_COVERAGE}|{HAVE_ON}",
    re.IGNORECASE,
)


def asks_topic(question: str) -> bool:
    """The question asks for the papers on a topic ("papers on X", "anything about X") rather
    than for papers that do something ("papers that evaluate on real robots")."""
    return _TOPIC.search(split_question(question)[0]) is not None


# a topic of up to this many parts names it in every word; a longer one describes ("speeding up
# distributed BERT training by getting rid of padding") and carries words of phrasing
TOPIC_PARTS_MAX = 5


# "what do the abstracts say about when X pays off": a question about a topic, not its name
_WH_CLAUSE = re.compile(r"\s*(?:when|whether|how|why|what|which|who|where|if)\b", re.IGNORECASE)


# "anything on how to clean a pretraining corpus?" asks for the papers on cleaning it, as
# "anything on cleaning ..." does; "what does the collection say about how ..." asks what they say
_ASKS_PAPERS = re.compile(
    rf"(?:{PAPER_NOUNS}|paper|work|research|anything|something)\b", re.IGNORECASE
)
_HOW = re.compile(r"^how\s+(?:to\s+)?(?=\w)", re.IGNORECASE)


def asked_topic(question: str) -> str:
    """The topic a question asks whether the collection covers ("Is there any work on
    pretraining transformers for time-series forecasting?"), or "" for any other question."""
    first = split_question(question)[0]
    m = _TOPIC.search(first)
    if not m or not _EXISTENCE.search(question):
        return ""
    topic = topical(core_of(first[m.end() :].strip(" ?.!")))[0]
    # "anything on how to filter pretraining data?": the papers on filtering it
    if _ASKS_PAPERS.match(m.group(0)) and not re.match(_COVERAGE, m.group(0), re.IGNORECASE):
        topic = _HOW.sub("", topic, count=1)
    if _WH_CLAUSE.match(topic):  # (in words of its own, "pays off", no abstract's)
        return ""
    return topic if len(slots(topic)) <= TOPIC_PARTS_MAX else ""


# "Which paper uses pretrained transformers for time-series forecasting?": one paper asked for by
# what it does, in few words, asks whether the collection covers that (as "any work on" does)
_WHICH_ONE_DOES = re.compile(
    r"^\W*(?:which|what)\s+(?:one\s+of\s+the\s+)?(?:paper|work|study|article)\s+(?!'s)"
    r"(?P<does>[^?,;:]+?)\s*\??\s*$",
    re.IGNORECASE,
)


def which_one_topic(question: str) -> str:
    """What a short "which paper <does X>?" asks the collection to cover ("uses pretrained
    transformers for time-series forecasting"), or "" (a longer one describes a paper in words
    of its own phrasing)."""
    m = _WHICH_ONE_DOES.match(strip_lead_in(question).text)
    if not m:
        return ""
    topic = topical(core_of(m["does"]))[0]
    return topic if len(slots(topic)) <= TOPIC_PARTS_MAX else ""


# "Which papers X, and what do they Y?": the property is X; Y is asked of each matching paper
_TAIL = re.compile(
    r",?\s+and\s+(?:(?:explain|say|describe|tell\s+me|state|report|give|list|name)\s+)?"
    r"(?=(?:(?:in|on|for|with|by|from|at|to|of|under|across)\s+)?"
    r"(?:what|how|which|where|when|why|who|do|does|did|is|are|was|were)\b)",
    re.IGNORECASE,
)


_NEXT_QUESTION = re.compile(
    r"\?\s+(?=(?:what|how|which|where|when|why|who|do|does|did|is|are|was|were)\b)",
    re.IGNORECASE,
)

# "Are there papers on X? Which ones?": a second question that only asks for the papers asks
# nothing of each of them
_ONLY_WHICH = re.compile(
    rf"^(?:which|what)\s+(?:ones|{PAPER_NOUNS}|are\s+they|of\s+them)\s*[?.!]*$", re.IGNORECASE
)


# "What do the papers that X propose?", "Across the papers that X, what ...?": the property is
# the relative clause; what is asked of them is the whole question
PLURAL_SUBJECT = re.compile(
    rf"\b(?:the|those|all)\s+(?:(?!{_PAPERS}\b)[\w-]+\s+)?(?:{PAPER_NOUNS})\s+(?:that|which)\s+"
    r"(?P<c>[^,;?]+)",
    re.IGNORECASE,
)

# "Among the papers that X, which ones Y?": X only narrows, Y is the property
WHICH_OF = re.compile(r"\bwhich\s+(?:ones|of\s+(?:these|those|them))\b", re.IGNORECASE)


_WH_BEFORE = re.compile(r"\b(?:when|whether|why|where|how|what|which|who)\s*$", re.IGNORECASE)


# "Which papers look at what goes wrong, and what works best, when ...": a wh-clause the
# property holds, then a second one that asks of no one ("what works", "what happens"), not
# "what do they report" or "how?"
_EMBEDDED_WH = re.compile(r"\b(?:what|how|when|why|whether|where)\b", re.IGNORECASE)
_SUBJECT_WH = re.compile(
    r"^(?:what|which)\s+(?!(?:is|does|has|was|needs)\b)[a-z]+[^s\W]s\b"
    r"(?!\s+(?:do|does|did|are|is|were|was|have|has|can|of|they|it|each)\b)",
    re.IGNORECASE,
)


def _coordinated(head: str, tail: str) -> bool:
    """The wh-clause after ", and" is a second clause of the property, not a second question."""
    lead = _LEAD.match(head)
    return bool(lead and _EMBEDDED_WH.search(head[lead.end() :]) and _SUBJECT_WH.match(tail))


# "Are there any papers on X? List them all.": how to answer, after the question; no criterion
_FORM_TAIL = re.compile(
    r"(?<=[?.!])\s*(?:please\s+)?(?:list|name|show|give(?:\s+me)?|enumerate)\s+"
    r"(?:them|all|each|every|me|those|these)\b[^?!.]*[.!?]?\s*$",
    re.IGNORECASE,
)


def split_question(question: str) -> tuple[str, str]:
    """("Which papers X", "what do they Y?") from "Which papers X, and what do they Y?"; the
    second part is "" when there is none."""
    q = _FORM_TAIL.sub("", strip_lead_in(question).text)
    if not _LEAD.match(q) and not WHICH_OF.search(q) and (sub := PLURAL_SUBJECT.search(q)):
        return sub.group("c").strip(), q
    # "analyse when and how transformers learn ...": a pair of wh-words asks no second question;
    # nor does a second clause of what the papers look at ("look at what goes wrong, and what
    # works best, when ...")
    m = next(
        (
            t
            for t in _TAIL.finditer(q)
            if not _WH_BEFORE.search(q[: t.start()])
            and not _coordinated(q[: t.start()], q[t.end() :])
        ),
        None,
    )
    if not m:
        # "Which papers X? What hardware did they test on?": the second question is the tail
        nxt = _NEXT_QUESTION.search(q)
        if nxt and nxt.end() < len(q):
            tail = q[nxt.end() :].strip()
            return q[: nxt.start()], "" if _ONLY_WHICH.match(tail) else tail
        return q, ""
    return q[: m.start()], q[m.end() :].strip()


# "Which robotics papers ...", "What legal-domain pretraining papers ...": the words before the
# paper noun say what kind of paper is asked for (not a count, "all", "me" or a verb)
_KIND_LEAD = re.compile(
    r"^\s*(?:which|what|list|find|show|name|give|(?:are\s+there\s+)?any)\s+"
    r"(?:(?:me|all|the|of\s+(?:the|these|those))\s+)*"
    r"(?P<m>(?:(?!(?:the|a|an|of|these|those|do|does|did|are|is|was|were|have|has|me|all|two"
    rf"|three|four|several|other|{PAPER_NOUNS}|paper|work)\b)[\w-]+\s+){{1,3}})"
    rf"{_PAPERS}\b",
    re.IGNORECASE,
)
# what is left of "What X papers are there / are in here / do you have?": nothing of the property
_EXISTS = re.compile(
    r"^(?:(?:are|is)(?:\s+(?:there|here|in\s+here|included|available))?|exist|do\s+you\s+have)?$",
    re.IGNORECASE,
)


# "What security-oriented pretrained models are in the collection?", "Which graph methods are
# there?": the collection asked which of its papers present a kind of model or method; the kind,
# with its noun, is the property (not "Which benchmarks are used by X and Y?": asked of two papers)
_ARTIFACTS = (
    r"models|LLMs|LMs|methods|approaches|systems|benchmarks|datasets|corpora|frameworks"
    r"|techniques|architectures|tools|agents|policies"
)
KIND_EXISTS = re.compile(
    r"^\s*(?:which|what)\s+(?P<m>(?:(?!(?:the|a|an|of|these|those|do|does|did|are|is|was|were"
    rf"|have|has|two|three|four|{_ARTIFACTS})\b)[\w-]+\s+){{1,4}}(?:{_ARTIFACTS}))\s+"
    r"(?:(?:are|exist)(?:\s+(?:there|here|in\s+here|included|available|covered))?"
    r"|does\s+the\s+collection\s+(?:have|contain|include|cover)"
    rf"|are\s+(?:described|discussed|presented|proposed|covered)(?=(?:{SCOPE.pattern})))"
    rf"(?:{SCOPE.pattern})?\s*(?=[,?.!;\u2014]|\s+and\b|$)",
    re.IGNORECASE,
)


# an asking sentence that points back to the sentence before it ("Which papers use them?")
_BACK = re.compile(r"\b(?:them|these|those|this|that|such|it|they|one|ones)\b", re.IGNORECASE)


def _without_preface(question: str) -> str:
    """The question from its asking sentence on: "I want broad overviews rather than new
    methods. Which entries are surveys ...?" asks for surveys ("want" and "overviews" are in no
    abstract, and the criterion was judged absent)."""
    parts = split_sentences(question.strip())
    for i, part in enumerate(parts[1:], 1):
        if _LEAD.match(part) or _KIND_LEAD.match(part):
            # ("... contrastive objectives. Which papers use them?": the preface says what)
            if not any(p.rstrip().endswith("?") for p in parts[:i]) and not _BACK.search(part):
                return " ".join(parts[i:])
            break
    return question


def criterion_of(question: str) -> str:
    """The property asked about: "Which papers evaluate on NER?" -> "evaluate on NER", "What
    legal-domain pretraining papers are in here?" -> "legal-domain pretraining"."""
    q = split_question(_without_preface(question))[0].rstrip("?.! ").strip()
    if exists := KIND_EXISTS.match(q):
        return exists.group("m")
    kind = _KIND_LEAD.match(q)
    if kind:
        mod = kind.group("m").strip()
        rest = SCOPE.sub("", q[kind.end() :]).strip()
        rest = re.sub(r"^(?:that|which|who|on|about)\b\s*", "", rest, flags=re.IGNORECASE)
        return mod if _EXISTS.match(rest) else _present(f"{mod} {rest}".strip())
    c = SCOPE.sub("", _LEAD.sub("", q, count=1)).strip()
    c = _present(_FILLER.sub("", c)).strip()
    return c or q


# "Which papers about graph neural networks appear in the collection?": that they are there is
# the asking, not a property ("no abstract uses the words appear"); not the verb of a clause
# ("settings where only a handful of labelled examples are available")
_PRESENT = re.compile(
    r"(?<=\w)\s+(?:are|is|appear|appears|exist|exists|show\s+up|shows\s+up|can\s+be\s+found"
    r"|(?:are|is)\s+(?:included|featured|present|available|covered|listed|found))$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"\b(?:where|that|which|who|whose|when|if|whether)\b", re.IGNORECASE)


def _present(criterion: str) -> str:
    """The criterion without a closing verb of presence (`_PRESENT`), unless a clause holds it."""
    return criterion if _CLAUSE.search(criterion) else _PRESENT.sub("", criterion)


# "court cases, legislation, that sort of thing": the reader's examples end, no property
_FILLER = re.compile(
    r"[\s,;:\u2014-]*(?:\b(?:or|and)\s+)?\b(?:(?:that|this)\s+(?:sort|kind|type)\s+of\s+thing"
    r"|(?:things|stuff)\s+like\s+that|and\s+so\s+on|etc\.?)\s*$",
    re.IGNORECASE,
)


@dataclass
class Decision:
    paper: Paper
    matches: bool
    evidence: str
    confidence: float
    relevance: float = 0.0
    sentence: float = 0.0  # best sentence score (relevance = sentence + topic weight * topic)
    topic: float = 0.0  # cosine of the whole abstract (mean sentence vector) to the criterion
    stated: bool | None = None  # contribution criterion: stated as its own (None: not one)
    # best sentence score with the criterion's words as written, a light leading verb included:
    # what the compare gate reads (dropping "include" ranks the papers, it does not make the
    # collection cover the property less)
    worded: float = 0.0


# parentheticals and trailing asides ("e.g. medicine, law", "i.e. ...", "rather than X",
# "leaving aside robot control") only illustrate, contrast or exclude: they are dropped before
# scoring ("such as X" names what counts: kept). So is a split into one paper each ("adapt BERT
# to legal text, one for US court decisions and one for Turkish"): each paper has one part of
# it, none has both
_ASIDE = re.compile(
    r"\([^)]*\)|,?\s*(?:\be\.g\.|\bi\.e\.|\brather than\b"
    # ("leaving aside robot control", "leaving robotics aside")
    r"|\b(?:leaving|setting|putting)\s+(?:[\w-]+\s+){0,3}?aside\b"
    r"|\bexcluding\b|\bnot\s+counting\b|\bas\s+opposed\s+to\b"
    r"|,\s*one\s+(?:for|on|about|in|that|which|with|from|of|using|to|by)\b"
    r"(?=.*\b(?:and|while|the\s+other)\s+(?:one|the\s+other|another)\b)).*$",
    re.IGNORECASE,
)
# ("don't say which keys were pressed": "don't" is one word, a stop word, not "don" and "t")
_SLOT_TOKEN = re.compile(r"[A-Za-z0-9][\w.%-]*(?:['’][a-z]+)?|,")
# "..., even though those recordings don't say which keys were pressed": a concession says what
# the papers manage without; its words are no part of the property the collection must cover
_CONCESSION = re.compile(r",?\s*\b(?:even\s+though|even\s+if|although|though)\b.*$", re.IGNORECASE)


# "are mainly about X", "make X their central topic", "focus on X": the topic is X; scored with
# the scaffolding, "central topic" matched every paper that names a topic (tune compare F1
# 0.721 -> 0.742 without it, three questions up, none down)
_TOPICAL = re.compile(
    r"^(?:(?:are|is)\s+)?(?:(?:mainly|mostly|primarily|chiefly|centrally|largely)\s+)?"
    r"(?:about|(?:focus(?:ed)?|centre|center|centred|centered)\s+on)\s+(?P<x>.+)$"
    r"|^(?:make|have|take)\s+(?P<y>.+?)\s+(?:their|its|the)\s+(?:central|main|primary|core"
    r"|principal)\s+(?:topic|focus|subject|question|theme)$"
    r"|^whose\s+(?:central|main|primary|core|principal)\s+(?:topic|focus|subject|question|theme)"
    r"\s+(?:is|are)\s+(?P<z>.+)$"
    r"|^(?P<w>.+?),?\s+as\s+(?:their|its|the)\s+(?:central|main|primary|core|principal)\s+"
    r"(?:topic|focus|subject|question|theme)$",
    re.IGNORECASE,
)


def topical(criterion: str) -> tuple[str, bool]:
    """("X", True) for a criterion about what papers are about as a whole."""
    m = _TOPICAL.match(criterion.strip())
    if not m:
        return criterion, False
    return (m.group("x") or m.group("y") or m.group("z") or m.group("w")).strip(), True


# "are about search, i.e. ranking documents in response to a query": an "i.e." after a head of
# one word says what that word means here (alone, "search" matched tree search and grid search)
_IE = re.compile(r",?\s*\bi\.e\.,?\s*(?P<ie>.+)$", re.IGNORECASE)


def core_of(criterion: str) -> str:
    """The criterion without its asides: "study X, i.e. Y" -> "study X" (and "study X Y" when X
    is one word)."""
    core = _ASIDE.sub("", criterion).strip(" ,;") or criterion
    m = _IE.search(criterion)
    head, about = topical(core)
    if not about:  # (its verb: "address search", "look at forgetting")
        head = re.sub(r"^\s*\S+(?:\s+(?:at|on|with|into))?\s*", "", head)
    if m and len(set(terms(head))) <= 1:
        said = _ASIDE.sub("", m.group("ie")).strip(" ,;.?")
        return f"{core} {said}" if said else core
    return core


def gate_core(criterion: str) -> str:
    """What the compare gate asks the collection to cover: the criterion's core without a
    trailing concession ("teach agents to act by watching recordings of people, even though
    those recordings don't say which keys were pressed")."""
    core = core_of(criterion)
    return _CONCESSION.sub("", core).strip(" ,;") or core


# "search and ranking of documents, i.e. information retrieval", "losing learned abilities
# (catastrophic forgetting)": the aside restates the criterion in the field's own term, which
# the abstracts use where the writer's paraphrase is not; an aside that illustrates ("(e.g. law,
# medicine)"), lists ("(a), (b)") or excludes ("(not just simulation)") restates nothing
_RESTATED = re.compile(
    r"(?:\((?P<p>[^)]*)\)|,?\s*\bi\.e\.,?\s*(?P<ie>[^,;()]+))\s*[.?]?\s*$", re.IGNORECASE
)
_NOT_RESTATEMENT = re.compile(
    r"^\s*(?:e\.g\.|for\s+example|for\s+instance|such\s+as|like|including|incl\.|not|no"
    r"|rather|as\s+opposed|only|either|both|mainly|mostly|whether|which|where|that|with|without"
    r"|from|on|in|by|for|to|at|or|and|leaving|[a-z]\)?$)\b|\.\.\.|\betc\b|,|\baside\b",
    re.IGNORECASE,
)
RESTATEMENT_MAX_WORDS = 4
# "i.e. the offline flavour of reinforcement learning" restates as "offline reinforcement learning"
_ARTICLE = re.compile(r"^\s*(?:the|a|an)\s+", re.IGNORECASE)
_KIND_OF = re.compile(
    r"\b([\w-]+)\s+(?:flavou?r|kind|form|variant|version|type|sort|style)\s+of\s+", re.IGNORECASE
)
# "use a separate scoring model (a reward model) to judge ...": a short aside inside the
# criterion restates the words before it; the criterion with it is the other wording
_MID_ASIDE = re.compile(r"\s*\(([^()]{2,40})\)(?=\s+\w)")


def restatement(criterion: str) -> str:
    """The short term a closing aside gives for the whole criterion, else the field's terms for
    what it describes in everyday words (rag.glossary.field_terms), else the criterion in the
    field's words (rag.glossary.in_field_words), or "" (see _RESTATED)."""
    m = _RESTATED.search(criterion)
    text = (m.group("p") or m.group("ie") or "").strip(" .?") if m else ""
    text = _KIND_OF.sub(r"\1 ", _ARTICLE.sub("", text))  # "the offline flavour of RL"
    if not text or _NOT_RESTATEMENT.search(text) or len(text.split()) > RESTATEMENT_MAX_WORDS:
        return field_terms(criterion) or in_field_words(criterion)
    return text


def with_aside(criterion: str) -> str:
    """The criterion with a short aside inside it kept, when it restates the words before it
    ("use a separate scoring model (a reward model) to judge ..."), else "": the compare gate
    reads it as the reader's other wording (a list, an example or an exclusion is none)."""
    mid = _MID_ASIDE.search(criterion)
    if not mid or _NOT_RESTATEMENT.search(mid.group(1)):
        return ""
    if len(mid.group(1).split()) > RESTATEMENT_MAX_WORDS:
        return ""
    return _MID_ASIDE.sub(lambda m: f" {m.group(1)}", criterion, count=1)


def slots(criterion: str) -> list[frozenset[str]]:
    """The criterion's content terms grouped into disjunction slots: "propose a new benchmark or
    dataset" -> {new}, {benchmark, dataset}; "surveys, reviews or books" -> one slot. A word list
    joined by "or" (single words, comma-separated) is one slot that any of its members fills."""
    # "people / pedestrians", "continual/continued": a slash offers alternatives, as "or" does
    toks = _SLOT_TOKEN.findall(re.sub(r"(?<=\w)\s*/\s*(?=\w)", " or ", criterion))
    groups: list[list[str]] = []
    j = 0
    while j < len(toks):
        if toks[j].lower() == "or" and groups and j + 1 < len(toks) and toks[j + 1] != ",":
            grp = groups.pop()
            while len(groups) >= 2 and groups[-1] == [","] and groups[-2] != [","]:
                groups.pop()
                grp = groups.pop() + grp
            groups.append([*grp, toks[j + 1]])
            j += 2
            continue
        groups.append([toks[j]])
        j += 1
    out: list[frozenset[str]] = []
    for g in groups:
        ts = frozenset(t for w in g if w != "," for t in terms(w))
        if ts and ts not in out:
            out.append(ts)
    return out


def slot_overlap(sl: list[frozenset[str]], present: set[str], corpus: Corpus) -> float:
    """IDF-weighted share of the slots that `present` fills (a slot weighs its rarest member)."""
    total = got = 0.0
    for s in sl:
        total += max(corpus.term_idf(t) for t in s)
        got += max((corpus.term_idf(t) for t in s if t in present), default=0.0)
    return got / total if total else 0.0


def screen_ids(
    pipeline,  # noqa: ANN001 - rag.pipeline.Pipeline
    corpus: Corpus,
    question: str,
    filters: SearchFilters | None,
    scope: list[str] | None = None,
) -> list[str]:
    """Which papers to screen: the earlier papers a follow-up scopes to ("which of these ..."),
    all of a small collection, else the retrieval candidates."""
    if scope:
        return list(scope)
    if (filters is None or filters.is_empty()) and len(corpus.paper_ids) <= SCREEN_ALL_MAX:
        return list(corpus.paper_ids)
    if filters is not None and filters.ids and len(filters.ids) <= SCREEN_ALL_MAX:
        hits = pipeline.search(question, k=len(filters.ids), filters=filters)
        return [h.paper_id for h in hits]
    hits = pipeline.search(
        question, k=SCREEN_CANDIDATES, filters=filters, candidate_k=SCREEN_CANDIDATES
    )
    return [h.paper_id for h in hits]


# "include a contrastive objective", "rely on tree search": the leading verb only says that the
# paper has the thing; as a term of its own it lifts any sentence that "includes" something
_LIGHT_LEAD = re.compile(
    r"^\s*(?:includ|involv|contain|incorporat|employ|adopt|utili[sz]|leverag|exploit)\w*\s+"
    r"|^\s*(?:rel(?:y|ies|ied|ying)|draw(?:s|ing)?|buil(?:d|ds|t|ding))\s+on\s+"
    r"|^\s*(?:mak(?:e|es|ing)|ma(?:de))\s+use\s+of\s+"
    # "apply their work to medicine", "work on graph data": "work" is every abstract's word
    r"|^\s*appl(?:y|ies|ied|ying)\s+(?:their|its)\s+(?:work|methods?|approach(?:es)?|research"
    r"|models?|techniques?|ideas?)\s+to\s+"
    r"|^\s*work(?:s|ed|ing)?\s+(?:on|with)\s+",
    re.IGNORECASE,
)


def unphrased_papers(criterion: str, papers: list[Paper], field_term: str = "") -> set[int]:
    """The papers (indices) whose title and abstract have none of the criterion's rare phrases:
    two adjacent words that two to PHRASE_DF_MAX of `papers` have side by side ("in-context
    learning", "scaling laws"), or the phrase with its words' initials ("offline RL", "GNNs");
    empty when it has none. No phrase spans an "or" ("image or vision"), nor is a word and its
    own part ("in-context context"). A paper with a phrase of `field_term`, however common (the
    field's own term for the criterion, `restatement`: "continual pre-training"), has one."""
    grams = [_word_pairs(f"{p.title}\n{p.abstract}") for p in papers]
    rare = [
        _phrase_forms(words, i)
        for chunk in _PHRASE_BREAK.split(criterion)
        for words in [terms(chunk)]
        for i, pair in _phrase_pairs(words)
        if PHRASE_DF_MIN <= sum(pair in g for g in grams) <= PHRASE_DF_MAX
    ]
    if not rare:
        return set()
    field = frozenset(
        pair for chunk in _PHRASE_BREAK.split(field_term) for _, pair in _phrase_pairs(terms(chunk))
    )
    forms = [*rare, field]
    return {i for i, g in enumerate(grams) if not any(f & g for f in forms)}


def _phrase_pairs(words: list[str]) -> list[tuple[int, tuple[str, str]]]:
    """The adjacent pairs of words (with the first's place) that may make a phrase: not a word
    and its own part ("in-context context")."""
    return [
        (i, pair)
        for i, pair in enumerate(itertools.pairwise(words))
        if pair[0] not in pair[1] and pair[1] not in pair[0]
    ]


def _phrase_forms(words: list[str], i: int) -> frozenset[tuple[str, ...]]:
    """The ways a paper may write the phrase words[i], words[i + 1]: as is, or with a run of
    two to four words (one of them or beside them) as its initials ("offline RL" for "offline
    reinforcement learning", "GNN" for "graph neural networks"; a lone initialism of at least
    three letters, as a 1-tuple)."""

    def initials(a: int, b: int) -> str:
        return "".join(w[0] for w in words[a : b + 1])

    out: set[tuple[str, ...]] = {(words[i], words[i + 1])}
    n = len(words)
    for a in range(max(0, i - 2), i + 1):
        for b in range(i + 1, min(n, a + 4)):
            if b - a >= 2:
                out.add((initials(a, b),))
    for b in range(i + 2, min(n, i + 5)):
        out.add((words[i], initials(i + 1, b)))
    for a in range(max(0, i - 3), i):
        out.add((initials(a, i), words[i + 1]))
    return frozenset(out)


@functools.lru_cache(maxsize=4096)
def _word_pairs(text: str) -> frozenset[tuple[str, ...]]:
    """Adjacent term pairs of a paper's text, and each term alone as a 1-tuple (kept: every
    compare question reads them all)."""
    words = terms(text)
    return frozenset(itertools.pairwise(words)) | frozenset((w,) for w in words)


_PHRASE_BREAK = re.compile(r"\b(?:or|and|vs|versus)\b|[,;/()]", re.IGNORECASE)


def screen_offline(
    embedder,  # noqa: ANN001
    corpus: Corpus,
    criterion: str,
    papers: list[Paper],
    threshold: float = COMPARE_THRESHOLD,
    relative: float = COMPARE_RELATIVE,
    topic_weight: float = COMPARE_TOPIC_WEIGHT,
    contribution: float = CONTRIBUTION_WEIGHT,
    phrased: bool = True,
) -> list[Decision]:
    """Decide every paper by its best sentence's relevance to the criterion, how close its
    whole abstract is to it, and (for a contribution criterion) whether it states it as its own
    (see the constants above). `phrased=False`: no rare-phrase rule (a question that asks
    something of each matching paper keeps the borderline ones)."""
    # the wording that says "as a whole" only dilutes the topic's own words (a stronger weight
    # on the whole abstract's similarity, 0.8 or 1.2 instead of 0.4, lost on the tune split)
    core = topical(core_of(criterion))[0]
    sl = slots(_LIGHT_LEAD.sub("", core))
    as_written = slots(core)
    alt = restatement(criterion)  # the field's own term for it: either wording counts
    alt_sl = slots(alt) if alt else []

    def overlap(present: set[str], criterion_slots: list[frozenset[str]] = sl) -> float:
        got = slot_overlap(criterion_slots, present, corpus)
        return max(got, slot_overlap(alt_sl, present, corpus)) if alt_sl else got

    obj = contribution_object(core)
    evaluation = evaluation_data(criterion, obj)  # "a new benchmark or test dataset"
    check = evaluation or obj
    # "design contrastive training objectives": UL2's "we propose Mixture-of-Denoisers, a
    # pre-training objective" states an objective, not a contrastive one (a benchmark asked for
    # evaluation has its own check, and a release says nothing of kind)
    kind_of = (
        {t for t in object_modifiers(core) if corpus.term_idf(t) >= MODIFIER_IDF}
        if obj is not None and evaluation is None and not is_release(obj)
        else set()
    )

    if kind_of and check is not None and check <= _METHOD_WORDS:
        # "introduce contrastive objectives": the kind stated under any word for a method
        # ("a novel contrastive method", "two novel pre-training tasks: (1) ... contrastive")
        check = check | _METHOD_WORDS

    def stating(text: str, title: bool = False, after: str = "") -> bool:
        return (
            check is not None
            and states(text, check, title)
            and (evaluation is None or evaluative(text) or evaluated_on(after))
            and (not kind_of or bool(kind_of & set(terms(text))))
        )

    sents: list[tuple[int, str]] = []
    for i, p in enumerate(papers):
        sents.extend((i, s) for s in split_sentences(p.abstract))
    # a link sentence ("Videos and code are available at ...") says nothing of the paper's
    # content: it is a paper's best sentence only for a criterion about code, releases or
    # contributions ("we release a dataset of 50 tasks")
    links = asks_code(core) or obj is not None
    scored: list[tuple[float, float, str] | None] = [None] * len(papers)
    stated: dict[int, str] = {}  # paper index -> its sentence stating the contribution
    worded: dict[int, float] = {}  # paper index -> its best sentence, criterion as written
    if sents:
        q_vecs = embed_sentences(embedder, [core, alt] if alt else [core])
        vecs = embed_sentences(embedder, [s for _, s in sents])
        cos = (vecs @ q_vecs.T).max(axis=1)
        sums: dict[int, np.ndarray] = {}
        best: dict[int, tuple[float, str]] = {}
        following = [
            sents[j + 1][1] if j + 1 < len(sents) and sents[j + 1][0] == i else ""
            for j, (i, _) in enumerate(sents)
        ]
        for (i, s), c, v, nxt in zip(sents, cos, vecs, following, strict=True):
            present = set(terms(s))
            r = W_DENSE * float(c) + W_LEX * overlap(present)
            if links or not is_boilerplate(s):
                if i not in best or r > best[i][0]:
                    best[i] = (r, s)
                w = (
                    r
                    if as_written == sl
                    else W_DENSE * float(c) + W_LEX * overlap(present, as_written)
                )
                worded[i] = max(worded.get(i, w), w)
            if obj is not None and i not in stated and stating(s, after=nxt):
                stated[i] = s
            sums[i] = sums[i] + v if i in sums else v.astype(np.float64)
        for i, (r, s) in best.items():
            m = sums[i]
            norm = float(np.linalg.norm(m))
            topic = float((q_vecs @ m).max()) / norm if norm else 0.0
            scored[i] = (r, topic, s)
    if obj is not None:
        for i, p in enumerate(papers):
            if i not in stated and stating(p.title, title=True):
                stated[i] = best[i][1] if i in best else ""

    doc = [overlap(set(terms(f"{p.title}\n{p.abstract}"))) for p in papers]
    facets = asked_facets(core)
    kind: dict[int, str] = {}  # paper index -> its sentence saying it is of the asked kind(s)
    main = asks_main_subject(criterion)
    for i, p in enumerate(papers):
        if (cue := kind_sentence(facets, p.title, p.abstract, main)) is not None:
            kind[i] = cue

    release = is_release(obj)
    weight = RELEASE_WEIGHT if release and contribution else contribution
    # ("release a model specialised for one field", "a dataset built from legal text": more)
    release_only = release and not set(terms(core)) - _RELEASE_WORDS - (obj or frozenset())
    # "anything about cybersecurity?", "anything related to law - court cases, legislation?":
    # the field is the whole criterion, so a paper is on it where it says so ("phishing URL
    # detection", "the legal Turkish domain"), however far the field's own paper scores above it
    only_field = bool(facets) and all(f.field for f in facets) and not _beyond_fields(core, facets)

    # (a contribution or a kind of paper has its own check of how the paper states it)
    unphrased = (
        # (either wording's phrases: "keep training an already pretrained model on fresh data"
        # is said "continual pre-training" by the papers on it)
        unphrased_papers(core, papers, alt)
        if phrased and len(papers) >= MEDIAN_MIN and obj is None and not facets
        else set()
    )

    def rel(i: int, x: tuple[float, float, str], with_phrases: bool = True) -> float:
        bonus = 0.0 if obj is None else (weight if i in stated else -weight)
        if with_phrases and i in unphrased:
            bonus -= PHRASE_WEIGHT
        if facets:
            bonus += FACET_WEIGHT if i in kind else -FACET_WEIGHT
        return x[0] + topic_weight * x[1] + DOC_LEX_WEIGHT * doc[i] + bonus

    # the cutoff is the scores' own before the phrase rule: it only takes papers away (with it
    # the median of mostly unphrased papers fell, and "graph neural networks" took two papers
    # that say "transformer neural networks")
    values = [rel(i, x, with_phrases=False) for i, x in enumerate(scored) if x is not None]
    top = max(values, default=0.0)
    # the median stands for an unrelated paper only in a real collection, not in a few papers a
    # follow-up scoped to ("which of these ...")
    median = float(np.median(values)) if len(values) >= MEDIAN_MIN else threshold
    own = median + relative * (top - median)  # the question's own cutoff
    cutoff = max(threshold, own)
    if len(values) >= MEDIAN_MIN and sum(v >= cutoff for v in values) < PLURAL_MATCHES:
        cutoff = own  # a criterion in everyday words, all of whose papers score low
    # ... and a survey is left out of a collection's papers, not out of the few a follow-up
    # scoped to ("Which of these [three overviews] covers graph learning?")
    no_surveys = len(values) >= MEDIAN_MIN and leaves_out_surveys(criterion)
    excluded = excluded_terms(criterion)
    out: list[Decision] = []
    for i, (p, x) in enumerate(zip(papers, scored, strict=True)):
        if (
            x is None
            or (no_surveys and is_survey(p.title, p.abstract))
            or (excluded and excluded <= set(terms(f"{p.title}\n{p.abstract}")))
        ):
            out.append(Decision(p, False, "", 0.0))
            continue
        sent, topic, s = x
        r = rel(i, x)
        # the sentence that states the contribution or says what kind of paper it is, if any
        # (the best sentence itself where it says the kind too: "Our system, called V-PTR,
        # combines ... robotic offline RL approaches", not the first sentence that does)
        own = i in kind and all(says_kind(f, s) for f in facets)
        evidence = stated.get(i) or (s if own else kind.get(i)) or s
        flag = None if obj is None else i in stated
        conf = _confidence(r, cutoff)
        # a criterion that asks for the release alone is checked by its statement alone: every
        # paper stating one releases, however its link sentence scores beside the others'
        floor = threshold if release_only and i in stated else cutoff
        match = i in kind if only_field else r >= floor
        out.append(Decision(p, match, evidence, conf, r, sent, topic, flag, worded.get(i, sent)))
    names_ = criterion_names(core, corpus)
    examples = bool(names_) and examples_named(core, names_)
    wider = given_as_examples(core, names_)
    if listed := examples_listed(criterion, corpus):
        # "against an OpenAI GPT model (GPT-3, ChatGPT, GPT-4 or GPT-4o-mini)": the aside core_of
        # drops lists the names, any of which (or the criterion's own) shows the property
        names_, examples, wider = list(dict.fromkeys(names_ + listed)), True, True
    return by_name(names_, out, examples, wider=wider)


# "..., leaving robotics aside", "excluding surveys": papers on what the aside names are left out
_EXCLUDED = re.compile(
    r"\b(?:leaving|setting|putting)\s+(?:(?P<a>(?:[\w-]+\s+){1,3}?)aside\b|aside\s+(?P<b>[^,;.?()]+))"
    r"|\b(?:excluding|not\s+counting|except\s+for|apart\s+from|aside\s+from)\s+(?P<c>[^,;.?()]+)",
    re.IGNORECASE,
)


def excluded_terms(criterion: str) -> set[str]:
    """The terms of what the criterion's aside leaves out ("leaving robotics aside": "robot"), a
    paper that has all of which is not on the criterion ("not counting robot papers": "robot")."""
    m = _EXCLUDED.search(criterion)
    return set(terms(next((g for g in m.groups() if g), ""))) - _FIELD_FILLER if m else set()


_LIKE = re.compile(r"^\s*(?:the\s+like|so\s+on|others?|similar|etc\.?)\s*$", re.IGNORECASE)
# words that name no topic beside a field's ("anything related to legal documents or texts")
_FIELD_FILLER = frozenset(
    terms("anything related relating relevant text texts document documents domain domains field")
    + terms("fields area areas topic topics papers paper work works thing things stuff data")
    + terms("case cases nlp application applications")
)


def _beyond_fields(criterion: str, facets: list[Facet]) -> set[str]:
    """The criterion's terms that none of its field facets' own words says."""
    rest = criterion
    for f in facets:
        rest = f.cue.sub(" ", f.asked.sub(" ", rest))
    return set(terms(rest)) - _FIELD_FILLER


def examples_listed(criterion: str, corpus: Corpus) -> list[str]:
    """The specific names an aside of the criterion gives as examples ("(GPT-3, ChatGPT,
    GPT-4)", "e.g. MuJoCo or Meta-World") that its core leaves out, else []."""
    core = topical(core_of(criterion))[0]
    out: list[str] = []
    for m in _EXAMPLES.finditer(criterion):
        text = _examples_text(m)
        if text in core:
            continue
        found = criterion_names(text, corpus)
        items = [x for x in re.split(r",|\bor\b|\band\b|/", text) if x.strip()]
        # "(fewer FLOPs, less data, higher throughput)": a list of things, not of names
        if found and all(any(names_in(n, x) for n in found) or _LIKE.match(x) for x in items):
            out += [n for n in found if n not in out]
    return out


def kind_in_collection(criterion: str, papers: list[Paper], corpus: Corpus) -> bool:
    """The criterion asks for a kind of paper (rag.facets) that some of `papers` are, and the
    rest of its words are all words of the collection: the compare gate (is the property
    anywhere?) is answered by the kind, not by how close one sentence comes to the wording
    ("back their method with theoretical results such as proofs, regret bounds ..."). "Surveys
    of quantum computing" still goes through the gate: "quantum" is in no abstract."""
    from rag.abstention import oov_share  # the gate's own measure of unknown words

    core = topical(core_of(criterion))[0]
    facets = asked_facets(core)
    rest = _HEDGE.sub(" ", _BACKING.sub(" ", core))  # "back their method with ...": phrasing
    for f in facets:
        rest = f.asked.sub(" ", rest)
    if not facets or oov_share(rest, corpus) > KIND_OOV_MAX:
        return False
    return any(kind_sentence(facets, p.title, p.abstract) is not None for p in papers)


# a capitalised word inside a criterion is a name unless the collection's abstracts use it this
# commonly (IDF): "a model from the Llama family" (2.9) names Llama; answer sentences, full of
# capitalised common phrases, need a rarer word (`rag.questions.NAME_IDF`, 3.0)
CRITERION_NAME_IDF = 2.0
# "Llama-family models", "BERT-based": the name is the part before ("GPT-style", "-like": a
# kind, no name asked for)
_NAME_SUFFIX = re.compile(r"-(?:family|based|style|like|series|type|class|sized?)$", re.IGNORECASE)


def criterion_names(criterion: str, corpus: Corpus) -> list[str]:
    """The specific names a criterion asks about ("use Llama-family models" -> Llama, "train on
    the Pile" -> Pile), not field-wide ones (LLMs, and BERT where many abstracts name it)."""
    from rag.abstention import field_wide  # the gate's own measure of a field's name

    out = []
    for n in names(criterion, corpus.term_idf, CRITERION_NAME_IDF):
        n = _NAME_SUFFIX.sub("", n)
        if re.search(rf"(?<![\w-]){re.escape(n)}-(?:style|like)\b", criterion):
            continue  # "a BERT-style encoder" is of BERT's kind, whether it names BERT or not
        if re.search(rf"(?<![\w-]){re.escape(n)}['\u2019]s\s+[A-Z]", criterion):
            continue  # "Meta's Llama family": the maker of what is named, not a second name
        words = n.split()
        while len(words) > 1 and words[-1] in GENERIC_NAMES:  # "Chinese NLP tasks": Chinese
            words.pop()
        n = " ".join(words)
        if any(part.isalpha() and part.islower() for part in n.split("-")[1:]):
            continue  # a capitalised compound adjective ("Internet-scale"), no name
        if field_wide(n, corpus):
            continue  # "biomedical BERT papers": a name one abstract in eight uses is a kind
        if n and n.upper() not in GENERIC_NAMES and n not in out:
            out.append(n)
    return out


def names_in(name: str, text: str) -> bool:
    """`text` mentions `name`: case-insensitively where no letter precedes it, or from a capital
    inside a word ("OpenLLaMA" mentions LLaMA); "compile" does not mention the Pile."""
    # ("Hugging Face" in "huggingface.co", "Stack Overflow" in "StackOverflow")
    joined = re.sub(r"\s+", "", name)
    if joined != name and names_in(joined, text):
        return True
    for m in re.finditer(re.escape(name), text, re.IGNORECASE):
        before = text[m.start() - 1] if m.start() else " "
        if not before.isalpha() or (text[m.start()].isupper() and before.islower()):
            return True
    return False


def unnamed(criterion: str, papers: list[Paper], corpus: Corpus) -> list[str]:
    """The specific names a criterion asks about ("evaluate on the Atari 100k benchmark") that
    none of `papers` names, when it names no examples: no paper can have the property (rule 1
    for a compare question). An acronym of letters only ("MDPs", "GNNs") may stand for words
    the abstracts spell out ("Markov decision processes"): it is not checked."""
    core = topical(core_of(criterion))[0]
    names_ = [n for n in criterion_names(core, corpus) if not _ACRONYM.fullmatch(n)]
    if not names_ or examples_named(core, names_):
        return []
    texts = [f"{p.title}\n{p.abstract}" for p in papers]
    return [n for n in names_ if not any(names_in(n, t) for t in texts)]


_ACRONYM = re.compile(r"[A-Z]{2,}s?")


_DASH = r"(?:--?|\u2013|\u2014)"
# "corpora like C4, RefinedWeb or the Pile", "suites such as MuJoCo or Meta-World", "the Llama
# family (Llama, OpenLLaMA, CodeLlama...)", "for example with adapters, LoRA or other PEFT
# methods": the names are examples of the property, any of which shows it
_EXAMPLES = re.compile(
    r"\b(?:like|such\s+as|including|e\.g\.,?|for\s+(?:example|instance),?(?:\s+with)?)"
    r"\s+(?P<rest>.+)$|\((?P<listed>[^)]*,[^)]*)\)"
    # "cheaper - fewer FLOPs, less data or faster training": a list set off by a dash
    rf"|\s{_DASH}\s+(?P<dashed>(?:(?!\s{_DASH}\s).)*?(?:,|\bor\b)(?:(?!\s{_DASH}\s).)*?)"
    rf"(?=\s{_DASH}\s|[?.]?$)",
    re.IGNORECASE,
)


def _examples_text(m: re.Match[str]) -> str:
    return m.group("rest") or m.group("listed") or m.group("dashed")


# what may stand between names offered as alternatives: "ChatGPT or GPT-4-family models",
# "C4, the Pile and/or RefinedWeb"
_JOINERS = "or and/or either the a an models? family series variants?".split()
_ALTERNATIVES = re.compile(rf"^(?:[\s,/-]|\b(?:{'|'.join(_JOINERS)}|based|style|like)\b)*$", re.I)


def given_as_examples(criterion: str, names_: list[str]) -> bool:
    """The criterion's names are all examples of a wider property ("corpora like X, Y or Z",
    "the Llama family (X, Y, Z)"): a paper naming none may still have it."""
    return any(
        all(names_in(n, _examples_text(m)) for n in names_) for m in _EXAMPLES.finditer(criterion)
    )


def examples_named(criterion: str, names_: list[str]) -> bool:
    """The criterion's names are all given as examples ("like X, Y or Z", "(X, Y, Z)") or as
    alternatives ("ChatGPT or GPT-4"): any one of them shows the property."""
    if given_as_examples(criterion, names_):
        return True
    spans = [m.span() for n in names_ if (m := re.search(re.escape(n), criterion))]
    if len(names_) < 2 or len(spans) < len(names_):
        return False
    spans.sort()
    between = [criterion[a[1] : b[0]] for a, b in zip(spans, spans[1:], strict=False)]
    return bool(re.search(r"\bor\b|/", " ".join(between))) and all(
        _ALTERNATIVES.match(x) for x in between
    )


def by_name(
    names_: list[str], decisions: list[Decision], examples: bool = False, wider: bool = False
) -> list[Decision]:
    """A criterion that names something specific ("use Llama-family models", "train on the
    Pile") is met by the papers whose title or abstract names it, and only by them, when any
    does: a name is either there or not, where similarity would let near topics in and a paper
    whose best sentence is about something else out. Names given as `examples` or alternatives
    ("ChatGPT or GPT-4") each suffice; only examples of a `wider` property ("corpora like C4
    or the Pile") leave a paper naming none to be judged by similarity."""
    if not names_:
        return decisions
    found = all if not examples else any
    hits = [
        found(names_in(n, f"{d.paper.title}\n{d.paper.abstract}") for n in names_)
        for d in decisions
    ]
    if not any(hits):
        return decisions
    out = []
    for d, hit in zip(decisions, hits, strict=True):
        if examples and wider and not hit:
            out.append(d)
            continue
        conf = max(d.confidence, 0.75) if hit else min(d.confidence, 0.25)
        evidence = d.evidence
        if hit and not found(names_in(n, evidence) for n in names_):  # quote where it is named
            naming = [
                s for s in split_sentences(d.paper.abstract) if any(names_in(n, s) for n in names_)
            ]
            evidence = naming[0] if naming else evidence
        out.append(replace(d, matches=hit, confidence=conf, evidence=evidence))
    return out


def _confidence(r: float, threshold: float) -> float:
    """0.5 at the question's cutoff, rising/falling linearly with the margin; a display hint,
    not a probability."""
    return float(min(1.0, max(0.0, 0.5 + (r - threshold) * 2.0)))


def rows_of(decisions: list[Decision]) -> list[ComparedPaper]:
    """Matching papers as table rows, most confident first; of those equally confident (the
    confidence tops out at 1.0), the more relevant first: "it" after "Which paper ...?" is the
    first row."""
    ranked = sorted(
        (d for d in decisions if d.matches), key=lambda d: (-d.confidence, -d.relevance)
    )
    return [
        ComparedPaper(
            paper_id=d.paper.id,
            title=d.paper.title,
            evidence=d.evidence,
            confidence=d.confidence,
            year=d.paper.year,
        )
        for d in ranked
    ]


def compose(
    criterion: str,
    rows: list[ComparedPaper],
    screened: int,
    number: dict[str, int],
    extra: dict[str, list[str]] | None = None,
    rest: list[Decision] | None = None,
) -> str:
    """The answer text: the count, then each match (title line, then its cited evidence, and the
    sentences answering the question's second part when it has one: `extra`), then the papers
    shown as not matching (`rest`, for a question about a few named papers) with their closest
    sentence."""
    tail = []
    if rest:
        tail.append(NOT_MATCHING)
        for d in rest:
            year = f" ({d.paper.year})" if d.paper.year else ""
            tail += [f"- {d.paper.title}{year}", "  " + cite(d.evidence, number[d.paper.id])]
    if not rows:
        head = f"None of the {screened} papers screened clearly matches: {criterion}."
        return "\n".join([head, *tail])
    verb = "matches" if len(rows) == 1 else "match"
    lines = [f"{len(rows)} of the {screened} papers screened {verb}: {criterion}."]
    for r in rows:
        year = f" ({r.year})" if r.year else ""
        lines.append(f"- {r.title}{year}")
        quotes = [q for q in (r.evidence, *(extra or {}).get(r.paper_id, [])) if q]
        if quotes:
            lines.append("  " + " ".join(cite(q, number[r.paper_id]) for q in quotes))
        else:
            lines.append(f"  [{number[r.paper_id]}]")
    return "\n".join(lines + tail)
