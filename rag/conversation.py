"""Follow-up questions resolved against the conversation before retrieval.

A question is a follow-up only when its wording refers back (`reference`): an ordinal ("the
second one", "the latter"), a plural reference ("those two", "which of these", "both of them"),
a pronoun with nothing inside the question to refer to ("what dataset did they use?", "was it
tested on ...?"), an ellipsis ("what about ...?", "and how big?"), or almost no words of its own
("why?"). A lead-in that announces a new topic ("New question: ...") and a question that stands
on its own are never rewritten, so "Which papers propose a benchmark?" asked after "What is
CaseHOLD?" screens the whole collection.

Resolution is deterministic and shared by both answerers. The earlier papers are taken in the
order the reader met them: the order in which the earlier question named them (by a name the
paper's abstract mentions, or a word only that paper's title has), then the answer's own order.
An ordinal picks one of them, a plural the first N (or all), a pronoun the main one; the answer is
then drawn from those papers only. An ellipsis that describes another paper ("and what about the
approach that reuses a smaller model?") asks the earlier question of the paper it finds. With an
LLM the condense prompt also rewrites the wording. The rules and their tune-split numbers:
docs/ANSWERING.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.questions import (
    GENERIC_NAMES,
    QUOTED,
    descriptions,
    group_heading,
    names,
    strip_lead_in,
)
from rag.schema import Answer, Paper
from rag.sentences import entities, papers_naming, terms

SHORT_TERMS = 2  # a question with this few content terms and no name cannot stand alone
EACH_TERMS = 4  # ... nor one this short that asks what "each" does
PLURAL_MAX = 30  # "these" after a long list: the first this many papers
NAME_OWNERS_MAX = 2  # a name more earlier papers than this mention orders none of them

_ORDINAL_WORDS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "last": -1,
    # "the middle one" of three (the one list a reader calls that)
    "middle": 1,
    "former": 0,
    "latter": -1,
}
_NOUNS = r"(?:one|paper|method|model|work|approach|system|study|article|framework|technique|dataset|benchmark)"
_ASKED_VERBS = (
    r"(?:use|need|report|propose|introduce|evaluate|find|show|say|achieve|reach|claim|target"
    r"|measure|apply|improve|outperform|compare|rely|focus|require|cover|study|address|train"
    # ("how much compute does the first save")
    r"|save|cut|gain|beat|get|add|learn|predict|pretrain|release|build)"
    r"(?:s|es)?"
)
_ORDINAL = re.compile(
    rf"\bthe\s+(?P<o>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|last|middle)"
    rf"\s+{_NOUNS}\b"
    rf"|\b(?P<o2>first|second|third|fourth|fifth|sixth|last)\s+(?:one\b|of\s+(?:them|these|those"
    r"|the\s+(?:two|three|four|five|six)(?:\s+(?:papers|ones|works|studies|methods|models))?"
    r"|the\s+(?:papers|ones|works|studies|methods|models))\b)"
    r"|\bthe\s+(?P<fl>former|latter)\b"
    # "And the second?", "And the third -- how many ...": the ordinal alone ends the phrase
    r"|\bthe\s+(?P<o3>first|second|third|fourth|fifth|sixth|last)"
    r"(?=\s*(?:[?!,;:]|--|-\s|\u2013|\u2014|$)"
    # "Which benchmark does the second use?", "how many did the first need": a verb follows
    rf"|\s+{_ASKED_VERBS}\b)"
    r"|\b(?:paper|source|reference)\s*#?\s*(?P<n>[1-9])\b|\[(?P<b>[1-9])\]"
    r"|\bthe\s+(?P<later>follow-?up|later|newer|subsequent)(?:\s+(?:one|paper|work|method|study))?\b"
    r"|\bthe\s+(?P<earlier>earlier|original|older)\s+(?:one|paper|work|method|study)\b"
    r"|\bthe\s+(?P<other>other)\s+(?:one|paper|work|method|study)\b",
    re.IGNORECASE,
)
_OF_TWO = re.compile(r"\b(?:of|among)\s+(?:the|those|these)\s+two\b", re.IGNORECASE)
_OTHER = re.compile(r"\bthe\s+other\s+(?:one|paper|work|method|study)\b", re.IGNORECASE)
# "the first and the third", "the second and last ones": two positions of one earlier list
_ORDINAL_PAIR = re.compile(
    r"\bthe\s+(?P<a>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th)"
    r"(?:\s+(?:one|paper))?\s+(?:and|&)\s+(?:the\s+)?"
    r"(?P<b>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|last)\b"
    r"(?!\s+(?:two|three|four|five|six|\d)\b)",
    re.IGNORECASE,
)
# "the one that introduces a multiple-choice dataset": "the one" needs something said before it,
# and the clause says which of the earlier papers (unlike "the paper that ...", which may describe
# any paper of the collection)
_DESCRIBED = re.compile(
    r"\bthe\s+one\s+(?:that|which|who|where|with|about|on|from|using)\s+(?P<d>[^?.!;]+)"
    # "the dataset behind the mental health one": a few words in lower case (a name, "the
    # CySecBERT one", may be a new paper: an ellipsis)
    r"|\bthe\s+(?P<d2>(?-i:(?:(?!(?:first|second|third|fourth|last|other|same|former|latter|only"
    r"|right|new|earlier|later|previous|next|bigger|larger|smaller|older|newer|best|worst)\b)"
    r"[a-z][a-z-]*\s+){1,3}?))one\b(?!\s+(?:of|that|which|who|where|with|about|on|from)\b)",
    re.IGNORECASE,
)
# "the first two", "the last three (papers)": a run of places of the earlier list
_FIRST_N = re.compile(
    r"\bthe\s+(?P<end>first|last)\s+(?P<n>two|three|four)\b"
    # (not "the first two layers": a plural of something else)
    r"(?!\s+(?!(?:papers|ones|works|studies|methods|models|does|has|was|is)\b)[a-z]{2,}s\b)"
    r"(?!\s*-)",
    re.IGNORECASE,
)
# "set aside the last one", "ignoring the second paper": a place the question leaves out
_LEFT_OUT = re.compile(
    r"\b(?:set(?:ting)?\s+aside|ignor(?:e|ing)|leav(?:e|ing)\s+out|skip(?:ping)?|except(?:\s+for)?"
    r"|excluding|apart\s+from|other\s+than|not\s+counting|besides)\s+the\s+(?:first|second"
    rf"|third|fourth|fifth|last|former|latter)(?:\s+{_NOUNS})?\b[.,;:]?",
    re.IGNORECASE,
)
_ONE_THAT = re.compile(_DESCRIBED.pattern.split("(?P<d>")[0], re.IGNORECASE)


def _places(question: str) -> list[str]:
    """The ordinal words of every place the question names ("the first one", "the latter")."""
    found = []
    for m in _ORDINAL.finditer(question):
        word = m.group("o") or m.group("o2") or m.group("o3") or m.group("fl")
        if word:
            found.append(word)
    return found


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "both": 2}
_WHICH_ONE = r"^\W*(?:(?:and|so|ok|okay|then)\W+)?which\s+one\b(?!\s+of\b)"
# "Which one comes with regret guarantees?": of the papers just shown, when there were several
# (after one paper, "And which one steers generalist policies?" asks for another paper)
WHICH_ONE = re.compile(_WHICH_ONE, re.IGNORECASE)
_PLURAL_NOUNS = r"(?:papers|methods|models|works|approaches|studies|ones|systems|frameworks)"
# "How many languages does each cover?", asked naming no paper: each of the earlier ones
_EACH_DOES = re.compile(
    r"\b(?:do|does|did|is|was|has|had|can|would)\s+each\s+"
    r"(?!(?:of|one|paper|model|method|work|study|approach|system|framework)\b)[a-z]+\b",
    re.IGNORECASE,
)
_PLURAL = re.compile(
    r"\b(?:these|those)(?:\s+(?P<c>two|three|four|five))?\b(?!\s+(?:that|which|who)\b)"
    rf"|\bthe\s+(?P<c2>two|three|four)(?:\s+{_PLURAL_NOUNS})?(?=\s*(?:[?.,!]|$|\s+(?:do|does|did"
    r"|are|were|have|has|use[sd]?|need|require|report|differ|compare|say|work)\b))"
    rf"|(?:\b(?:do|does|did|are|were|have|can|could)\s+)(?P<both>both)\b"
    rf"|\b(?P<both2>both)\s+(?:of\s+(?:them|these|those)|{_PLURAL_NOUNS})\b"
    r"|\b(?:each|all|any|either|neither|none)\s+of\s+(?:them|these|those)\b"
    # "Which benchmarks do they each report on?": "they" alone may be one paper's authors
    r"|\b(?:they|them)\s+(?:(?P<both3>both)|each|all)\b"
    # "Which of them relies on MCTS?": one of the earlier papers, screened among them (and
    # "Which one comes with regret guarantees?" asked after two papers: `WHICH_ONE`)
    r"|\b(?:which|what)(?:\s+one)?\s+of\s+them\b"
    rf"|{_WHICH_ONE}"
    # "What's the core idea of each?": the papers just named, each of them
    r"|\b(?:of|for|about|from|by|in|behind)\s+each(?:\s+one)?\s*[?.!]*\s*$"
    # "which of the two trained the bigger model?"
    r"|\b(?:which|each|either|neither|none|one)\s+of\s+the\s+(?P<c3>two|three|four)\b",
    re.IGNORECASE,
)
# "what do these papers say about X" speaks of the whole collection
_COLLECTION = re.compile(
    r"\b(?:in|across|among|from)\s+(?:these|the)\s+papers\b|\b(?:these|the)\s+papers\s+"
    r"(?:say|propose|use|give|report|discuss|cover|describe)\b|^\s*summari[sz]e\b",
    re.IGNORECASE,
)
_AUX = r"(?:do|does|did|is|was|are|were|has|have|had|can|could|would|will|should)"
# a pronoun right after an auxiliary is the clause's subject: "did they", "was it", "does it"
_SUBJECT_PRONOUN = re.compile(
    rf"\b{_AUX}\s+(?P<p>they|it|he|she|this|that|these|those)\b(?!\s+(?:takes?|took)\b)", re.I
)
# a pronoun that ends the question ("... improve F1 on it?") refers back
_FINAL_PRONOUN = re.compile(r"\b(?:it|them|this|that|these|those)\s*[?.!]*\s*$", re.IGNORECASE)
_THAT_NOUNS = (
    r"(?:paper|method|model|work|approach|system|study|phenomenon|technique|framework"
    r"|dataset|benchmark|task|one|idea|result|finding)\b"
)
_PRONOUN = re.compile(
    r"\b(?:it|its|they|their|theirs|them|this|he|she|his|her)\b(?!\s+takes?\b)"
    rf"|\bthat\s+{_THAT_NOUNS}"
    # ("in that paper": the noun's, below)
    rf"|\b(?:{_AUX}|of|on|in|for|about|with|from|to|by|at|use[sd]?|and)\s+(?:all\s+)?that\b"
    rf"(?!\s+{_THAT_NOUNS})"
    # "the paper" / "the authors" with nothing after them that says which ("the paper that ...",
    # "the dataset for identifying ..." are descriptions, not references)
    # (also "the small model", "the base model": a word that says which of the earlier ones)
    r"|\bthe\s+(?:(?:small|smaller|large|larger|big|bigger|base|final|resulting|same"
    r"|original)\s+)?(?:paper|method|model|work|authors|approach|study|system|dataset|benchmark"
    r"|technique|framework|agent|robot|policy|algorithm|objectives?|tasks|experiments|results)"
    r"(?=\s*(?:[?.,!]|$|'s|\s+(?:do|does|did|is|was|are|were|uses?|reports?|proposes?|shows?"
    r"|finds?|achieves?|reach(?:es)?|needs?|requires?|outperforms?|introduces?|releases?|compares?"
    r"|works?|differs?|relies|depends?|operates?|acts?|learns?|called|named)\b))",
    re.IGNORECASE,
)
_WH_OBJECT = re.compile(r"\b(?:which|what|how\s+many|how\s+much)\s+(?:[\w-]+\s+){0,5}$", re.I)
# what a pronoun may refer to inside the question itself ("which paper ... its weights")
# what a pronoun may refer to inside the question itself, by number: "they/their" want a plural
# (or people, or two coordinated names), "it/its" a singular
_ANTE_PLURAL = re.compile(
    r"\b(?:papers|works|studies|models|methods|approaches|systems|frameworks|techniques|authors"
    r"|researchers|agents|robots|policies|transformers|networks|datasets|benchmarks|objectives"
    r"|algorithms|architectures|encoders|decoders|classifiers|scorers|tokenizers|corpora"
    r"|pipelines|strategies|tasks|laws|LLMs|LMs|humans|people|annotators|[A-Z][\w-]*\s*(?:,|and)"
    r"\s+[A-Z][\w-]*)\b"
)
_ANTE_SINGULAR = re.compile(
    r"\b(?:paper|work|study|model|method|approach|system|framework|technique|agent|robot|policy"
    r"|transformer|network|dataset|benchmark|objective|algorithm|architecture|encoder|decoder"
    r"|classifier|scorer|tokenizer|corpus|pipeline|strategy|task|law|LLM|LM)\b",
    re.IGNORECASE,
)
_ANTECEDENT = re.compile(f"{_ANTE_PLURAL.pattern}|{_ANTE_SINGULAR.pattern}", re.IGNORECASE)
_AUTHORED = re.compile(r"\b(?:paper|work|study|article)\b", re.IGNORECASE)
_BARE_COUNT = re.compile(r"^\W*how\s+(?:many|much)(?:\s+[\w-]+){1,2}\s*\?\s*$", re.IGNORECASE)
_PAPERS_NAMED = re.compile(r"\b(?:papers?|works?|stud(?:y|ies)|articles?)\b", re.IGNORECASE)
_PLURAL_PRONOUNS = frozenset({"they", "their", "theirs", "them", "these", "those"})
_CAPS = re.compile(r"\b[A-Z][\w-]*[A-Z_][\w-]*")
_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b|^\s*(?:also|likewise)\b", re.I)
# "And for the StackOverflow BERT models?", "And URLBERT?": no question of its own, the earlier
# one asked of something it names ("And with the active data gathering loop?" names nothing: it
# stands alone)
_AND_FOR = re.compile(
    r"^\s*and\s+(?:(?:for|in|with)\b|(?=(?:[\w.-]+\s*){1,3}\?*\s*$))(?!.*\b(?:what|which|how|who|where|when|why|do|does|did|is|are"
    r"|was|were|has|have|can)\b)",
    re.I,
)
_AND_START = re.compile(r"^\s*and\b", re.IGNORECASE)
# "And once online search is added?", "And with the active data gathering loop?": the earlier
# question asked again under another setting (a fragment with no question of its own)
_AND_SETTING = re.compile(
    r"^\s*and\s+(?:once|after|if|without|with)\s(?!.*\b(?:what|which|how|who|where|when|why)\b)"
    r"[^?]*\?\s*$",
    re.IGNORECASE,
)
# (not "And which one uses X?", which asks for a paper anew; not "the first two", a count)
_AND_ASKS = re.compile(
    r"^\s*and\s+(?:what|which|how|who|where|when|did|does|do|is|are|was|were)\b"
    r"(?!\s+(?:one|ones|paper|papers|work|works|study|studies|method|methods)\b)"
    r"(?!.*\b(?:first|second|third|last|two|three|both|former|latter)\b)",
    re.IGNORECASE,
)
# "And the value-guided policy steering method?": the earlier question asked of another paper,
# described in a few words (not "And the proposed method?", "And the second model?": earlier ones)
_AND_DESCRIBED = re.compile(
    r"^\s*and\s+(?:for\s+|about\s+|with\s+)?the\s+"
    r"(?!(?:[\w-]+\s+)*?(?:proposed|same|other|former|latter|first|second|third|last|previous"
    r"|earlier|above|new|its|their|this|that|these|those)\b)"
    r"(?:[\w.-]+\s+){2,5}(?:approach|method|paper|model|work|study|technique|framework|system)"
    r"\W*$",
    re.IGNORECASE,
)
# "Also, anything in here on autonomous driving?": a topic asked about anew, no earlier question
# asked again
_TOPIC_ASKED = re.compile(
    r"\b(?:anything|any\s+(?:papers?|works?|studies|research))(?:\s+(?:in\s+)?here)?"
    r"\s+(?:on|about|regarding|covering|concerning|(?:related|relating)\s+to)\s",
    re.IGNORECASE,
)
# "And what about the approach that reuses a smaller model ...?": the same question about
# another paper, described by what it does (not "the one that ...", which picks an earlier one)
_NEW_SUBJECT = re.compile(
    r"\babout\s+(?:the|a)\s+(?:[\w-]+\s+){0,2}?(?:approach|method|paper|model|work|study"
    r"|technique|framework|system)\s+(?:that|which|where|using|with|on)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """How a question refers back: kind "none", "ordinal", "plural", "singular", "ellipsis" or
    "described" ("the one that introduces a dataset")."""

    kind: str = "none"
    index: int | None = None  # ordinal position, 0-based, -1 = last
    indices: tuple[int, ...] = ()  # "the first and the third": each position, in order
    count: int | None = None  # "those two" -> 2
    description: str = ""  # "introduces a multiple-choice dataset"
    pair: bool = False  # "the former", "the latter", "the last one": of a list of two or more
    other: bool = False  # "the other one": of the earlier list, the one not just asked about

    @property
    def refers(self) -> bool:
        return self.kind != "none"


@dataclass
class Rewrite:
    standalone: str  # what retrieval searches for (and what the UI shows)
    focus_ids: list[str] = field(default_factory=list)  # earlier papers the question is about
    scoring_question: str = ""  # what sentences are scored against
    reference: Reference = field(default_factory=Reference)
    new_topic: bool = False  # a lead-in announced a new topic
    search_focus: bool = False  # the best search hit is the paper asked about (a new subject)
    # names of that new subject ("StackOverflow"): the best hit naming one is the paper asked about
    subject_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.scoring_question:
            self.scoring_question = self.standalone


def _bound_inside(question: str, at: int, pronoun: str = "it") -> bool:
    """A pronoun at `at` has an antecedent earlier in the question: a name or a noun such as
    "paper", "model" ("Which paper trains X and lets its weights ..."). The noun of a wh-phrase
    right before the pronoun's clause is what is asked, not an antecedent ("Which model did
    they test it on?")."""
    before = question[:at]
    if pronoun.lower() in ("they", "it", "he", "she"):
        # a subject right after a noun opens a clause about that noun ("the two models they
        # pretrained", "the dataset it uses"): the noun is its object, not its antecedent
        last = re.search(rf"(?:{_ANTECEDENT.pattern})\s+$", before, re.IGNORECASE)
        if last:
            before = before[: last.start()]
    aux = re.search(rf"\b{_AUX}\s+$", before)
    if aux:
        wh = _WH_OBJECT.search(before[: aux.start()])
        if wh:
            before = before[: wh.start()]
    if pronoun.lower() in _PLURAL_PRONOUNS:  # "they" may also be a paper's authors ("And
        # V-PTR - what robot did they evaluate on?": the authors of what the question names)
        own = [e for e in entities(before) if e not in GENERIC_NAMES and not e[0].isdigit()]
        return bool(_ANTE_PLURAL.search(before) or _AUTHORED.search(before) or own)
    return bool(
        _ANTE_SINGULAR.search(before) or entities(before) or names(before) or _CAPS.search(before)
    )


