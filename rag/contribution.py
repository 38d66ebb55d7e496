"""Does an abstract state X as the paper's *own* contribution, or merely mention X?

"Which papers propose a new benchmark or dataset?" is not answered by "we evaluate on a new
dataset" or "achieves state-of-the-art performance on benchmarks": the property must be stated
as what the paper introduces, releases or builds. Similarity scores cannot tell these apart (the
words are the same), so compare mode checks the statement's shape:

* the criterion is a contribution criterion when its verb is one of introducing, releasing,
  building ("propose", "release", "build", "make ... available"), and its object is the head noun
  of the phrase after the verb, or its "X or Y" alternatives ("a new benchmark or dataset" ->
  {benchmark, dataset}); a generic object ("a new method", "a model") cannot be checked this way;
* a sentence states it when (a) a first-person or paper subject ("we", "our", "this paper") comes
  before a contribution verb whose object (within the next few words) is the criterion's object,
  (b) the object is said to be available or released ("Code and data are available at ..."),
  or (c) the object is named in apposition (", a new dataset of ..."); or (d) the title names it.

Tune-split numbers: docs/ANSWERING.md.
"""

from __future__ import annotations

import re

from rag.sentences import coins_name, names_verbatim, terms

_VERBS = (
    r"(?:propos|introduc|present|releas|publish|build|built|construct|creat|collect|curat|develop"
    r"|contribut|provid|offer|design|open-sourc|establish|compil|assembl|derive"
    r"|put\s+(?:out|together|forward))"
)
# a criterion may say "make X available"; in an abstract that shape is an availability phrase
# ("share the weights of the models they trained": sharing is releasing, in a criterion; not
# "did not share its training data")
_CRITERION_VERB = re.compile(
    rf"\b(?:{_VERBS}\w*|make|made|(?<!not\s)(?<!n't\s)shar(?:e|es|ing))\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_VERB = re.compile(rf"\b{_VERBS}\w*", re.IGNORECASE)
_NP_END = re.compile(
    r"\b(?:for|to|on|in|that|which|who|with|than|rather|such|specifically|as|by|from|of|they|we"
    r"|whose|into|where|when)\b|,",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"\b(?:we|our|this (?:paper|work|study|article)|here)\b", re.IGNORECASE)
_AVAILABLE = re.compile(
    r"\b(?:is|are|will\s+be|be|been|was|were)\s+(?:\w+\s+)?(?:publicly\s+|freely\s+|openly\s+"
    r"|made\s+)?(?:available|accessible|released|open-sourced?)\b|https?://|github\.com"
    r"|\b(?:make|makes|made|making)\s+(?:[\w-]+\s+){0,6}?(?:publicly\s+|freely\s+)?"
    r"(?:available|accessible|public|open[- ]source)\b",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"(?:,|\bis|\bare)\s+(?:a|an|the\s+first)\s+(?:new|novel|large-scale|first|publicly\s+available"
    r"|comprehensive)?\s*(?P<w>(?:[\w-]+\s+){0,2}[\w-]+)",
    re.IGNORECASE,
)
# adjectives of the object phrase, and objects too general to check ("a new method")
_NOT_OBJECT = frozenset(
    terms(
        "new brand-new own novel custom their publicly public available unified first"
        " large-scale simple"
    )
)
_GENERIC_OBJECTS = frozenset(
    terms(
        "model method approach framework system technique algorithm task view strategy way "
        "solution pipeline paper work learning training analysis study evaluation investigation "
        "comparison insight result finding experiment"
    )
)
VERB_WINDOW = 6  # the object must follow the contribution verb within this many words
# "a new dataset, corpus or benchmark", "a benchmark, test suite or evaluation dataset": the
# comma separates alternatives (it would end the noun phrase otherwise)
_LIST_COMMA = re.compile(r",\s*(?=(?:[\w-]+\s+){0,2}[\w-]+,?\s+or\b)")
# ("release their own pretrained model weights": "own" has no term, and is no head)
_DETERMINERS = frozenset("a an the their its our his her this these those any some own".split())
VERB_LEAD = 5  # a criterion's verb comes first ("say they release ...", "Do any ... provide")
# a participle after the head ends the noun phrase ("a BERT-style encoder pretrained for ...")
_PARTICIPLE = re.compile(r"(?:ed|ised|ized)$", re.IGNORECASE)

# a release criterion ("release model weights or checkpoints", "open-source the text data they
# collected") is stated only by releasing verbs and availability phrases: "we propose a model"
# or "we collected a corpus" releases nothing. Abstracts name released weights "models",
# "pre-trained models" or "checkpoints", and released data "data", "datasets" or "corpus": each
# stands for the others, and "release their models" is checkable (a model is generic only as a
# thing proposed). Tune: docs/ANSWERING.md, ninth round
_RELEASE_VERB = re.compile(
    r"^(?:releas|open-sourc|publish|shar|put\s+out"
    r"|(?:make|made)\b.*\b(?:available|public|accessible|downloadable))",
    re.IGNORECASE,
)
_RELEASABLE = (
    frozenset(terms("weights checkpoints models")),
    frozenset(terms("data dataset datasets corpus corpora")),
)
_RELEASED_WITH = frozenset(terms("code"))  # "code or trained model weights"
_RELEASE = "<release>"  # marks a release criterion's object
_RELEASE_STATED = re.compile(r"\b(?:releas|open-sourc|publish|shar)\w*", re.IGNORECASE)
# "release or open-source the data": the second verb of a pair is no object
# ("put together and share a new dataset": sharing is releasing, said after the first verb)
_SECOND_VERB = re.compile(
    rf"^\s*(?:or|and|/)\s*(?:{_VERBS}[\w-]*|make|made|shar(?:e|es|ed|ing)|distribut\w*)\b",
    re.IGNORECASE,
)


# the paper presenting itself: "This paper presents ...", "In this paper, we train ...",
# "we first present CaseHOLD"
_PRESENTS = re.compile(
    r"\b(?:we|this\s+(?:paper|work|study))\s+(?:\w+\s+){0,2}?(?:propose|introduce|present"
    r"|train|develop|build|design|release)s?\b",
    re.IGNORECASE,
)


def presents_itself(sentence: str) -> bool:
    """Where an abstract says what the paper is ("This paper presents a unified framework ...",
    "We introduce RoboFuME, ..."): what "What is UL2?" wants first."""
    return _PRESENTS.search(sentence) is not None


# "we propose the dichotomy of control (DoC)", "We introduce SAMI, a method ...", "a generic
# framework W2PGNN": the sentence gives the paper's method its name
_GIVES_NAME = re.compile(
    r"\(\s*[A-Z][\w^.+-]*\s*\)"
    r"|\b(?:propose|introduce|present)s?\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,2}?"
    r"[A-Z][\w^.+-]*[A-Z0-9][\w^.+-]*"
)


def names_itself(sentence: str, names: list[str]) -> int:
    """Where an abstract presents its method by name: 2 where it gives the name ("we propose the
    dichotomy of control (DoC)", "our score - VSDR - can ..."), 1 where it presents itself under
    a name its title gives, else 0. What "which paper separates ...?" wants quoted, since the
    name answers which paper."""
    if coins_name(sentence) or (presents_itself(sentence) and _GIVES_NAME.search(sentence)):
        return 2
    return int(presents_itself(sentence) and any(names_verbatim(n, sentence) for n in names))


def _object_phrase(verb: re.Match[str]) -> str:
    """The noun phrase after a criterion's verb, its alternatives joined by "or"."""
    rest = _LIST_COMMA.sub(" or ", _SECOND_VERB.sub("", verb.group("rest")))
    end = _NP_END.search(rest)
    return rest[: end.start()] if end and end.start() > 0 else rest


def object_modifiers(criterion: str) -> frozenset[str]:
    """The terms before the object's head ("design contrastive training objectives" ->
    {contrast, train}): what kind of object is asked for, which a stating sentence must say
    too where the words are telling (`rag.compare` keeps the rare ones)."""
    m = _CRITERION_VERB.search(criterion)
    if not m:
        return frozenset()
    out: set[str] = set()
    for alt in re.split(r"\s*(?:,|\bor\b|/)\s*", _object_phrase(m)):
        words = [w for w in _words(alt) if w.lower() not in _DETERMINERS]
        for w in words[:-1]:
            out.update(t for t in terms(w) if t not in _NOT_OBJECT)
    return frozenset(out)


def contribution_object(criterion: str) -> frozenset[str] | None:
    """The object terms of a contribution criterion, or None when it is not one (or its object
    is too generic to check). The object is the head noun of the phrase after the verb, or the
    heads of its alternatives: "a theoretical analysis or formal guarantees" -> {analysis,
    guarantee}, "a new benchmark or evaluation dataset" -> {benchmark, dataset}."""
    m = _CRITERION_VERB.search(criterion)
    if not m or len(_words(criterion[: m.start()])) > VERB_LEAD:
        return None  # "rely on RL from previously collected datasets": no contribution asked
    release = _RELEASE_VERB.match(criterion[m.start() :]) is not None
    if m.group(0).lower().startswith(("make", "made")) and not release:
        return None  # "make pre-training cheaper" makes nothing available
    phrase = _object_phrase(m)
    heads: list[frozenset[str]] = []
    for alt in re.split(r"\s*(?:,|\bor\b|/)\s*", phrase):
        words = [
            w
            for w in _words(alt)
            if w.lower() not in _DETERMINERS and not (terms(w) and set(terms(w)) <= _NOT_OBJECT)
        ]
        for i, w in enumerate(words[1:], 1):
            if _PARTICIPLE.search(w) and not words[i - 1].lower().endswith("ly"):
                words = words[:i]  # "a language model specialised for ...": ends at "model"
                break
        if words:  # a head that is a stop word ("method") is too generic to check
            heads.append(frozenset(terms(words[-1])))
    if not heads or not all(heads):
        return None
    obj = frozenset().union(*heads)
    # "release a new benchmark or evaluation dataset": data to evaluate on, which a paper
    # that introduces it states (rag.compare reads it as "introduce"), not any data released
    evaluation = obj & _BENCHMARKS or (obj & _DATA and _EVAL_CRITERION.search(phrase))
    if release and not evaluation:
        words = frozenset(terms(phrase))
        kinds = [k for k in _RELEASABLE if k & words]
        if kinds:
            return frozenset({_RELEASE}.union(*kinds) | (words & _RELEASED_WITH))
    return None if obj <= _GENERIC_OBJECTS else obj


# "a new evaluation benchmark or test dataset", "a benchmark or evaluation suite", "... (not just
# a pretraining corpus)": data to evaluate on. Writers leave out the papers that built a corpus
# to pretrain on (Chinese MentalBERT's 3.36M social-media entries, CySecBERT's, AfroLM's), and
# count a dataset built to test models (CaseHOLD's 53,000+ multiple choice questions): such a
# criterion is stated by a benchmark or dataset statement that also says what it evaluates
# (tune: docs/ANSWERING.md, fourteenth round)
_EVAL_CRITERION = re.compile(
    r"\b(?:evaluation|test|testing|labell?ed)\b"
    r"|\bnot\s+(?:just|merely|only)\s+(?:a\s+)?(?:pre-?training\s+)?(?:corpus|corpora|data)\b",
    re.IGNORECASE,
)
_BENCHMARKS = frozenset(terms("benchmark benchmarks suite suites leaderboard"))
_DATA = frozenset(terms("dataset datasets corpus corpora"))
_EVALUATES = re.compile(r"\b(?:benchmark|evaluat|test|task|question|assess|leaderboard)\w*", re.I)
# the next sentence puts the new data to use: "We experiment on these datasets using ..."
_EVALUATED_ON = re.compile(
    r"\b(?:experiment|evaluat|test|benchmark)\w*\s+(?:\w+\s+)?(?:on|with|using)\s+(?:these|this|the"
    r"\s+new|both)\s+(?:two\s+)?(?:datasets?|benchmarks?|corpus|corpora|data)\b",
    re.IGNORECASE,
)


# "TAPE, a set of five biologically relevant ... tasks": a suite of tasks named in apposition is
# a benchmark under another name
_TASK_SUITE = re.compile(
    r"(?:,|\bis|\bare)\s+(?:a|an)\s+(?:new\s+)?(?:set|suite|collection|battery)\s+of\s+"
    r"(?:[\w-]+\s+){0,5}?tasks\b",
    re.IGNORECASE,
)


def evaluation_data(criterion: str, obj: frozenset[str] | None) -> frozenset[str] | None:
    """For a criterion asking for data to evaluate on, the objects a statement may name (any
    benchmark or dataset word); else None."""
    if obj is None or is_release(obj) or not obj & (_BENCHMARKS | _DATA):
        return None
    if obj <= _BENCHMARKS or _EVAL_CRITERION.search(criterion):
        return obj | _BENCHMARKS | _DATA
    return None


def evaluative(sentence: str) -> bool:
    """The sentence says what its data evaluates: a benchmark, tasks, test questions."""
    return _EVALUATES.search(sentence) is not None


def evaluated_on(sentence: str) -> bool:
    """The sentence after a dataset statement evaluates on it ("We experiment on these
    datasets ...")."""
    return _EVALUATED_ON.search(sentence) is not None


def is_release(obj: frozenset[str] | None) -> bool:
    """A criterion about releasing weights or data: checked by its release statements alone."""
    return obj is not None and _RELEASE in obj


def _names(words: list[str], obj: frozenset[str]) -> bool:
    return any(t in obj for w in words for t in terms(w))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text)


def states(sentence: str, obj: frozenset[str], title: bool = False) -> bool:
    """Whether `sentence` states `obj` as the paper's own contribution (rules of the module
    docstring); a title states whatever it names."""
    release = _RELEASE in obj
    if title:
        return not release and _names(_words(sentence), obj)
    for v in (_RELEASE_STATED if release else _VERB).finditer(sentence):
        if _SUBJECT.search(sentence[max(0, v.start() - 60) : v.start()]):
            if _names(_words(sentence[v.end() : v.end() + 90])[:VERB_WINDOW], obj):
                return True
    for a in _AVAILABLE.finditer(sentence):
        before = _words(sentence[max(0, a.start() - 60) : a.start()])[-VERB_WINDOW:]
        if {"not", "never"} & {w.lower() for w in before[-2:]}:
            continue  # "the dataset will not be made publicly available"
        after = _words(sentence[a.end() : a.end() + 40])[:4]
        if _names(before + _words(a.group(0)) + after, obj):
            return True
    if not release and obj & _BENCHMARKS and _TASK_SUITE.search(sentence):
        return True
    return not release and any(
        _names(m.group("w").split(), obj) for m in _APPOSITION.finditer(sentence)
    )
