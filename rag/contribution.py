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

from rag.sentences import terms

_VERBS = (
    r"(?:propos|introduc|present|releas|publish|build|built|construct|creat|collect|curat|develop"
    r"|contribut|provid|offer|design|open-sourc|establish|compil|assembl|derive)"
)
# a criterion may say "make X available"; in an abstract that shape is an availability phrase
_CRITERION_VERB = re.compile(rf"\b(?:{_VERBS}\w*|make|made)\b(?P<rest>.*)$", re.IGNORECASE)
_VERB = re.compile(rf"\b{_VERBS}\w*", re.IGNORECASE)
_NP_END = re.compile(
    r"\b(?:for|to|on|in|that|which|who|with|than|rather|such|specifically|as|by|from|of)\b|,",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"\b(?:we|our|this (?:paper|work|study|article)|here)\b", re.IGNORECASE)
_AVAILABLE = re.compile(
    r"\b(?:is|are|will\s+be|be|been|was|were)\s+(?:\w+\s+)?(?:publicly\s+|freely\s+|openly\s+"
    r"|made\s+)?(?:available|released|open-sourced?)\b|https?://|github\.com"
    r"|\b(?:make|makes|made|making)\s+(?:[\w-]+\s+){0,4}?(?:publicly\s+|freely\s+)?"
    r"(?:available|public|open[- ]source)\b",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"(?:,|\bis|\bare)\s+(?:a|an|the\s+first)\s+(?:new|novel|large-scale|first|publicly\s+available"
    r"|comprehensive)?\s*(?P<w>(?:[\w-]+\s+){0,2}[\w-]+)",
    re.IGNORECASE,
)
# adjectives of the object phrase, and objects too general to check ("a new method")
_NOT_OBJECT = frozenset(
    terms("new own novel custom their publicly public available unified first large-scale simple")
)
_GENERIC_OBJECTS = frozenset(
    terms(
        "model method approach framework system technique algorithm task view strategy way "
        "solution pipeline paper work"
    )
)
VERB_WINDOW = 6  # the object must follow the contribution verb within this many words


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


def contribution_object(criterion: str) -> frozenset[str] | None:
    """The object terms of a contribution criterion, or None when it is not one (or its object
    is too generic to check)."""
    from rag.compare import slots  # the "X or Y" grouping lives with compare's scorer

    m = _CRITERION_VERB.search(criterion)
    if not m:
        return None
    rest = m.group("rest")
    end = _NP_END.search(rest)
    phrase = rest[: end.start()] if end and end.start() > 0 else rest
    groups = [s - _NOT_OBJECT for s in slots(phrase)]
    groups = [g for g in groups if g]
    if not groups:
        return None
    either = [g for g in groups if len(g) > 1]
    obj = either[0] if either else groups[-1]
    return None if obj <= _GENERIC_OBJECTS else frozenset(obj)


def _names(words: list[str], obj: frozenset[str]) -> bool:
    return any(t in obj for w in words for t in terms(w))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text)


def states(sentence: str, obj: frozenset[str], title: bool = False) -> bool:
    """Whether `sentence` states `obj` as the paper's own contribution (rules of the module
    docstring); a title states whatever it names."""
    if title:
        return _names(_words(sentence), obj)
    for v in _VERB.finditer(sentence):
        if _SUBJECT.search(sentence[max(0, v.start() - 60) : v.start()]):
            if _names(_words(sentence[v.end() : v.end() + 90])[:VERB_WINDOW], obj):
                return True
    for a in _AVAILABLE.finditer(sentence):
        before = _words(sentence[max(0, a.start() - 60) : a.start()])[-VERB_WINDOW:]
        after = _words(sentence[a.end() : a.end() + 40])[:4]
        if _names(before + _words(a.group(0)) + after, obj):
            return True
    return any(_names(m.group("w").split(), obj) for m in _APPOSITION.finditer(sentence))