def reference(question: str) -> Reference:
    """Whether and how `question` refers to earlier turns (see the module docstring)."""
    lead = strip_lead_in(question)
    if lead.switch:
        return Reference()
    q = lead.text
    # "Set aside the last one. For the first two, ...": the place left out is no place asked
    kept = _LEFT_OUT.sub(" ", q)
    if kept != q and (_ORDINAL.search(kept) or _FIRST_N.search(kept)):
        q = kept
    collection = bool(_COLLECTION.search(q))
    if m := _FIRST_N.search(q):  # "For the first two, ...": those places, in order
        n = _COUNTS[m.group("n").lower()]
        span = range(n) if m.group("end").lower() == "first" else range(-n, 0)
        return Reference("ordinal", span[0], indices=tuple(span))
    pair = _ORDINAL_PAIR.search(q)
    if pair:
        a, b = (_ORDINAL_WORDS[pair.group(g).lower()] for g in "ab")
        if a != b:
            return Reference("ordinal", a, indices=(a, b))
    m = _ORDINAL.search(q)
    if m and re.search(
        r"\b(?:which|what)\s+(?:[\w-]+\s+)?(?:papers|works|studies)\b", q[: m.start()], re.I
    ):
        m = None  # "Which papers do X, and how does the later one ...": its own papers
    if m:
        if m.group("n") or m.group("b"):
            return Reference("ordinal", int(m.group("n") or m.group("b")) - 1)
        if m.group("other"):
            return Reference("ordinal", 1, other=True)
        if m.group("later") or m.group("earlier"):
            return Reference("ordinal", -1 if m.group("later") else 0)
        word = (m.group("o") or m.group("o2") or m.group("o3") or m.group("fl")).lower()
        if _OTHER.search(q, m.end()) and _ORDINAL_WORDS[word] in (0, 1):
            # "The first one is about US law; what about the other one?": of the two, the one
            # the question did not place
            return Reference("ordinal", 1 - _ORDINAL_WORDS[word])
        # ("the first of those two": the two, as the former and the latter are)
        of_two = word in ("former", "latter", "last") or bool(
            _OF_TWO.search(q, m.start(), m.end() + 12)
        )
        # "What model did the first one run on, and what did the second one report?": each
        # place asked about, in the order asked
        places = list(dict.fromkeys(_ORDINAL_WORDS[w.lower()] for w in _places(q)))
        if len(places) >= 2:
            return Reference("ordinal", places[0], indices=tuple(places))
        return Reference("ordinal", _ORDINAL_WORDS[word], pair=of_two)
    m = _DESCRIBED.search(q)
    # ("Two papers I'm reading: the one that studies X, and the one about Y": papers of its own)
    if (
        m
        and m.group("d2")
        and (_ELLIPSIS.search(q) or _AND_FOR.search(q) or "?" not in q or QUOTED.search(q))
    ):
        # ("What about the re-warming one?": the earlier question, asked of it; "Let's focus
        # on two: 'Efficient ...' first, then the re-warming one ('...')": papers named anew)
        m = None
    if m and len(_ONE_THAT.findall(q)) < 2:
        return Reference("described", description=(m.group("d") or m.group("d2")).strip())
    m = _PLURAL.search(q)
    if m and not (collection and not (m.group("c") or m.group("c2") or m.group("c3"))):
        both = m.group("both") or m.group("both2") or m.group("both3")
        word = (m.group("c") or m.group("c2") or m.group("c3") or ("both" if both else "")).lower()
        return Reference("plural", count=_COUNTS.get(word))
    if (
        _ELLIPSIS.search(q)
        or (_AND_FOR.search(q) and _own_names(q))
        or _AND_DESCRIBED.search(q)
        or _AND_SETTING.search(q)
    ) and not _TOPIC_ASKED.search(q):
        return Reference("ellipsis")
    m = _FINAL_PRONOUN.search(q)
    if m and not collection and not _ANTECEDENT.search(q[: m.start()]):
        return Reference("singular")
    for rx in (_SUBJECT_PRONOUN, _PRONOUN):
        for p in rx.finditer(q):
            word = p.group("p") if "p" in rx.groupindex else p.group(0).split()[-1]
            if collection and word.lower() != "them":  # "how to do it", "these papers say"
                continue
            at = p.start("p") if "p" in rx.groupindex else p.start()
            if p.group(0).lower().startswith("that "):
                # "that paper": bound inside only by the same noun before it ("the small and the
                # large model in that paper" asks of the paper before)
                bound = re.search(rf"\b{word}s?\b", q[:at], re.IGNORECASE) is not None
            else:
                bound = _bound_inside(q, at, word)
            if not bound:
                return Reference("singular")
    # "And how big was the gain for the code model?": a question that goes on from the last
    # one, naming nothing of its own ("the code model" is one of the earlier paper's)
    if _AND_ASKS.search(q) and not collection and not entities(q) and not names(q):
        return Reference("singular")
    own = set(terms(q))
    # a bare count ("how many tasks?") does not stand alone for naming a kind of thing
    kind_named = (_PAPERS_NAMED if _BARE_COUNT.match(q) else _ANTECEDENT).search(q)
    standalone_words = collection or kind_named or entities(q) or names(q)
    if len(own) <= SHORT_TERMS and not standalone_words:
        return Reference("ellipsis" if _AND_START.search(q) else "singular")
    # "How many languages or models does each cover?": saying little of its own (no papers, no
    # names), each of the earlier ones
    if (
        _EACH_DOES.search(q)
        and len(own) <= EACH_TERMS
        and not (collection or _PAPERS_NAMED.search(q) or entities(q) or names(q))
    ):
        return Reference("plural")
    return Reference()


def needs_context(question: str) -> bool:
    """Kept for callers that only need a yes/no."""
    return reference(question).refers


# --- the earlier papers, in the order the reader met them ----------------------------------------
def previous_answer(history: list[Answer]) -> Answer | None:
    """The latest answered turn that showed papers."""
    for a in reversed(history):
        if not a.abstained and (a.citations or a.papers):
            return a
    return None


def _shown(ans: Answer) -> list[tuple[str, str]]:
    """The papers an answer showed, in order: a compare answer's matches (the papers it cites
    under "Not clearly matching" are no part of its list: "the second one" after a scoped compare
    with one match counts the reader's earlier list), else its table's rows, then its citations."""
    if ans.mode == "compare" and ans.papers:
        return list(dict.fromkeys((p.paper_id, p.title) for p in ans.papers))
    pairs = [(c.paper_id, c.title) for c in ans.citations]
    pairs = [(p.paper_id, p.title) for p in ans.papers] + pairs if ans.papers else pairs
    return list(dict.fromkeys(pairs))


def _spaced(text: str) -> str:
    """`text` as a pattern that allows any run of spaces where it has one."""
    return r"\s+".join(re.escape(w) for w in text.split())


# "In the metadata conditioning paper, how many tokens ...": a paper called by words of its title
_THE_TITLED = re.compile(
    r"^\s*(?:in|for|from)\s+the\s+(?P<words>(?:[\w-]+\s+){1,4}?)"
    r"(?:paper|study|work|method|approach)\b",
    re.IGNORECASE,
)


def title_described(question: str, papers: list[Paper]) -> set[str]:
    """The one candidate a "the <title words> paper" phrase names (`title_named`: a capital or
    two words only its title has), as a name names it, where every word of the phrase is a word
    of that title (not "the semi-supervised imitation work": one title word of another paper)."""
    m = _THE_TITLED.search(question)
    named = title_named(m.group("words"), papers) if m else {}
    if m is None or len(named) != 1:
        return set()
    (pid,) = named
    title = next(set(terms(p.title.replace("-", " "))) for p in papers if p.id == pid)
    return {pid} if set(terms(m.group("words").replace("-", " "))) <= title else set()


def title_named(
    question: str,
    candidates: list[Paper],
    skip: list[tuple[int, int]] | None = None,
    shared: set[str] | None = None,
    generic: bool = False,
) -> dict[str, int]:
    """The candidates the question names by words of their titles, each at the first such word:
    a title word only one candidate has names it when the question capitalises it ("the
    Maltese paper") or uses two such words ("the stability gap paper"); one lower-case word
    alone is too weak ("one-line" is not "The Fine Line: ..."). Words inside the `skip` spans
    and the `shared` names (lower case) are left out, and with `generic` the field-wide
    abbreviations too (an order of papers counts the names the reader gave, not "LLM")."""
    skip, shared = skip or [], shared or set()
    title_terms = {p.id: set(terms(p.title)) for p in candidates}
    hits: dict[str, list[tuple[int, str, bool]]] = {}
    for m in re.finditer(r"[\w-]+", question):
        if any(a <= m.start() < b for a, b in skip) or m.group(0).lower() in shared:
            continue
        if generic and (m.group(0) in GENERIC_NAMES or m.group(0).upper() in GENERIC_NAMES):
            continue  # "two approaches for LLM pretraining: first ProX, then DataMan"
        capital = m.group(0)[0].isupper() and bool(question[: m.start()].strip())
        for t in terms(m.group(0)):
            owners = [pid for pid, ts in title_terms.items() if t in ts]
            if len(owners) == 1:
                hits.setdefault(owners[0], []).append((m.start(), t, capital))
    return {
        pid: min(a for a, _, _ in found)
        for pid, found in hits.items()
        if any(c for _, _, c in found) or len({t for _, t, _ in found}) >= 2
    }


def mention_order(
    question: str,
    candidates: list[Paper],
    shown: list[str] | None = None,
    named_only: bool = False,
) -> list[Paper]:
    """`candidates` sorted by where `question` first names each: a name the paper's abstract
    mentions, or a word that only this candidate's title has. Unnamed ones keep their order
    after the named ones (and only the ones in `shown` are kept among those); with
    `named_only`, and two or more named, the named ones alone."""
    pos: dict[str, int] = {}
    # a title quoted whole names its paper, and the names inside it ("Language Models" of
    # 'Pretraining Language Models with Human Preferences') name no other paper
    spans: list[tuple[int, int]] = []
    for p in candidates:
        m = re.search(_spaced(p.title), question, re.IGNORECASE) if p.title.strip() else None
        if m:
            pos[p.id] = m.start()
            spans.append(m.span())
    # each paper at the first mention of its most specific name: a name several candidates
    # share ("BERT" in "two domain-adapted BERT models: MentalBERT and CySecBERT") names none
    best: dict[str, tuple[int, int]] = {}
    sharers: dict[str, set[str]] = {}  # paper id -> the candidates a name of it also names
    shared_names: set[str] = set()
    claimed: list[tuple[int, int]] = []
    for e in names(question):
        word = re.compile(rf"(?<![\w-]){re.escape(e)}(?![\w-])", re.IGNORECASE)
        owners = [p for p in papers_naming(e, candidates) if p.id not in pos]
        shared = sum(bool(word.search(f"{p.title}\n{p.abstract}")) for p in candidates)
        k = max(len(owners), shared)
        m = word.search(question)
        at = m.start() if m else question.lower().find(e.lower())
        if k > NAME_OWNERS_MAX:
            shared_names.add(e.lower())
        if not owners or k > NAME_OWNERS_MAX or any(a <= at < b for a, b in spans):
            continue
        for p in owners:
            best[p.id] = min(best.get(p.id, (k, at)), (k, at))
            sharers[p.id] = sharers.get(p.id, set()) | {o.id for o in owners if o.id != p.id}
        if at >= 0:  # the words of a name that named its paper name no other by its title
            claimed.append((at, at + len(e)))  # ("Decision-Pretrained Transformer": not PASTA's)
    # "Learning from Future (FST) and ...": "Future" is also a word of "Pre-Trained Models:
    # Past, Present and Future", but the other paper it could name has a name of its own there
    for pid, (k, _) in list(best.items()):
        if k > 1 and any(best.get(o, (k,))[0] == 1 for o in sharers.get(pid, ())):
            del best[pid]
    pos.update({pid: at for pid, (_, at) in best.items()})
    skip = spans + claimed
    heading = group_heading(question)
    titled = title_named(question, candidates, skip + [(0, heading)], shared_names, generic=True)
    # a paper its name placed stays there; the descriptions place theirs (`described_at`)
    placed = described_at(question, candidates, {**titled, **pos})
    # (the papers placed after the heading by the descriptions there count too: "three data
    # selection works: first, the one that ...; second, ...": "data selection" is no paper's)
    if heading and sum(at >= heading for at in placed.values()) < 2:
        titled = title_named(question, candidates, skip, shared_names, generic=True)
        placed = described_at(question, candidates, {**titled, **pos})
    pos = placed
    named = sorted((p for p in candidates if p.id in pos), key=lambda p: pos[p.id])
    if named_only and len(named) >= 2:
        return named
    keep = set(shown) if shown is not None else {p.id for p in candidates}
    rest = [p for p in candidates if p.id not in pos and p.id in keep]
    return named + rest


_LONE_DESCRIPTION = re.compile(
    r"\bthe\s+(?:paper|work|study|one|method)\s+(?:on|about|that|which|with|where|from)\s+"
    r"[^,;:?.()]+",
    re.IGNORECASE,
)


# "its bootstrapped follow-up": a word for how the paper stands to another, none of its content
# ("follow" of "Learning to Follow Principles" tied with "bootstrapped" of B-PROP's title)
_RELATIONAL = re.compile(r"\b(?:follow[- ]?ups?|successors?|predecessors?|sequels?)\b", re.I)


def described_at(question: str, candidates: list[Paper], pos: dict[str, int]) -> dict[str, int]:
    """Papers of a list the question describes item by item ("in this order: the stability-gap
    one, the learning-rate rewarming one, and the D-CPT Law one"): each item's paper is the
    candidate whose title and abstract share the most of its words, unless that is a paper
    already placed by a name or title word (an apposition: "the V-GPS paper, Steering Your
    Generalists") or a tie. Returns `pos` with those papers placed."""
    out = dict(pos)
    placed = set(pos)
    # ("three papers: SAMI, the paper on pretraining LMs with human preferences, and RLGF": one
    # description between two names places its paper too)
    items = []
    for d in descriptions(question) or _LONE_DESCRIPTION.findall(question)[:1]:
        # (a description comes back without its commas: "... ability, using a cheap ...")
        found = re.search(r"[\W_]+".join(map(re.escape, d.split())), question)
        if found:
            items.append((found.start(), d, _fitting(d, candidates)))
    bests = [r[0][2].id if _clear(r) else "" for _, _, r in items]
    for i, (at, d, ranked) in enumerate(items):
        if not _clear(ranked):
            continue
        # a paper placed inside the description by one of its words ("scales to 20B" and
        # ERNIE's "Large-scale") leaves it to another paper that fits it far better, or to
        # the paper that fits it best when it fits another description best ("first, the
        # ELECTRA variant with self-supervision ...; second, the thesis proposing token-swapping
        # objectives": "Structural Self-Supervised Objectives" is the second)
        others = set(bests[:i] + bests[i + 1 :]) - {""}
        inside = {pid for pid, x in pos.items() if at <= x < at + len(d)}
        best = ranked[0][2]
        moved = inside & others - {best.id}
        if best.id in placed:
            # (a name inside the description placed its best paper there already, beside one
            # that fits another description best: "the ELECTRA variant ...")
            if best.id not in inside or not moved:
                continue
            drop = moved
        elif any(n * 2 > ranked[0][0] for n, _, p in ranked if p.id in inside - others):
            continue
        else:
            drop = inside  # the description's place is its paper's, not theirs
        for pid in drop:
            out.pop(pid, None)
            placed.discard(pid)
        out[best.id] = at
        placed.add(best.id)
    return out


def _fitting(description: str, candidates: list[Paper]) -> list[tuple[int, int, Paper]]:
    """The candidates by how many of a description's words their title and abstract share;
    a tie goes to the paper whose title has more of them ("the paper on pretraining LMs with
    human preferences" is that title's paper, not SAMI's)."""
    want = set(terms(_RELATIONAL.sub(" ", description)))
    return sorted(
        (
            (len(want & set(terms(f"{p.title} {p.abstract}"))), len(want & set(terms(p.title))), p)
            for p in candidates
        ),
        key=lambda x: (-x[0], -x[1]),
    )


def _clear(ranked: list[tuple[int, int, Paper]]) -> bool:
    """A best fit that shares some word and ties with no other paper."""
    return bool(ranked and ranked[0][0]) and not (
        len(ranked) > 1 and ranked[1][:2] == ranked[0][:2]
    )


def referents(
    history: list[Answer],
    lookup: Callable[[list[str]], dict[str, Paper]],
    ref: Reference | None = None,
) -> tuple[Answer | None, list[Paper]]:
    """The previous answered turn and the papers a reference can mean, in order (see the module
    docstring). A pronoun means what the answer was about: its papers in its own order. An
    ordinal or plural counts what the reader named or saw: a compare table's rows; else the
    answer's papers and its top retrieved ones (an extractive answer may quote only one of two
    papers its question named) in the order the question named them, then the answer's order."""
    prev = previous_answer(history)
    if prev is None:
        return None, []
    if ref is not None and ref.kind == "ordinal" and ref.pair:
        if turns := _one_paper_turns(history, 2, lookup):
            # "What's DPT?", "And the paper on task diversity?", "Does the latter ...?": one
            # paper a turn, the former and the latter are the last two turns' papers
            return prev, turns
    if ref is not None and ref.kind == "ordinal":
        # "the first one ...?" then "and the last one?": both count the same earlier list
        prev = _back_while(history, prev, lambda a: reference(a.question).kind == "ordinal")
        # "the third one" after a turn that showed two papers counts an earlier list of three
        far = max((ref.index or 0, *ref.indices))
        # ("I'm reading KIND and SPDF", "What model does SPDF sparsify?", "And the former ...?":
        # a former or a last needs a list of two or more)
        far = max(far, 1) if ref.pair else far
        prev = _back_while(history, prev, lambda a: far >= len(_counted(a, lookup, ref)))
    if ref is not None and ref.kind == "plural" and ref.count:
        # "OpenVLA, then RT-H?", "the first one ...?", "which of these two ...?": the two are
        # the list the follow-up about one of them narrowed, not that one paper
        count = ref.count
        prev = _back_while(
            history,
            prev,
            lambda a: (
                reference(a.question).kind in ("ordinal", "singular") and len(_shown(a)) < count
            ),
        )
    if ref is not None and ref.kind == "plural" and ref.count:
        if turns := _one_paper_turns(history, ref.count, lookup):
            # "What is UL2 about?", "And ERNIE 3.0?", "Which of the two is bigger?": one paper a
            # turn, the two are the last two turns' papers, in the order they were asked about
            return prev, turns
    return prev, _counted(prev, lookup, ref)


def _counted(
    prev: Answer, lookup: Callable[[list[str]], dict[str, Paper]], ref: Reference | None
) -> list[Paper]:
    """The papers of the answered turn `prev` a reference can mean, in order (`referents`)."""
    shown = [pid for pid, _ in _shown(prev)]
    ids = list(dict.fromkeys(shown + [h.paper_id for h in prev.retrieved[:5]]))
    found = lookup(ids)
    cands = [found[i] for i in ids if i in found]
    in_answer = [found[i] for i in shown if i in found]
    if ref is None or ref.kind not in ("ordinal", "plural", "described"):
        return in_answer
    if prev.mode == "compare" and prev.papers:
        if ref.kind == "plural" and ref.count and ref.count < len(in_answer):
            # "these two" after a screen that matched more: the two its question described
            # ("the stability gap and re-warming the learning rate"), then the table's order
            return mention_order(prev.question, in_answer)
        return in_answer
    # "the latter" / "the last one" after a question that named two or more papers is the last
    # it named, not an unnamed paper the answer also quoted (so in "the former ..., and the
    # latter's ...?")
    last = ref.kind == "ordinal" and any(i < 0 for i in (*ref.indices, ref.index or 0))
    return mention_order(prev.question, cands, shown, named_only=last)


def _back_while(history: list[Answer], prev: Answer, back: Callable[[Answer], bool]) -> Answer:
    """From `prev`, the earlier answered turns while `back` holds of the current one."""
    i = next(j for j, a in enumerate(history) if a is prev)
    while back(prev) and (earlier := previous_answer(history[:i])):
        prev, i = earlier, next(j for j, a in enumerate(history) if a is earlier)
    return prev


def _one_paper_turns(
    history: list[Answer], count: int, lookup: Callable[[list[str]], dict[str, Paper]]
) -> list[Paper]:
    """The papers of the last `count` answered turns, oldest first, when each of those turns
    quoted one paper alone and they are different papers; else none."""
    last = [a for a in history if not a.abstained and a.citations][-count:]
    if len(last) < count or any(
        a.mode != "qa" or len({c.paper_id for c in a.citations}) != 1 for a in last
    ):
        return []
    ids = [a.citations[0].paper_id for a in last]
    if len(set(ids)) != count:
        return []
    found = lookup(ids)
    return [found[i] for i in ids if i in found]


def described(description: str, papers: list[Paper]) -> Paper:
    """The paper a description fits best: the most of its words, each weighted by how few of
    the papers have it (a word all of them share tells them apart from none); ties and no fit at
    all go to the earliest."""
    words = set(terms(description))
    have = [set(terms(f"{p.title} {p.abstract}")) for p in papers]
    df = {w: sum(w in h for h in have) for w in words}
    n = len(papers)

    def fit(i: int) -> float:
        return sum(math.log((n + 1) / df[w]) for w in words if w in have[i])

    return papers[max(range(n), key=lambda i: (fit(i), -i))]


def _focus(ref: Reference, papers: list[Paper]) -> list[Paper]:
    if not papers:
        return []
    if ref.kind == "described":
        return [described(ref.description, papers)]
    if ref.kind == "ordinal" and ref.indices:
        return [papers[i] for i in ref.indices if -len(papers) <= i < len(papers)]
    if ref.kind == "ordinal" and ref.index is not None:
        i = ref.index
        return [papers[i]] if -len(papers) <= i < len(papers) else []
    if ref.kind == "plural":
        return papers[: ref.count or PLURAL_MAX]
    return papers[:1]


def resolve(
    question: str,
    history: list[Answer],
    lookup: Callable[[list[str]], dict[str, Paper]],
) -> Rewrite:
    """Offline rewrite: the papers the question refers to become its focus (answers come from
    them), and their titles are appended to the search text."""
    lead = strip_lead_in(question)
    q = lead.text
    ref = reference(question)
    if not history or not ref.refers:
        return Rewrite(q, new_topic=lead.switch)
    prev, papers = referents(history, lookup, ref)
    if prev is None:
        return Rewrite(q, reference=ref)
    if len(papers) < 2 and WHICH_ONE.search(q):
        return Rewrite(q, new_topic=lead.switch)
    other = _names_other(q, papers)
    if ref.kind == "ellipsis" and (_NEW_SUBJECT.search(q) or _AND_DESCRIBED.search(q) or other):
        # searched for the described or named paper; scored as the earlier question asked of
        # it, without the earlier subject's names
        asked = _without_names(_asked_before(history, prev), q)
        scoring = f"{q} {asked}"
        return Rewrite(q, [], scoring, ref, search_focus=True, subject_names=tuple(other))
    focus = _focus(ref, papers)
    asked = q  # what the answer is scored on
    if ref.other:
        # "What do UL2 and ERNIE 3.0 do?", "How many parameters does ERNIE 3.0 have?", "And the
        # other one?": of the earlier list, the paper the last answer was not about (after
        # "Which of them claims X?", the one it did not list as matching)
        latest = previous_answer(history)
        if latest is not None and latest is not prev:
            last = {pid for pid, _ in _shown(latest)}
            focus = [p for p in papers if p.id not in last][:1] or focus
        # ("BayesPrompt sounds theoretical. What about the other one?": the one not named, asked
        # without the name of the one set aside)
        named = {n: papers_naming(n, papers) for n in _own_names(q)}
        said = {p.id for found in named.values() for p in found}
        if len(papers) == 2 and len(said) == 1:
            focus = [p for p in papers if p.id not in said]
            asked = _drop(asked, [n for n, found in named.items() if found])
    titles = "; ".join(p.title for p in focus[:3])
    standalone = f"{q} (about: {titles})" if titles else q
    scoring = asked
    if ref.kind == "ellipsis":
        # "what about the second one?" keeps asking the earlier question
        scoring = f"{prev.standalone_question.split(' (about:')[0]} {q}"
    elif ref.kind == "ordinal" and not set(terms(q)) - _PLACE_WORDS:
        # "How many parameters does ERNIE 3.0 have?", "And the other one?": the place alone
        # asks the last question again, of that paper (without the last one's names)
        asked = _asked_before(history, previous_answer(history) or prev)
        scoring = f"{_without_names(asked, '', numbers=True)} {q}"
    return Rewrite(standalone, [p.id for p in focus], scoring, ref)


# the words of a question that only points at a place: "And what about the other one?"
_PLACE_WORDS = frozenset(
    terms(
        "and what about how the other one ones paper work study method first second third"
        " fourth fifth last former latter then"
    )
)


def _without_names(asked: str, keep: str, numbers: bool = False) -> str:
    """An earlier question without its names (but those the text `keep` has), and with
    `numbers` its other entities too ("ERNIE 3.0"): asked again of another paper, they would
    name no subject."""
    found = [*names(asked), *(entities(asked) if numbers else [])]
    return _drop(asked, [n for n in found if n not in keep])


def _drop(text: str, names_: list[str]) -> str:
    """`text` without the whole words `names_`."""
    for n in dict.fromkeys(names_):
        text = re.sub(rf"(?<![\w-]){re.escape(n)}(?![\w-])", " ", text)
    return " ".join(text.split())


def setting_terms(question: str) -> set[str]:
    """The words of the setting an "And once online search is added?" asks the earlier question
    under: the sentence that answers it has them (the earlier answer's, "after one day", not)."""
    m = _AND_SETTING.search(strip_lead_in(question).text)
    return set(terms(m.group(0))) - _SETTING_FILLER if m else set()


_SETTING_FILLER = frozenset(terms("once after if without with added used applied included"))


def _asked_before(history: list[Answer], prev: Answer) -> str:
    """The question an ellipsis repeats: the previous one's, or, when that was an ellipsis too
    ("What about GPT-5?" after "What compute budget ...?"), the one it repeated."""
    i = next(j for j, a in enumerate(history) if a is prev)
    while reference(history[i].question).kind == "ellipsis" and i > 0:
        i -= 1
    return history[i].standalone_question.split(" (about:")[0]


def _own_names(question: str) -> list[str]:
    return [n for n in names(question) if n not in GENERIC_NAMES]


def _names_other(question: str, papers: list[Paper]) -> list[str]:
    """What the question names that none of the earlier papers mentions ("StackOverflow" in
    "What about the StackOverflow BERT models?" after MonoByte): a new subject."""
    return [n for n in _own_names(question) if papers and not papers_naming(n, papers)]


def condense(
    settings,  # noqa: ANN001 - rag.settings.Settings
    question: str,
    history: list[Answer],
    lookup: Callable[[list[str]], dict[str, Paper]],
    client=None,  # noqa: ANN001
) -> Rewrite:
    """LLM rewrite of the wording, with the same deterministic focus as `resolve` (raises
    rag.llm.LLMError; the caller falls back to `resolve`)."""
    from rag.generation import condense_question

    offline = resolve(question, history, lookup)
    if not history or not offline.reference.refers:
        return offline
    pairs = [(a.question, a.answer) for a in history]
    standalone = condense_question(settings, pairs, offline.scoring_question, client=client)
    return Rewrite(
        standalone or offline.standalone,
        offline.focus_ids,
        offline.scoring_question,
        offline.reference,
    )
