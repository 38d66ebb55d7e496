"""What a question asks for, read from its wording alone (no model): a lead-in to drop, and the
answer slot, i.e. the kind of thing an answer must contain.

Why: an abstract that is *about* the question's subject often does not contain the *asked-for*
detail ("Which optimizer did B-PROP use?", "What F1 does LegalTurk reach on NER?"). Retrieval and
sentence similarity find the right paper either way, so only a check on the kind of answer can tell
"answered" from "about the same thing". The slot kinds:

* quantity: "how many X", "how long", "by how much", "what accuracy/F1/success rate ..." - the
  answer sentence must hold a number the question does not already contain, next to the slot's
  own word or unit (X, "hours", "%", ...);
* name: "which specific model/dataset/benchmark ...", "what is it called" - the answer sentence
  must hold a name (acronym, CamelCase, versioned token) the question does not contain;
* detail: training details abstracts seldom state (optimizer, learning rate, batch size, GPU
  hours, ...) - the answer sentence must name the detail itself;
* open: anything else ("what does X do", "how does X work") - no check.

The rules and the tune-split numbers that justify them are in docs/ANSWERING.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from rag.glossary import LANGUAGE_NAMES
from rag.sentences import (
    IRREGULAR_VERBS,
    STOPWORDS,
    entities,
    mentioned,
    split_sentences,
    terms,
)

SlotKind = Literal["quantity", "name", "detail", "open"]

# A short lead-in before the question proper ("New question: ...", "OK, and ..."); the ones that
# announce a change of topic also end the follow-up context.
_LEAD_IN = re.compile(
    # ("ok unrelated - ...": a word of assent run into the switch with no stop between)
    r"^\s*(?:(?P<switch>(?:(?:ok(?:ay)?|alright|right|so|well|thanks|now)\s+)?"
    r"(?:(?:(?:a|one|another|totally|completely|entirely|quite)\s+)*"
    r"(?:new|different|unrelated|other|separate|another)\s+(?:question|topic|thing|subject)"
    r"|(?:for\s+)?something\s+(?:(?:completely|entirely|totally)\s+)?"
    r"(?:else|different|new|unrelated)"
    r"|(?:switching|changing|change\s+of|new)\s+(?:the\s+)?(?:topics?|subject)"
    r"|(?:switching|changing|shifting)\s+gears|moving\s+on"
    r"|(?:unrelated|separate(?:ly)?|independent(?:ly)?)(?:\s+(?:to|from|of)\s+(?:that|this|these"
    r"|those|it|them|the\s+above|(?:the|my|your)\s+(?:previous|last|earlier|above)\s+\w+))?"
    r"|on\s+(?:another|a\s+different|a\s+separate|an\s+unrelated)\s+(?:note|topic|subject)"
    r"|by\s+the\s+way|btw)"
    # ("Different question entirely:", "Now something else entirely:", "Switching gears
    # entirely:")
    r"(?:\s+(?:entirely|altogether|completely))?)"
    r"|(?:ok(?:ay)?|thanks?(?:\s+you)?|great|cool|nice|right|now|alright|well|so))"
    r"\s*[:,;.!\u2013\u2014-]+\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lead:
    text: str  # the question without its lead-in
    switch: bool  # the lead-in announced a new topic


# "..., with citations, ...", "... - cite the papers please": every answer cites its papers; the
# request only adds words to search and score with
_CITE_REQUEST = re.compile(
    r"\s*(?:[,;(\u2013\u2014-]\s*)?\b(?:(?:and\s+)?(?:please\s+)?(?:cite|citing|give|list|show)"
    r"\s+(?:me\s+)?(?:the\s+|your\s+|its\s+|their\s+)?(?:papers|sources|references|citations)"
    r"|with\s+(?:full\s+)?(?:citations?|sources|references))\b(?:[\s,]*please)?\s*[)]?"
    r"(?=\s*(?:[,;.?!]|$))[,;]?",
    re.IGNORECASE,
)


def strip_lead_in(question: str) -> Lead:
    """ "Switching topics: which papers ..." -> ("which papers ...", switch=True)."""
    q = _CITE_REQUEST.sub("", question).strip()
    switch = False
    while True:
        m = _LEAD_IN.match(q)
        if not m or m.end() >= len(q):
            break
        switch = switch or bool(m.group("switch"))
        q = q[m.end() :]
    return Lead(q[:1].upper() + q[1:] if q else q, switch)


# "What X, and on which Y?", "What is X and how much did it Y?": two asks in one question
_PART = re.compile(
    # (", and roughly how many ...": a hedge before the ask)
    r",?\s+and\s+(?=(?:(?:roughly|approximately|about|exactly|precisely|also)\s+)?"
    r"(?:(?:on|in|for|with|by|from|at|to|of|under|over|across|against|during"
    r"|after|before|within|between)\s+)?"
    r"(?:what|which|how|where|when|who|whom|whose)\b)",
    re.IGNORECASE,
)


# "In the regtech retrieval study that matches EU directives to UK law, which lexical method
# ...?", "for the LR re-warming study: what model size ...?": the preamble says which paper,
# the rest what is asked of it, and the sentence that answers the ask need not echo the preamble
_PREAMBLE = re.compile(
    r"^(?:in|for|about|regarding|on|with)\s+(?:the|that|this)\s+[^,:;?]{12,}?[,:]\s*"
    r"(?=(?:what|which|how|who|whom|where|when|did|does|do|is|are|was|were)\b)",
    re.IGNORECASE,
)


# a second question after the first one's question mark
# "How many questions are in it, which model does the second compare against, and ...?": an ask
# listed after a comma before the last ", and" (an interrogative, not a relative clause: "the
# scorer, which keeps data whose ..." has no verb of a question after its noun)
_LISTED_ASK = re.compile(
    r",\s+(?=(?:which|what)\s+(?:[\w-]+\s+){0,4}?(?:does|do|did|is|are|was|were|has|have)\b"
    r"|how\s+(?:many|much|big|large|long|well)\b"
    r"|(?:where|when|who)\s+(?:does|do|did|is|are|was|were)\b)",
    re.IGNORECASE,
)
_SECOND_QUESTION = re.compile(r"(?<=\?)\s+(?=[A-Z])")
# "Two papers X: A, and B. How many benchmarks did the first ...?": the sentences before an ask
LEAD_SENTENCES = re.compile(
    r"^(?:[^?]*?[\w)\"'’]\.\s+)+(?=(?:What|Which|How|Who|Whom|Where|When|Did|Does|Do|Is|Are"
    r"|Was|Were|In|For|At|On|By)\b)"
)
_AND = re.compile(r"^(?:and|also)\s+", re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The asks of a question that asks two things ("..., and on which dataset ...?"), or that
    says which paper before it asks ("In the X study, which ...?"); a question that asks one
    thing is its only part."""
    text = strip_lead_in(question).text
    parts: list[str] = []
    # ("In the X paper, which ...? And in the Y study, how big ...?": each question its asks)
    for i, asked in enumerate(_SECOND_QUESTION.split(text)):
        asked = _AND.sub("", asked) if i else asked
        pre = _PREAMBLE.match(asked)
        lead = [pre.group(0)] if pre else []
        rest = asked[pre.end() :] if pre else asked
        asks = _PART.split(rest)
        if len(asks) > 1:  # "A, which B, and which C?": the list's earlier asks each their own
            asks = [*_LISTED_ASK.split(asks[0]), *asks[1:]]
        parts += [p.strip(" ,;:?") for p in [*lead, *asks]]
    parts = [p for p in parts if len(terms(p)) >= 1]
    return parts if len(parts) > 1 else [question]


# --- the answer slot -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    kind: SlotKind
    head: str = ""  # the asked-for words, for messages: "learning rate", "parameters"
    terms: tuple[str, ...] = ()  # stemmed terms, any of which marks the slot in a sentence
    change: bool = False  # "by how much": a difference (%, x, points, "from A to B") counts
    units: tuple[str, ...] = field(default=())  # extra unit words ("in GPU hours" -> hours)
    counted: bool = False  # "how many/much <noun>": the noun is the reader's word for the thing
    soft: bool = False  # preferred in the sentences quoted, never a reason to abstain
    given: str = ""  # text whose names are not new (a soft slot: the candidates' titles)
    many: bool = False  # "how many <noun>": a count of things, which no rate or ratio is
    each: bool = False  # "how many options does each question have": a count per item

    @property
    def checked(self) -> bool:
        return self.kind != "open"

    @property
    def asks_results(self) -> bool:
        """An open slot that only prefers a sentence reporting an outcome (_RESULTS_Q)."""
        return self.kind == "open" and self.head == "results"

    @property
    def asks_outcome(self) -> bool:
        """An open slot that prefers an outcome: a result (_RESULTS_Q), a finding (_FINDINGS_Q)
        or a relation (_RELATION_Q)."""
        return self.kind == "open" and self.head in ("results", "findings", "relation")


# words that name a measured quantity: "what <metric>" asks for a number
_METRIC = (
    r"percentage|percent|rates?|score|scores|accuracy|f1|bleu|rouge|fid|perplexity|sizes?|number"
    r"|lengths?|frequenc(?:y|ies)"
    r"|counts?|fractions?|proportions?|ratios?|speed-?up|improvement|gain|reduction|decrease|increase"
    r"|cost|budget|error|loss|average|latency|throughput|margin|factor|auc|map|mrr|ndcg|recall"
    r"|precision|win\s+rate|success\s+rate|exact\s+match|agreement|kappa|correlation"
    # "what KL penalty coefficient": a number, named by what it weighs
    r"|coefficients?"
    # "what LoRA rank", "what R-squared": a number (not the verb of "which benchmark did it rank")
    r"|rank(?=\s+(?:was|is|were|did|does|do|of|for|used|chosen|set)\b|\s*[?,.]|$)|r-squared"
)
# accelerators by name, as abstracts give them ("on a V100", "NVIDIA A100s", "TPU v3")
_ACCELERATORS = tuple("a100 v100 h100 a6000 p100 k80 t4 rtx titan nvidia tpu".split())
# training details that abstracts rarely state; each is checked by its own words
_DETAILS: dict[str, tuple[str, ...]] = {
    # "optimizer", not the stem "optim" that "optimal action" shares
    "optimizer": ("optimizer", "optimiser", "adam", "adamw", "sgd", "adafactor", "lamb"),
    "learning rate": ("learn rate", "lr"),
    # the schedule's shape ("a linear warmup and cosine decay schedule"), no rate given
    "learning rate schedule": ("schedul", "warmup", "warm-up", "decay", "cosin", "anneal"),
    "batch size": ("batch",),
    "warmup": ("warmup", "warm-up"),
    "weight decay": ("decay",),
    "dropout": ("dropout",),
    "epochs": ("epoch",),
    "hyperparameters": ("hyperparamet", "hyper-paramet"),
    "random seeds": ("seed",),
    "hardware": ("gpu", "tpu", "a100", "v100", "h100", "hardwar"),
    # "which GPU model / GPU type": the accelerator named ("on a V100"), not a GPU mentioned
    # ("within the same GPU configuration"); "which GPUs / what kind of GPUs": or its kind
    # ("consumer GPUs")
    "accelerator model": _ACCELERATORS,
    "accelerator": (*_ACCELERATORS, "consumer"),
    # (a GPU's compute time: "3 hours of autonomous real-world experience" is no GPU hours)
    "gpu hours": ("gpu", "tpu", "a100", "v100", "h100"),
    "licence": ("licens", "licenc"),
    "authors": ("author",),
    # who wrote or paid for it: an abstract states neither
    "affiliation": ("universit", "institut", "affili", "laboratori", "lab"),
    "funding": ("funding", "funded", "grant", "sponsor"),
    # where or when it was published: an abstract is the paper's own text and says neither
    "venue": ("venu", "conferenc", "journal", "workshop", "proceed"),
}
# details that are a number: "fine-tuned on consumer GPUs" gives no GPU hours
_COUNTED_DETAILS = frozenset({"gpu hours"})
# only when the wh-phrase asks for it ("which optimizer", "what peak learning rate"), not when
# the detail is the topic ("which corpora were used to study re-warming the learning rate") or
# the subject ("What do the authors call the dip ...?")
_DETAIL_RE = re.compile(
    # ("which the authors pitched as ...": a relative clause, no wh-phrase)
    r"\b(?:which|what)\s+(?!the\b)(?:(?!(?:do|does|did|is|are|was|were|has|have|had)\b)[\w-]+\s+)"
    r"{0,2}?(?:and\s+)?"  # "what DPO beta and learning rate": the second of two details asked
    r"(?P<d>optimi[sz]er|learning[- ]rate(?:\s+schedules?)?|batch[- ]size"
    r"|warm-?up|weight[- ]decay|dropout|epochs?|hyper-?parameters?|random\s+seeds?|hardware"
    r"|(?:gpu|tpu)[- ]hours?|licen[cs]e|authors|universit(?:y|ies)|labs?|laborator(?:y|ies)"
    r"|institutions?|affiliations?|funding|grants?|venues?|conferences?|journals?|workshops?)\b"
    # ("what hardware/tasks did they evaluate on": either is an answer, so no detail is required)
    r"(?!\s*/\s*(?!optimi|learning|batch|warm|weight|dropout|epoch|hyper|gpu|tpu)\w)"
    # ... unless it describes a paper: "what do the learning-rate re-warming study and ..."
    r"(?![\s-]+(?:[\w-]+\s+){0,2}?(?:study|paper|work|article|method|approach)\b)"
    # "Who are the authors of ...", "who wrote ...", "where was ... published"
    r"|\bwho\s+(?:are|were)\s+(?:the\s+)?(?P<a>authors)\b|\bwho\s+(?:wrote|authored)\b"
    r"|\bwhere\s+(?:was|were|is|are)\s+(?:[\w-]+\s+){1,8}?(?P<v>published|presented)\b"
    # "how many (A100 / TPU or) GPU hours": compute, not any hours ("3 hours of real-world
    # experience"); "what GPU type", "which GPUs", "what kind of GPUs": the accelerator
    r"|\bhow\s+many\s+(?:[\w-]+\s+){0,2}?(?P<g>(?:gpu|tpu)[- ](?:hours?|days?))\b"
    r"|\b(?:which|what)\s+(?:(?:kind|type|sort)s?\s+of\s+)?(?P<h>(?:gpu|tpu|accelerator)s?)\b"
    r"(?![\s-]*(?:hours?|days?|configurations?|budgets?|costs?)\b)",
    re.IGNORECASE,
)
_DETAIL_KEY = {
    "optimiser": "optimizer",
    "learning-rate": "learning rate",
    "learning-rate schedule": "learning rate schedule",
    "learning rate schedules": "learning rate schedule",
    "learning-rate schedules": "learning rate schedule",
    "batch-size": "batch size",
    "warm-up": "warmup",
    "weight-decay": "weight decay",
    "epoch": "epochs",
    "hyperparameter": "hyperparameters",
    "hyper-parameters": "hyperparameters",
    "hyper-parameter": "hyperparameters",
    "random seed": "random seeds",
    "gpu hour": "gpu hours",
    "gpu-hours": "gpu hours",
    "tpu hours": "gpu hours",
    "tpu-hours": "gpu hours",
    "tpu hour": "gpu hours",
    "gpu days": "gpu hours",
    "gpu-days": "gpu hours",
    "gpu day": "gpu hours",
    "tpu days": "gpu hours",
    "tpu-days": "gpu hours",
    "license": "licence",
    "university": "affiliation",
    "universities": "affiliation",
    "lab": "affiliation",
    "labs": "affiliation",
    "laboratory": "affiliation",
    "laboratories": "affiliation",
    "institution": "affiliation",
    "institutions": "affiliation",
    "affiliations": "affiliation",
    "grant": "funding",
    "grants": "funding",
    "conference": "venue",
    "conferences": "venue",
    "journal": "venue",
    "journals": "venue",
    "workshop": "venue",
    "workshops": "venue",
    "venues": "venue",
    "published": "venue",
    "presented": "venue",
}
_NAMED = (
    r"model|models|dataset|datasets|benchmark|benchmarks|corpus|corpora|robot|robots|arm"
    r"|architecture|tokenizer|simulator|library|toolkit|environment|environments|backbone"
    r"|llm|llms|language\s+model|base\s+model|policies|policy|algorithm|languages|family"
    r"|website|websites|platform|platforms|game|games|classifier|classifiers|encoder|encoders"
    r"|hospital|hospitals|institution|institutions|university|universities|company|companies"
    r"|checkpoint|checkpoints"
)
_NAME_Q = re.compile(
    # ("... differ in what the policy is conditioned on": an embedded clause, no name asked)
    # ("what does the model behave like": after "do" or a modal the noun is the subject)
    rf"\b(?:(?:which|what)\s+(?!the\s|(?:do|does|did|can|could|will|would|should|might|may)\s)"
    # ("which fact-checking and answer-selection benchmarks": two kinds joined)
    rf"(?:[\w-]+\s+){{0,2}}?(?:(?:and|or)\s+[\w-]+\s+)?(?P<a>{_NAMED})\b(?!-)"
    # (not "which model-growth baselines")
    r"|what(?:\s+(?:is|was|are|were)|['\u2019]s)\s+"
    # ("What are the two new Maltese language models called, and how do they differ?": the
    # kind before "called" is the kind named)
    rf"(?:it|they|this|that|the\s+(?:[\w/-]+\s+){{0,5}}?(?:(?P<d>{_NAMED})|[\w/-]+))\s+called"
    # ("What are the two models trained on the new corpus for Maltese called?": a longer
    # description, "called" ending the question)
    rf"|^\s*what\s+(?:is|was|are|were)\s+the\s+(?:[\w-]+\s+){{0,2}}?(?P<c>{_NAMED})\b"
    r"(?:\s+[\w/-]+){1,10}?\s+called\s*\??\s*$"
    rf"|what\s+(?:are|were|is|was)\s+the\s+names?\s+of\s+(?:the\s+)?(?:[\w-]+\s+){{0,3}}?(?P<b>{_NAMED})\b)",
    re.IGNORECASE,
)
# "which text generation tasks were used": tasks are as often described ("question answering
# and summarisation") as named ("IMDB and CommonGen"), so a sentence naming one is preferred
# but one that names none is no reason to abstain (Slot.soft)
_PAPER_WORD = re.compile(r"\b(?:papers?|works?|studies|articles)\b", re.IGNORECASE)
# "Where did the unpadded BERT rank first?", "where were they tested?": the benchmark, testbed
# or robot a paper is evaluated on, by name where the abstract gives one (preferred, not needed:
# "on real robots" answers as well)
_WHERE_EVALUATED = re.compile(
    r"\bwhere\s+(?:did|does|do|was|were|is|are|has|have)\b[^?]*?\b(?:rank|evaluat|test|validat"
    r"|benchmark|deploy|demonstrat|ran\b|run\b|place|top)",
    re.IGNORECASE,
)
_SOFT_NAME_Q = re.compile(
    # "which baselines": named ones preferred ("StackBERT and MSLT"), as often described
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?P<a>tasks?|applications?|domains?|baselines?)\b"
    # "what pretraining objective did UL2 propose": "Mixture-of-Denoisers (MoD), a pre-training
    # objective that ..." rather than "a unified framework for pre-training models"
    # (of one paper: "what method do they propose" asks each of several papers for its own)
    r"|\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?P<o>objective|loss|method|technique|framework)"
    r"(?=\s+(?:does|did|is|was|has)\s+(?!(?:they|each|both|these|those)\b))"
    # "what are its two variants called": as often a coined phrase ("language motions") as a name
    r"|\bwhat\s+(?:is|was|are|were)\s+(?:its|their|these|those)\s+[\w-]+(?:\s+[\w-]+){0,2}\s+called"
    # "What are the two pretraining tasks URLBERT proposes?": the things counted (`_LISTED`)
    r"|\bwhat\s+(?:are|were)\s+(?:the|its|their)\s+(?:two|three|four|five)\s+(?:[\w-]+\s+){0,2}?"
    r"(?P<l>[a-z][\w-]*[a-rt-z]s)\b",
    re.IGNORECASE,
)
_LISTED = re.compile(
    # ("What two pretraining tasks does URLBERT add?": the count right after the wh-word)
    r"\b(?:what|which)\s+(?:(?:are|were)\s+(?:the|its|their)\s+)?(?P<k>two|three|four|five)\s",
    re.IGNORECASE,
)
# "Which Chinese social media sites, such as Weibo, ...?", "Which exact multilingual transformer
# (XLM-R or mBERT) ...?", "Which African language ..., for example Swahili or Yoruba?": the
# reader's examples of the answer are names, so a name is asked for
_WHICH_NOUN = re.compile(
    # ("On which specific robot platforms (e.g. WidowX, Franka) was V-GPS evaluated?")
    r"^\s*(?:(?:on|in|for|with|from|by|at|to)\s+)?(?:which|what)\s+(?P<np>(?:[\w-]+\s+){0,4}?[\w-]+)(?=\s*[,(]|\s+(?:is|are|was|were|do|does"
    r"|did|has|have|had|can|could)\b|\s+\w+ed\b)",
    re.IGNORECASE,
)
# the words that offer an example, and an article after them
_EXAMPLE_CUE = r"\b(?:such\s+as|for\s+example|for\s+instance|e\.g\.,?|like)\s+(?:an?\s+|the\s+)?"
_OFFERED = re.compile(
    rf"{_EXAMPLE_CUE}(?-i:[A-Z][\w.+-]*[A-Za-z0-9])"
    # ("multilingual transformer (XLM-R or mBERT)": alternatives; "(MCL)" names the method)
    r"|\((?-i:[A-Z])[^()]*?\b(?:or|and)\b[^()]*\)",
    re.IGNORECASE,
)


# the reader's example answers, which name no paper asked about: ", for example PPO or SAC,",
# " (XLM-R or mBERT)", ", such as Weibo,"
_OFFERED_SPAN = re.compile(
    rf",?\s*{_EXAMPLE_CUE}"
    r"(?-i:[A-Z])[^,;:?()]*(?:,\s*(?:or\s+|and\s+)?(?-i:[A-Z])[^,;:?()]*)*"
    r"|\s*\((?:(?:e\.g\.|for\s+example|for\s+instance|such\s+as),?\s*)?(?:an?\s+|the\s+)?"
    r"(?-i:[A-Z])[^()]*\)",
    re.IGNORECASE,
)


def without_offered(question: str) -> str:
    """The question without the example answers it offers after the asked noun ("Which RL
    algorithm, for example PPO or SAC, trains the agent in RELIEF?" asks about RELIEF, not
    about the paper that names PPO); unchanged when it offers none."""
    m = _WHICH_NOUN.search(question)
    if not m or not _OFFERED.search(question, m.end()):
        return question
    return question[: m.end()] + _OFFERED_SPAN.sub("", question[m.end() :])


# "What are the names of the five protein tasks in TAPE?": what is otherwise as often described
# (`_SOFT_NAME_Q`), asked for by its names
_NAMES_OF = re.compile(
    r"\bnames?\s+of\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?P<h>tasks|applications|domains|baselines)\b",
    re.IGNORECASE,
)
# "what results do they report", "how well does it work": a sentence reporting an outcome
# (_OUTCOME) is preferred among each paper's quotes; an open slot, so no gate asks for one
_RESULTS_Q = re.compile(
    r"\b(?:(?<!art\s)results?|how\s+well|how\s+effective(?:ly)?|outcomes?|findings?"
    r"|how\s+(?:do|does|did)\s+(?:it|they|each|both|the\s+\w+)\s+perform"
    r"|what\s+(?:do|does|did)\s+(?:it|they|each|both|the\s+\w+)\s+(?:report|find|achieve|show))\b",
    re.IGNORECASE,
)
# what a sentence reporting a result holds: a measured number (a percentage, a factor, a
# decimal score; not a count, "two tasks", nor a model's size in its name, "mistral-7b") or an
# outcome verb ("competes with BERTurk", "outperforms both")
_OUTCOME = re.compile(
    r"(?<![\w.-])\d+(?:\.\d+)?\s*(?:%|x\b|×|-fold|points?\b)|(?<![\w.-])\d+\.\d+(?![\w.])"
    r"|\b(?:outperform|surpass|beat|improv|exceed|match|compet|achiev|reach|gain)\w*",
    re.IGNORECASE,
)
# "what setup did it end up recommending?", "what does each conclude?": a finding, which the
# abstract states as one ("We find that ...", "our results suggest ...", "should")
_ADVISED = r"(?:recommend|advis|advocat|conclu(?:de|sion))\w*"
_FINDINGS_Q = re.compile(rf"\b(?:what|which)\b[^?;]*?\b{_ADVISED}", re.IGNORECASE)
_FINDING_CUES = (
    r"\bwe\s+(?:also\s+|further\s+)?"
    r"(?:find|found|show|observe|conclude|recommend|suggest|demonstrate)\b",
    r"\b(?:results|findings|experiments|analys[ie]s)\s+(?:also\s+)?"
    r"(?:show|indicate|suggest|demonstrate|reveal|confirm)",
    r"\brecommend\w*|\bshould\b",
)  # fmt: skip
_FINDING = re.compile("|".join(_FINDING_CUES), re.IGNORECASE)
# "How does each relate the learned behaviour to Bayesian estimation?", "which estimator does it
# behave like?", "what is it equivalent to?": the answer is where the abstract likens its finding to
# a known one (_RELATION: "can be viewed as an efficient implementation of Bayesian posterior
# sampling", "its behavior aligns with that of ridge regression"). Its noun ("which classical
# method") would take any sentence that names a method: on the 182 tune questions it changes, key
# facts 63 up, none down (docs/ANSWERING.md, thirty-eighth round)
_RELATION_Q = re.compile(
    r"\b(?:relat(?:e|es|ing)|connect(?:s|ing)?)\b[^?.;]{0,80}?\bto\b"
    r"|\b(?:linked|tied|connected)\s+to\b"
    r"|\b(?:behav(?:e|es|ed|ing)|act(?:s|ing)?)\s+like\b|\bequivalent\s+to\b"
    r"|\b(?:viewed|seen|interpreted|understood)\s+as\b|\bcorrespond(?:s|ing)?\s+to\b",
    re.IGNORECASE,
)
_RELATION = re.compile(
    r"\b(?:viewed|seen|interpreted|understood|regarded|thought\s+of)\s+as\b"
    r"|\b(?:behav(?:e|es|ed|ing)|acts?)\s+like\b|\baligns?\s+with\b|\bequivalen(?:t|ce)\b"
    r"|\bcorrespond(?:s|ing)?\s+to\b|\breduces?\s+to\b|\bimplementation\s+of\b"
    r"|\b(?:akin|analogous)\s+to\b|\bamounts?\s+to\b|\bspecial\s+case\s+of\b",
    re.IGNORECASE,
)
# "which method does it beat?": the answer names the rival next to a comparative ("better
# performance than DT"); soft, since a rival may be described rather than named
_RIVAL_Q = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,4}?(?:does|do|did)\b[^?,;]*?\b(?:beat|outperform"
    r"|surpass|improve\s+(?:on|over|upon))\b",
    re.IGNORECASE,
)
_RIVAL_WORDS = ("outperform", "better", "surpass", "beat", "exceed", "than", "compar", "baselin")
# what the answer may call the asked-for thing ("which two datasets" -> "two MRC tasks, ...")
_GROUPS = (
    ("corpus", "corpora", "dataset", "data", "collect", "benchmark", "task", "suit"),
    ("model", "llm", "lm", "network", "backbon", "architectur", "transform", "encod", "famili"),
    ("robot", "arm", "platform", "embodi"),
    ("polici", "agent", "control"),
    ("simul", "environ", "platform", "testb", "suit", "benchmark", "game"),
    ("game", "play"),  # "people playing Minecraft" names the game
    ("dataset", "data", "benchmark", "experi"),  # "we conduct experiments on ImageNet-1K"
    ("corpus", "corpora", "data", "dataset", "sourc"),  # "training sources (C4, RefinedWeb)"
    ("languag",),
    ("applic", "domain", "environ", "platform"),
    # "what kind of classifier": "a fastText-based scorer" (data selection and filtering)
    tuple(terms("classifier scorer rater filter detector")),
    # "what baseline does each compare against": "competes with BERTurk", "outperforms mBERT"
    tuple(dict.fromkeys(terms("baseline compared competes outperforms surpasses beats"))),
)
_NAME_SYNONYMS = {
    w: tuple(sorted({x for g in _GROUPS if w in g for x in g})) for g in _GROUPS for w in g
}
_HOW_ADJ = re.compile(
    r"\bhow\s+(?P<adj>many|few|much|long|large|big|fast|quickly|often|far|small|high|low"
    r"|accurate(?:ly)?)\b"
    r"(?:\s+(?P<rest>[\w%'\u2019^-]+(?:,?\s+[\w%'\u2019^-]+){0,4}))?",
    re.IGNORECASE,
)
_BY_HOW = re.compile(
    # "by how many F1 points": a difference in points (or in %, as abstracts also give them)
    r"\bby\s+(?:how\s+many\s+(?:[\w-]+\s+){0,2}?(?P<pts>points?)\b|how\s+(?:much|many)"
    r"|what\s+(?P<what>factor|percentage|percent|margin|amount))",
    re.IGNORECASE,
)
_BY_UNITS = {
    "percentage": ("%", "percent"),
    "percent": ("%", "percent"),
    "factor": ("x", "time", "fold"),
    "points": ("point", "pp", "%"),
}
# greedy modifiers: the rightmost metric word of the wh-phrase is the asked one
# ("what average success rate" -> success rate, "what GLUE average" -> average of GLUE)
# "what fraction of the budget": the share is asked, of the budget (not the budget's size)
_SHARE = r"(?:fraction|proportion|percentage|percent|share|portion|ratio)"
_ASKED_PAPER = r"(?:papers?|works?|stud(?:y|ies)|methods?|approach(?:es)?|systems?|frameworks?)"
_WHAT_METRIC = re.compile(
    # not a relative clause's "which" ("the scorer, which keeps data whose loss predicts ...")
    rf"\b(?:what|(?<!,\s)which)\s+(?:is\s+|was\s+|are\s+|were\s+)?(?:the\s+|its\s+|their\s+)?"
    # "URLBERT's latency"; not across "fraction of" or a relative pronoun, nor after the paper
    # asked for ("which paper scores sim2real policies by ...": the verb), nor across "the name
    # of" ("What's the name of the score that ranks ...": a name)
    rf"(?P<mods>(?:(?!{_SHARE}\s+of\s|(?:whose|that|which|who)\b|{_ASKED_PAPER}\s|names?\s+of\s)"
    r"[\w^.'\u2019-]+\s+){0,3})"
    rf"(?P<metric>{_METRIC})\b",
    re.IGNORECASE,
)
_VALUE_OF = re.compile(
    r"\b(?:what|which)\s+(?:(?:is|was|are|were)\s+)?(?:the\s+)?values?\s+of\s+(?P<x>[\w-]+)",
    re.IGNORECASE,
)
# "What are the fitted exponent values in the D-CPT Law?": the exponent's numbers (not a value
# function, model or head)
_VALUES = re.compile(
    r"\b(?:what|which)\s+(?:are|were|is|was)\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+)?"
    r"(?P<x>(?!(?:human|moral|ethical|social|cultural|core|shared|personal)\b)[a-z][\w-]+)\s+"
    r"values?\b(?!\s+(?:functions?|models?|heads?|networks?|estimat))",
    re.IGNORECASE,
)
_WHICH_PAPER = re.compile(
    r"(?:papers?|works?|stud(?:y|ies)|articles?|methods?|approach(?:es)?)\s+[a-z]+\s+"
    r"(?:a|an|new|its\s+own)\s",
    re.IGNORECASE,
)
_AUX_LED = re.compile(r"^\s*(?:did|does|do|will|would|can|could)\s", re.IGNORECASE)
# "what frame rate", "what control rate": a frequency ("mouse and keyboard at 20Hz")
# a metric's modifiers that say which of its values is asked, not what is measured
_SAYS_WHICH = frozenset(terms("exact final absolute headline main key reported overall"))
_FREQUENCY_MODS = frozenset(terms("frame control sampling refresh update decision action"))
_CALLED = re.compile(r"\s+(?:called|named|termed|known\s+as)\b", re.IGNORECASE)
_COUNT_OF = re.compile(r"\s+of\s+(?P<rest>[\w%-]+(?:\s+[\w%-]+){0,4})", re.IGNORECASE)
# metrics that say nothing by themselves: the modifier names the quantity ("SuperGLUE score")
_GENERIC_METRICS = frozenset(
    "score scores rate average number count size improvement gain reduction decrease increase"
    " margin factor cost budget error loss coefficient coefficients".split()
)
# "what (compute / training) cost or budget": any cost answers it
_BUDGET_WORDS = frozenset(terms("cost budget compute training"))
# "how much did training it cost": the verb asks for a cost, not for an amount of change
_COST_VERB = re.compile(r"(?:(?:did|does|do|would|will)\s+(?:[\w^.'-]+\s+){0,4}?)?cost\b", re.I)
_COST_WORDS = tuple(t for w in ("cost", "budget", "price", "dollars", "usd") for t in terms(w))
_PERCENT_METRICS = frozenset({"accuracy", "success rate", "win rate", "agreement", "f1"})
# metrics that state themselves next to a percentage ("7.2% on F1", "85% accuracy")
_PERCENT_OWNERS = tuple(
    t
    for w in ("f1", "bleu", "rouge", "accuracy", "agreement", "auc", "mrr", "ndcg", "recall")
    + ("precision", "kappa", "correlation", "perplexity", "success", "win")
    for t in terms(w)
)
_UNIT = re.compile(
    r"\bin\s+(?:(?:gpu|tpu)[- ])?(?P<unit>hours|days|weeks|months|minutes|seconds|tokens|words"
    r"|documents|parameters|samples|examples|steps|epochs|gb|tb|percent|points)\b",
    re.IGNORECASE,
)
# "how many MCTS expansions per step": a rate, stated only next to its unit; a paper that never
# says what is counted does not answer it with any number it gives (rag.questions.unworded)
_PER_UNIT = re.compile(
    r"\bper\s+(?P<unit>step|iteration|episode|batch|gpu|second|token|sample|example|query"
    r"|document|update|epoch|node|day|hour)s?\b",
    re.IGNORECASE,
)
# "how much did it cost in dollars", "how much money": a price, which a budget or cost states
# ("at a budget of just 187 and 800 each"); a sentence with other numbers does not answer it
_MONEY = re.compile(
    r"\b(?:in|how\s+many|what\s+amount\s+of)\s+(?:us\s+)?(?:dollars|usd|euros)\b"
    r"|\bhow\s+much\s+money\b|\bdollar\s+(?:cost|amount|figure|price)\b",
    re.IGNORECASE,
)
_MONEY_UNITS = ("dollar", "usd", "budget", "cost", "price")
_SIZE_UNITS = ("paramet", "token", "gb", "tb", "size", "sampl", "exampl", "document", "word")
# what a collection of data is counted in, when the sized thing is one ("how big is the corpus
# behind Chinese MentalBERT": "3.36 million text entries"); not a vocabulary's or a model's size
_DATA = frozenset(terms("corpus corpora dataset datasets data database collection"))
_DATA_UNITS = ("entri", "record", "instanc", "item", "sentenc", "imag", "databas", "dataset")
# a benchmark or a dataset of examples counts its questions, pairs, problems ... ("a new dataset
# comprised of 53,000+ multiple choice questions"), and a benchmark its tasks
_EXAMPLES_SIZED = frozenset(terms("benchmark benchmarks dataset datasets suite"))
_EXAMPLE_UNITS = (
    *("question", "pair", "problem", "demonstr", "video", "trajectori", "dialogu", "post"),
)
# what is sized in its own word, next to which its size is given ("a 50k vocabulary"); a
# number of tokens or URLs near it sizes the corpus ("a URL tokenizer trained on billions of URLs")
_OWN_SIZE = {t: w for w in ("vocabulary",) for t in terms(w)}
# "introduced a new dataset, and how large is it": "it" is the data collection said before
_SIZED_IT = re.compile(r"^(?:is|was|are|were)\s+(?:it|they)\b", re.IGNORECASE)
# unit words implied by "how long / large / fast ..." when the question names none
_TIME_UNITS = ("hour", "day", "week", "month", "year", "minut", "second")
_ACCURACY_UNITS = ("%", "point", "accuraci", "score")  # "how accurate(ly)"
_ADJ_UNITS: dict[str, tuple[str, ...]] = {
    "long": (*_TIME_UNITS, "step", "epoch", "token"),
    "fast": ("hour", "minut", "second", "day", "x", "time", "faster", "speed"),
    "quickly": ("hour", "minut", "second", "day", "x", "time", "faster", "speed"),
    "large": _SIZE_UNITS,
    "big": _SIZE_UNITS,
    "small": ("paramet", "token", "gb", "size", "sampl"),
    "often": ("time", "everi", "per"),
    "far": ("%", "point", "x", "time"),
    "high": ("%", "point", "score", "accuraci", "rate"),
    "low": ("%", "point", "score", "error", "rate"),
    "accurate": _ACCURACY_UNITS,
    "accurately": _ACCURACY_UNITS,
}
# "the size of the seed dataset": what is sized
_SIZE_OF = re.compile(r"\s+of\s+(?P<n>(?:[\w^-]+\s+){0,3}[\w^-]+)", re.IGNORECASE)
# (or a paper's own: "how big is MedS^3's seed dataset")
_SIZED = re.compile(
    r"(?:is|was|are|were)\s+(?:the|their|its|this|that|\S+['\u2019]s)\s+(?P<n>.+)", re.IGNORECASE
)
# where the counted noun of "how many/much <noun> ..." ends: an auxiliary, or a verb ("how much
# compute went into", "how many parameters get fine-tuned"); participles in -ed end it too
_HEAD_STOP = frozenset(
    {"do", "does", "did", "was", "were", "is", "are", "have", "has", "had", "can", "could", "will"}
    | set(IRREGULAR_VERBS)  # went, got, took, made ...
    | {"goes"}
    | {
        v + s
        for v in ("get", "go", "take", "make", "need", "come", "remain", "exist", "appear", "use",
                  "contain", "require", "include", "fit", "cover", "end")
        for s in ("", "s")
    }
)  # fmt: skip
# "what did the average score go from and to?", "from what to what": a before and an after
_FROM_TO = re.compile(
    r"\bgo(?:es|ne)?\s+from\b|\bfrom\s+(?:and|what)\s+to\b|\bfrom\s+[\w.%-]+\s+to\s+what\b",
    re.IGNORECASE,
)
_CHANGE_VERBS = re.compile(
    r"\b(?:improv|rais|boost|increas|reduc|cut|lower|decreas|gain|outperform|beat|speed|save|"
    r"drop|shrink|accelerat|fewer|less|more)\w*",
    re.IGNORECASE,
)
# "how much practice did it need before improving on a new task": a change verb in a clause of
# its own (after "before", "to", "for" ...) is not what the question asks the size of
_CLAUSE_CHANGE = re.compile(
    r"\b(?:(?:before|after|when|while|until)(?:\s+(?:it|they|he|she|we|the\s+\w+))?"
    r"|to|for|without|of)\s+" + _CHANGE_VERBS.pattern,
    re.IGNORECASE,
)


def _asks_change(question: str) -> bool:
    """Whether a change verb is the question's own ("how much did X improve")."""
    return len(_CHANGE_VERBS.findall(question)) > len(_CLAUSE_CHANGE.findall(question))


def _head_of(words: str) -> str:
    """The counted noun of "how many <words>": the last word before a stop word or a participle."""
    head = ""
    comma = False
    for w in re.findall(r"[\w%-]+|[^\w\s]", words):
        lw = w.lower()
        if w == "," and head and not comma:  # "how many single-language, tokenizer-free models"
            comma = True  # (but "how many parameters, roughly, ...": an adverb ends it)
            continue
        if comma and lw.endswith("ly"):
            break
        if not w[0].isalnum() or lw in STOPWORDS or lw in _HEAD_STOP:
            break
        if head and lw.endswith("ed") and not lw.endswith("eed"):  # "fine-tuned", not "seed"
            break
        if head and lw in _MEASURE_ADJ:  # "how many tokens long is the cooldown": tokens
            break
        head = w
    return head


_MEASURE_ADJ = frozenset("long large big wide deep high tall old".split())


# what an amount of data is counted in
_DATA_AMOUNTS = tuple(
    dict.fromkeys(terms("tokens demonstrations examples episodes trajectories documents samples"))
)
# units one count is given in under any of their names: a robot's recorded episodes are its
# demonstrations or trajectories
_COUNTED_ALIKE = (
    tuple(terms("episode demonstration demo trajectory")),
    # "how much compute do they save": "a 2.5x reduction in pre-training FLOPs"
    tuple(dict.fromkeys(terms("compute FLOPs cost"))),
)


def _head_terms(word: str, rest: str = "") -> tuple[str, ...]:
    """The slot's own term: stemmed, with an acronym's plural dropped ("GPUs" -> "gpu"). With
    the `rest` of the question it came from, also the head offered as its alternative ("how
    much real-world data or time": a number of hours answers too)."""
    alt = re.match(rf".*?\b{re.escape(word)}\s+or\s+(?P<alt>.+)", rest) if word and rest else None
    if len(word) > 2 and word[:-1].isupper() and word.endswith("s"):
        word = word[:-1]
    own = tuple(terms(word))[:1]
    if own == ("time",):  # "how much time": "within 3 hours" (as "how long")
        own += _TIME_UNITS
    if own == ("set",):  # "how many evaluation sets": "eleven evaluation datasets"
        own += ("dataset",)
    if own == ("data",):  # "how much data": "970k robot demonstrations", "30B tokens"
        own += _DATA_AMOUNTS
    for alike in _COUNTED_ALIKE:  # "how many robot episodes": "970k robot demonstrations"
        if own and own[0] in alike:
            own += tuple(t for t in alike if t not in own)
    other = _head_of(alt.group("alt")) if alt else ""
    return own + tuple(t for t in _head_terms(other) if t not in own) if other else own


# --- questions asked of several papers ------------------------------------------------------------
# "what baseline did each beat", "do both outperform X": asked of each paper on its own
ASKS_EACH = re.compile(r"\b(?:each|both|respectively|either)\b", re.IGNORECASE)
# a question asked of several papers, which an answer must each quote ("what do A and the
# stability-gap paper each recommend", "how do they differ")
ASKS_SEVERAL = re.compile(
    # ("Do PCP and the study of X agree on whether ...?": each paper's own finding)
    r"\b(?:each|both|respectively|differ\w*|difference|compar\w*|contrast\w*|versus|vs\.?"
    r"|(?:dis)?agree[sd]?)\b",
    re.IGNORECASE,
)
# "the two ad-hoc retrieval papers", "three papers ...: one ..., one ...", "between the paper
# arguing X and the one that Y": the answer quotes that many papers
_DESCRIBED_COUNT = re.compile(
    r"\b(?P<n>two|three|both|a\s+(?:couple|pair)\s+of)\s+(?:[\w/-]+\s+){0,5}?"
    r"(?:papers|works|studies|articles|methods|approaches|frameworks|surveys|reviews|overviews"
    r"|efforts|projects|systems|techniques)\b"
    r"|\bbetween\s+the\s+(?:paper|work|study|one)\b.+\band\s+the\s+(?:one|paper|work|study)\b"
    # "Learning-to-Modulate and the nearest-mean-classifier baseline paper", "the BLURB paper
    # and the Maltese one"
    r"|(?:(?-i:\b[\w-]*[A-Z][\w-]*[A-Z0-9][\w-]*)"
    r"|\bthe\s+(?:[\w/'-]+\s+){0,5}?(?:paper|work|study|approach|method))"
    r"\s+and\s+the\s+(?:[\w/'-]+\s+){0,5}?(?:paper|one|work|study|approach|method)\b",
    re.IGNORECASE,
)
_STANDS_FOR = re.compile(
    r"^\s*what\s+(?:does|do|did)\s+(?:the\s+)?[\w^.+-]+(?:\s+acronym|\s+name)?\s+stand\s+for\b"
    r"|^\s*what\s+is\s+(?:the\s+)?[\w^.+-]+\s+short\s+for\b",
    re.IGNORECASE,
)


_OVERVIEWS = ("surveys", "reviews", "overviews")


def described_together(question: str) -> str:
    """What "the two ad-hoc retrieval papers" says the papers are ("ad-hoc retrieval"); "" when
    the count comes with no words of its own ("the two papers")."""
    m = _DESCRIBED_COUNT.search(question)
    if m and m.group("n") and m.group(0).split()[-1].lower() in _OVERVIEWS:
        # "the two surveys of pretrained and foundation models": the noun says what they are
        return re.split(r"[,;:?]", question[m.start() :], maxsplit=1)[0].split(None, 1)[1]
    if not m or not m.group("n") or _DESCRIBED_ON.match(question, m.end()):
        return ""  # "the two methods for ad-hoc retrieval that ...": described further on
    _, colon, listed = question[m.end() :].split("?")[0].partition(":")
    if colon and not _ONE_ITEM.match(listed.strip()):
        # "Two ... papers mention X: the rewarming study and the scaling law" (but "Two
        # continual-pretraining studies: one about ..., the other about ..." says what they are)
        return ""
    words = m.group(0).split()[1:-1]  # without the count and the noun
    if words[:2] in (["couple", "of"], ["pair", "of"]):  # "a couple of"
        words = words[2:]
    if words[:1] and words[0].lower() == "of":  # "two of these papers" describes nothing
        return ""
    # "Two decision-making papers learn from videos that have no action labels. How does each
    # ...?": a first sentence says what they do, and that describes them too
    said = re.match(r"\s+([^.?!:;]{8,}?)\.\s+\S", question[m.end() :])
    # (not when it goes on to describe each: "- one about a performance dip, one about ...")
    each = said and re.search(r"\bone\b.*\b(?:one|another|the\s+other)\b", said.group(1), re.I)
    if said and not each and not question[: m.start()].strip():
        words.append(said.group(1))
    return " ".join(words)


# "Which papers pretrain BERT-style models for biomedical text, one arguing for training from
# scratch and one up-sampling a small Japanese medical corpus, and ...?": the papers asked for
# are the one each description fits, among those the shared words describe
_ONE_EACH = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:papers|works|studies|articles)\s+"
    r"(?P<what>[^,;:?]{8,}?)\s*[,;:(\u2013\u2014-]\s*(?:namely\s+|e\.g\.\s+)?one\s",
    re.IGNORECASE,
)
_ONE_ITEM = re.compile(r"^(?:one|another|the\s+other|a\s+third)\s", re.IGNORECASE)


def each_described(question: str) -> tuple[str, list[str]]:
    """For "Which papers X, one A and one B ...?": X and the descriptions "one A", "one B" (those
    that start "one", "another", "the other"); else ("", [])."""
    q = strip_lead_in(question).text
    m = _ONE_EACH.match(q)
    if not m:
        return "", []
    items = [d for d in descriptions(q) if _ONE_ITEM.match(d)]
    return (m.group("what").strip(), items) if len(items) >= 2 else ("", [])


def one_each(question: str) -> tuple[str, int]:
    """X and how many papers "Which papers X, one A and one B ...?" describes one by one."""
    what, items = each_described(question)
    return what, len(items)


_DESCRIBED_ON = re.compile(
    r"\s+(?:that|which|who|where|whose|for|on|in|with|from|of|about|by|using|to)\b", re.IGNORECASE
)


# "...: growing a big model from a smaller one, training with sparse weights, and using a small
# LM's soft labels. What savings do these three report?": the count after the descriptions
_THESE_COUNT = re.compile(
    r"\b(?:these|those)\s+(?P<n>two|three)\b(?=\s+(?:report|use|do|did|have|has|are|were|each"
    r"|propose|find|show|claim|achieve|reach|train|give|state)\b|\s*[?.,])",
    re.IGNORECASE,
)


def papers_described(question: str) -> int:
    """How many papers a question describes together (0 when it does not say)."""
    m = _DESCRIBED_COUNT.search(question)
    if not m and (these := _THESE_COUNT.search(question)):
        n = {"two": 2, "three": 3}[these.group("n").lower()]
        return n if len(descriptions(question)) == n else 0
    if not m:
        return 0
    n = re.sub(r"^a\s+(?:couple|pair)\s+of$", "two", (m.group("n") or "two").lower())
    return {"two": 2, "both": 2, "three": 3}.get(n, 0)


# what a description of one paper ends on: "the reset-free robot fine-tuning system and the
# semi-supervised language-instruction interface" (a writer's words for a paper's contribution)
_PAPER_NOUNS = (
    r"paper|one|work|study|article|method|model|approach|system|framework|interface|policy"
    r"|pipeline|technique|algorithm|agent|encoder|baseline|survey|selector|scorer|rater"
    r"|classifier|recipe|thesis|review|book|overview|tutorial|follow-up|successor|predecessor"
    r"|variant"
)
# where a question that describes several papers breaks into one description each: "Between
# the paper arguing X and the one that Y, ...", "Three papers ...: one scores ..., one trains
# ..., and one ...", "the US court-holdings one, the Turkish legal BERT and the EU/UK study"
_DESCRIPTION_BREAK = re.compile(
    r"[,;:?!()]|\.\s|\s[-\u2013\u2014]\s|\bbetween\b|\bversus\b|\bvs\.?"
    r"|\b(?:and\s+(?=(?:the|a|an|one|that)\s)|(?:with|to|from)\s+(?=(?:the|one|that|its)\s))"
    # ("... sampled from a classic unigram document model": what the paper uses, no paper)
    rf"(?=\w+\s+(?:[\w/-]+\s+){{0,6}}?(?:{_PAPER_NOUNS}|models|methods|systems|frameworks"
    r"|encoders)\b)"
    r"|\band\s+(?=one\b)"
    # "... and LOOK each propose": a name that ends the list
    r"|\band\s+(?=(?-i:[A-Z][\w-]*[A-Z][\w-]*)(?:\s+(?:each|both)\b|[,;?]|$))",
    re.IGNORECASE,
)
# a clause that asks (rather than describes) or names the whole group ("the legal papers")
_ASK_START = re.compile(
    # "across how many tasks was the latter evaluated": an ask after its preposition
    r"^(?:(?:across|along|over|on|in|into|for|at|from|under|with|by|to)\s+(?=(?:what|which|how)\s))?"
    r"(?:what|which|how|where|when|who|why|does|do|did|is|are|can|could|would|should|give|i|"
    r"tell|list|name|summari[sz]e|compare|contrast)\b",
    re.IGNORECASE,
)
_GROUP = re.compile(
    r"\b(?:papers|works|studies|articles|ones|each|both|they|them)\b"
    # "the two papers", "built two datasets", not "into four directions"
    r"|(?<!\binto\s)(?<!\bin\s)(?<!\bon\s)(?<!\bto\s)(?<!\bby\s)(?<!\bof\s)(?<!\bfor\s)"
    r"(?<!\bwith\s)(?<!\bover\s)(?<!\bacross\s)\b(?:two|three|four)\b",
    re.I,
)
_ONE_PAPER = re.compile(rf"^the\s+.+\s(?:{_PAPER_NOUNS})$", re.I)
# "What does the later one change compared with the earlier one?": a place in an order the
# question set up elsewhere ("Two papers design ..."), no description of a paper
_BY_POSITION = re.compile(
    r"^(?:the\s+)?(?:(?:former|latter)\b|(?:later|earlier|first|second|third|last|newer|older"
    r"|other)\s+(?:one|paper|work|study)\b)",
    re.IGNORECASE,
)
# "For the two representative-words methods, ... the original one, ... the follow-up": after
# a count, these are places in that order too (without one, "the follow-up retrieval work
# that ..." describes its paper)
_BY_POSITION_COUNTED = re.compile(
    r"^(?:the\s+)?(?:follow-?up|(?:original|previous)\s+(?:one|paper|work|study))\b",
    re.IGNORECASE,
)
# "Compare the savings claimed by the fastText-based selector and by the Data Manager that ..."
# "... saved by the method that X, and by the approach that Y?", "saved by growing X, compared
# with training Y?": the second "by" or the comparing words start the other paper's description
# "How long is the cooldown phase ..., in tokens or as a share of training?": how the answer
# is to be put, no paper
_UNITS = re.compile(r"^(?:in|as|at|on|by|per)\s+(?!(?:the|a|an|this|that|its|their)\b)", re.I)
_BY_PAIR = re.compile(
    r"\bby\s+(?P<a>(?:the\s+|[a-z]+ing\s+)[^,;?]+?),?\s+(?:and\s+by\s+"
    r"|(?:compared\s+(?:with|to)|as\s+opposed\s+to|versus|vs\.?)\s+(?:by\s+)?"
    r"(?=[a-z]+ing\s|the\s))(?P<b>[a-z][^,;?.]+)",
    re.IGNORECASE,
)
# "...: one organises recent breakthroughs into four directions, the other spans text, image and
# graph data": a list inside the second description is no third paper
_ONE_OTHER = re.compile(
    # ("There's a paper showing ..., and another about ...")
    # ("I recall a paper that ... and another that ...")
    r"(?:^|[:;,.]\s*|\bthere(?:'s|\s+is)\s+|\bI(?:'m|\s+am)?\s+(?:recall|remember|read|saw|know\s+of"
    r"|came\s+across|thinking\s+of|looking\s+(?:at|for))\s+)"
    # ("a reset-free robot fine-tuning system that ...": a few words before the paper's noun)
    r"(?P<a>(?:one|an?\s+(?:[\w-]+\s+){0,4}?(?:paper|study|work|system|method|model|approach"
    # ("One RL paper keeps ...; another studies ...": a semicolon between them as a comma)
    r"|framework|technique))\s+[^;:?]+?)[,;]?\s+"
    r"(?:and|while|whereas)?\s*"
    r"(?P<b>(?:the\s+other|another)\s+[^;:?.]+)",
    re.IGNORECASE,
)
_ASKS_OF = re.compile(
    # "up to what model size did the checkpoint study go", "by how much does X improve"
    r"^\s*(?:(?:(?:up\s+)?(?:to|on|in|for|by|with|at|from|of)\s+)?(?:what|how|which)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:do|does|did)\s+|both\s+"
    # "How were the Stack Overflow BERT models and the cybersecurity model each evaluated?"
    # "How large are the A and the B", "How big is the A, and which model does the B ...?"
    r"|how\s+(?:(?:large|big|many|much|long|old|good|fast)\s+)?(?:is|are|was|were)\s+(?=the\s)"
    # "How many questions are in the holdings dataset"
    r"|how\s+many\s+(?:[\w-]+\s+){1,2}?(?:is|are|was|were)\s+(?:there\s+)?(?:in|on)\s+(?=the\s)"
    # "Compare the biomedical BERT paper that ... with the one that ...": the paper compared
    r"|(?:compare|contrast)\s+(?:how\s+|what\s+)?(?=the\s))",
    re.IGNORECASE,
)
_EACH_AFTER = re.compile(r"\s+(?:each|both)\b.*$", re.IGNORECASE)
# "How do the LLM-based quality rater and the loss-predictiveness data selector compare ...?":
# two descriptions joined by "and", before the verb that sets them side by side
_PAIR = re.compile(
    r"^\s*how\s+(?:do|does|did)\s+(?P<a>the\s+[^,;?]+?)\s+and\s+(?P<b>(?:the|its)\s+[^,;?]+?)\s+"
    r"(?:compare|differ|contrast)\b",
    re.IGNORECASE,
)

# "What strategies do the stability-gap paper and the rewarming study recommend ...?": two
# descriptions that each end in a paper noun, before the verb the question asks with
_PAIR_ASKED = re.compile(
    r"^\s*(?:what|how|which)\s+(?:[\w-]+\s+){0,3}?(?:do|did)\s+"
    rf"(?P<a>the\s+[^,;?]+?\s(?:{_PAPER_NOUNS})s?)\s+and\s+(?P<b>the\s+[^,;?]+?\s(?:{_PAPER_NOUNS})s?)"
    r"\s+(?!(?:that|which|who|whose|where|on|of|for|in|with|by|from|about|to|and|or|each|both)\b)"
    r"(?![\w-]+(?:ing|ed)\b)[a-z]+\b",
    re.IGNORECASE,
)

_ORDINAL = re.compile(r"^(?:the\s+)?(?:first|second|third|fourth|last|former|latter)\b", re.I)
_IN_ORDINAL = re.compile(
    r"\b(?:in|of|for|by|from)\s+the\s+(?:first|second|third|fourth|last|former|latter)"
    r"(?:\s+(?:one|paper|work|study))?$",
    re.IGNORECASE,
)
_UNFINISHED = re.compile(r"\b(?:a|an|the|new)$", re.IGNORECASE)  # ("stands for" is finished)
# "... speed up training compared with the padded baseline?": what a result is measured
# against, inside the paper asked about, is no second paper described
_AGAINST_BASELINE = re.compile(
    r"\b(?:compared\s+(?:with|to)|relative\s+to|against|over|than)\s+(?:the|a|an|its)\s+"
    r"(?:[\w-]+\s+){0,4}?baselines?\b",
    re.IGNORECASE,
)
_NOT_A_PAPER = re.compile(r"^(?:no|not|without|those|these|it)\s", re.IGNORECASE)  # ("it cover")
# "first the one that mixes ..., then the knowledge-enhanced one": the order the papers are
# given in, no part of either description
_IN_SEQUENCE = re.compile(
    r"^(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|then|next|finally|lastly|last)\s*,?\s+"
    r"(?=(?:the|its|a|an)\s)",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"^(?:using|via|relying\s+on|based\s+on)\s", re.IGNORECASE)
# ... unless the description before starts with a verb in -ing too: "growing a small BERT into a
# large one, using a small LM to give soft labels, and training sparse then dense" lists three
_GERUND_ITEM = re.compile(r"^[a-z]{3,}ing\s", re.IGNORECASE)

# "the pretrained models built for cybersecurity text and for web addresses", "the works
# applying pretrained models to legislation retrieval and to legal text classification": a
# plural head shared by two phrases that repeat its preposition, one paper each
# ("What models were trained for the Q&A site domain and for the security-threat text domain",
# "the models for cybersecurity text, for web addresses and for StackOverflow posts": three)
_SHARED_HEAD = re.compile(
    r"(?:\bthe\s+|^(?:what|which)\s+(?=(?:[\w/-]+\s+){0,2}?(?:papers|works|studies|models"
    r"|methods|systems|approaches|ones)\s+(?:(?:is|are|was|were)\s+)?[a-z]+ed\s))"
    r"(?P<head>(?:[\w/-]+\s+){0,8}?(?:papers|works|studies|models"
    r"|methods|systems|approaches|ones)\b[^,;?]*?\s(?P<p>for|to|on|in|of|with|about))\s+"
    r"(?P<a>[^,;?]+?),?\s+(?:(?P=p)\s+(?P<c>[^,;?]+?),?\s+)?"
    r"(?:and|or)\s+(?P=p)\s+(?P<b>[^,;?]+?)(?=\s*(?:[,;?]|$))",
    re.IGNORECASE,
)
# "Which corpora appear in the rewarming study and in the MeCo paper?": a preposition repeated
# before two definite descriptions, one of them a paper's ("the gains from prompt-based continued
# pretraining and from the multi-perspective course learning variant": the first without "the")
_PREP_PAIR = re.compile(
    r"\b(?P<p>in|for|by|from|of|on|with)\s+(?P<a>[^,;?]+?),?\s+and\s+(?P=p)\s+"
    r"(?P<b>the\s+[^,;?]+?)(?=\s*(?:[,;?]|$))",
    re.IGNORECASE,
)
# "How do the metadata-conditioning method and the LLM-based data manager use ...": two
# definite descriptions joined by "and", where a clause starts with the first
_THE_AND_THE = re.compile(r"\s+and\s+(?=the\s)", re.IGNORECASE)
# "I'm comparing the StackOverflow-specific BERT models with the cybersecurity BERT."
_COMPARING = re.compile(
    r"\b(?:compar(?:e|ing)|contrast(?:ing)?)\s+(?P<a>the\s+[^,;:?.]+?)\s+(?:with|to|against)\s+"
    r"(?P<b>the\s+[^,;:?.]+)",
    re.IGNORECASE,
)
# a heading before a colon that is no question ("MeCo and the pretrainer's guide: how ...?")
_HEADING = re.compile(r"^((?!\s*(?:what|which|how|why|who|where|when)\b)[^:?]{5,200}):\s", re.I)
_LEAD_PREP = re.compile(r"^(?:for|in|between|regarding|about|of|on)\s+(?=the\s)", re.IGNORECASE)
# "What do the course learning (MCL) paper and ...": an abbreviation in brackets is part of the
# description, no break
_ENUMERATOR = re.compile(r"(?<![\w)])\((?:[1-9]|i{1,3}|iv|[a-e])\)(?=\s)")
_BRACKETED = re.compile(r"\s\(([\w/-]{1,15})\)(?=[\s,.;:?!]|$)")
# "the (re)warming study": the bracketed prefix as a hyphenated one, as the title's "(re)warm"
# is read ("re", "warm")
_PREFIX = re.compile(r"\((\w{1,4})\)(?=\w)")
# "Which benchmarks are used to score the paper arguing for X": the paper the ask is about
_ASKED_ABOUT = re.compile(
    # ("the contrastive+adversarial URL pretraining paper": a "+" joins two words of one)
    rf"\b(?:the|a)\s+(?:(?!(?:the|a|an|in|of|on|for|and)\s)[\w/+-]+\s+){{0,4}}?"
    rf"(?:(?:{_PAPER_NOUNS})\s+(?=(?:that|which|who|whose|where|[a-z]+ing|on|about|for|from|with"
    r"|in|of|by)\b)|(?:paper|study|work|article|thesis)$).*$",
    re.IGNORECASE,
)


# "... and how many weights were tuned", "... and what did it use": a second ask begins (not
# "when and how transformers learn": no count and no verb of asking follows)
_NEXT_ASK = re.compile(
    r"\s+and\s+(?=how\s+(?:many|much)\s|(?:how|what|which|where|when|who|why)\b(?:\s+[\w-]+){0,4}?"
    r"\s+(?:is|are|was|were|did|does|do|has|have|had|can)\b)",
    re.IGNORECASE,
)
_EXAMPLE_ASIDE = re.compile(
    r",\s*(?:e\.g\.|i\.e\.|for example|for instance)[^,?;:]*,"
    # ("Which robot arms (for example WidowX or Franka) were ... run on?")
    r"|\(\s*(?:e\.g\.|i\.e\.|for example|for instance|such as)[^()]*\)",
    re.IGNORECASE,
)


# a quoted span: a title or a name the reader quotes ("Don't" inside it is no closing quote)
QUOTED = re.compile(r"(?<!\w)(['\"\u2018\u201c])(?=\S).+?(?<=\S)['\"\u2019\u201d](?!\w)")


def descriptions(question: str) -> list[str]:
    """The clauses of a question that each describe one paper ("the one that up-samples a small
    medical corpus"), in order; the clauses that ask, or speak of the papers as a group, are
    left out. Empty unless at least two are found."""
    # "Which toxicity classifier, e.g. Perspective API, did ... use?": an example, no paper
    q = _EXAMPLE_ASIDE.sub(" ", strip_lead_in(question).text)
    q = _AGAINST_BASELINE.sub(" ", q)
    # ("the 'Don't Stop Pretraining?' prompt-based paper": a quoted title's "?" breaks nothing)
    q = QUOTED.sub(lambda m: re.sub(r"[,;:?!()]", " ", m.group(0)), q)
    # "(1) the stability gap one, (2) the rewarming one": the numbers only count the items
    q = _ENUMERATOR.sub(" ", q)
    q = _PREFIX.sub(r"\1-", _BRACKETED.sub(r" \1", q))
    m = _PAIR.match(q) or _BY_PAIR.search(q) or _COMPARING.search(q)
    if m and all(len(terms(m.group(g))) >= 2 for g in "ab"):
        return [m.group("a").strip(), m.group("b").strip()]
    m = _ONE_OTHER.search(q)  # "one organises ... into four directions, the other spans text,
    if m and all(len(terms(m.group(g))) >= 2 for g in "ab"):  # image and graph data"
        return [m.group("a").strip(), m.group("b").strip()]
    m = _PAIR_ASKED.match(q)  # "the rewarming study": its paper noun makes one word enough
    if m and all(terms(m.group(g)) for g in "ab"):
        return [m.group("a").strip(), m.group("b").strip()]
    m = _SHARED_HEAD.search(q)
    if m and (
        all(len(terms(m.group(g))) >= 2 for g in "ab")
        or (all(terms(m.group(g)) for g in "ab") and len(terms(m.group("head"))) >= 2)
    ):
        head = "the " + re.sub(r"\s(?:is|are|was|were)\s", " ", m.group("head"))
        return [f"{head} {m.group(g).strip()}" for g in "acb" if m.group(g)]
    m = _PREP_PAIR.search(q)
    if (
        m
        and all(terms(m.group(g)) for g in "ab")
        and any(_ONE_PAPER.match(m.group(g)) or _DEFINITE.match(m.group(g)) for g in "ab")
        # (an "a" without "the" only before a "b" that describes a paper: not "on GLUE and on
        # the SQuAD benchmark")
        and (
            m.group("a").lower().startswith("the ")
            or bool(_ONE_PAPER.match(m.group("b")) or _DEFINITE.match(m.group("b")))
        )
    ):
        a = m.group("a").strip()  # (as definite as the description it stands beside)
        return [a if a.lower().startswith("the ") else f"the {a}", m.group("b").strip()]
    counted = bool(_DESCRIBED_COUNT.search(q))
    out: list[str] = []
    pieces: list[str] = []
    heading = _HEADING.match(q)
    for clause in _DESCRIPTION_BREAK.split(q):
        c = _EACH_AFTER.sub("", _ASKS_OF.sub("", clause.strip(" .'\"")))
        c = re.sub(r"^\s*(?:and|or|but|with)\s+", "", c)
        # "For the A and the B: what ...": the pair after a preposition that heads the question;
        # "MeCo and the pretrainer's guide: how much ...": a heading that lists the papers
        if _LEAD_PREP.sub("", c).lower().startswith("the ") or (
            heading and clause.strip() == heading.group(1).strip()
        ):
            pieces += _THE_AND_THE.split(clause)
        else:
            pieces.append(clause)
    for k, clause in enumerate(pieces):
        c = re.sub(r"^\s*(?:and|or|but|with)\s+", "", clause.strip(" .'\""))
        # "What do the self-distillation paper", "Both the study that X": the description
        # after the asking words; "the position-prediction paper and LOOK each propose": before
        # the words that take the papers together
        asked = c != (c := _ASKS_OF.sub("", c))
        c = _IN_SEQUENCE.sub("", c)
        c = _EACH_AFTER.sub("", c).strip()
        if _ASK_START.match(c) and (about := _ASKED_ABOUT.search(c)):
            c = about.group(0)
        elif _ASK_START.match(c) and (item := _FIRST_ITEM.search(c)) and _next_is_item(pieces, k):
            c = item.group(0)  # "What tasks evaluate the cybersecurity BERT, the SO BERT and"
        # "how big were the models and how many weights were tuned": asks, one after the
        # other, of the paper described before them
        if asked and _NEXT_ASK.search(c):
            continue
        short = bool(_ONE_PAPER.match(c))  # "the rewarming study", "the protein one"
        if not c or _ASK_START.match(c) or _grouped(c) or len(terms(c)) < 2 - short:
            continue
        if _BY_POSITION.match(c) or _UNITS.match(c):
            continue
        if counted and _BY_POSITION_COUNTED.match(c):
            continue
        # "what kind of feedback does the second learn from", "the compute budget in the third":
        # an ask of a paper by its place in the order
        if (asked and _ORDINAL.match(c)) or _IN_ORDINAL.search(c):
            continue
        # "The protein embedding benchmark and the nearest-mean baseline: how many tasks does
        # the benchmark contain": an ask of a paper by a word of its description, no new one
        if asked and _repeats_one(c, out):
            continue
        # "Two papers use small language models ...: one ..., one .... How big are the small
        # models?": a plural the question said before is the papers' things taken together
        if asked and _said_before(c, q[: q.find(clause)]):
            continue
        if out and (
            (_CONTINUES.match(c) and not _GERUND_ITEM.match(out[-1])) or _UNFINISHED.search(out[-1])
        ):
            # "..., using a vision-language model as the reward detector", "to a new, unlabeled
            # kind of data": the same paper, said further
            out[-1] = f"{out[-1]} {c}"
            continue
        if _NOT_A_PAPER.match(c):  # "(between) those rules and its own answers", "(with) no
            continue  # ranked comparisons": what a paper uses or leaves out, no paper
        out.append(_LEAD_PREP.sub("", c))
    return out if len(out) >= 2 else []


# the last words of an asking clause that a comma list of papers goes on from ("... used to
# evaluate the cybersecurity BERT, the StackOverflow BERT and the URL model")
_FIRST_ITEM = re.compile(
    r"\bthe\s+(?!(?:[\w-]+\s+){0,3}?(?:of|in|on|for)\s)(?:[\w-]+\s+){0,3}[\w-]+$", re.I
)


def _next_is_item(pieces: list[str], k: int) -> bool:
    """Whether the piece after `pieces[k]` is another "the ..." item of a comma list."""
    return k + 1 < len(pieces) and bool(re.match(r"\s*the\s", pieces[k + 1], re.IGNORECASE))


_THE_WORD = re.compile(r"^the\s+([\w-]+)\b", re.IGNORECASE)
_THE_PLURAL = re.compile(r"^(?:the|their)\s+(?:[\w-]+\s+){0,2}[a-z][\w-]*[a-rt-z]s$")


def _said_before(clause: str, before: str) -> bool:
    """`clause` is a plural ("the small models") all of whose words the question said before."""
    words = set(terms(clause))
    return bool(_THE_PLURAL.match(clause.strip())) and bool(words) and words <= set(terms(before))


def _repeats_one(clause: str, earlier: list[str]) -> str:
    """The one earlier description whose word "the W ..." repeats ("the benchmark" of "The
    protein embedding benchmark"), else ""."""
    m = _THE_WORD.match(clause.strip())
    if not m or not terms(m.group(1)):
        return ""
    word = re.compile(rf"(?<![\w-]){re.escape(m.group(1))}(?![\w-])", re.IGNORECASE)
    hits = [d for d in earlier if word.search(d)]
    return hits[0] if len(hits) == 1 else ""


def referred_description(part: str, question: str) -> str:
    """The description of `question` that an ask `part` refers to by one of its words ("how many
    tasks does the benchmark contain" -> "The protein embedding benchmark"), else ""."""
    head, _, ask = part.rpartition(":")
    # ("Three papers ...: a benchmark of case holdings, ... . How many questions are in the
    # holdings dataset": the ask is the sentence after the descriptions)
    ask = re.split(r"(?<=[.!?])\s+(?=[A-Z])", ask.strip())[-1]
    if len(found := descriptions(question)) < 2:  # (one of several papers, or none)
        return ""
    # "First, the domain-adapted model for security text: on how many tasks was it compared?"
    if (head := _IN_SEQUENCE.sub("", head.strip(" ,.?"))) in found:
        return head
    rest = _ASKS_OF.sub("", ask, count=1)  # (a description the ask itself holds is its own)
    return _repeats_one(rest, [d for d in found if d not in ask]) if rest != ask else ""


# a description's "them" is its own object ("cooling down without them", "running them on
# hardware", "tracing them from BERT to ChatGPT"), not the papers taken together ("they" is)
_THEM = re.compile(r"\bthem\b", re.IGNORECASE)


# "the one that studies re-warming", "the model that works on URLs": the verbs, no group
_AS_VERB = re.compile(r"\b(?:that|which|who)\s+(?:studies|works)\b", re.IGNORECASE)


def _grouped(clause: str) -> bool:
    """The clause speaks of the papers as a group ("the two papers", "both", "they")."""
    return bool(_GROUP.search(_THEM.sub(" ", _AS_VERB.sub(" ", clause))))


# "I'm looking at two domain-specific BERTs, CySecBERT and URLBERT": a count of papers said
# before a comma, their names after it
_COUNTED_HEADING = re.compile(
    r"[^:?,.]{0,80}\b(?:two|three|four)\s+(?:[\w-]+\s+){0,3}[\w-]+s\s*,(?=\s*\S)", re.I
)


def group_heading(question: str) -> int:
    """Where a heading that speaks of the papers as a group ends ("Two papers on lower-resource
    languages: first AfroLM, second the Maltese BERT paper"), 0 if there is none: its words
    say what the list is about, not which paper comes first."""
    m = re.match(r"[^:?]{0,120}:", question) or _COUNTED_HEADING.match(question)
    return m.end() if m and _GROUP.search(m.group(0)) else 0


# "For pretrained graph neural networks, one paper uses an RL agent ..., another tries to tell
# ...": the field the descriptions share, said once before them
_SHARED_FIELD = re.compile(
    r"^\s*(?:for|in|on|about|among|regarding|within)\s+(?P<f>[^,:;?]{3,80}?)\s*[,:]\s*"
    r"(?=(?:one|the|a|an)\s)",
    re.IGNORECASE,
)


def shared_field(question: str) -> str:
    """The words a question says of all the papers it goes on to describe one by one ("pretrained
    graph neural networks"), "" if it says none."""
    m = _SHARED_FIELD.match(strip_lead_in(question).text)
    return m.group("f") if m and len(terms(m.group("f"))) >= 2 else ""


def describes_several(question: str) -> bool:
    """The question describes two or more papers each by a definite description ("What did the
    nearest-class-mean baseline score, and how did the work on modulating frozen RL models
    fare?"), without a word that takes them together."""
    found = descriptions(question)
    # ("A web agent trained ..., and a suite of RL algorithms ...: which environment does the
    # first use, and ...?": papers the asks then point at by their places)
    return sum(_definite(d) for d in found) >= 2 or (len(found) >= 2 and _BY_PLACE.search(question))


# an ask of one of the papers described before by its place ("does the second evaluate on")
_BY_PLACE = re.compile(r"\bthe\s+(?:first|second|third|former|latter)\b(?!\s+time)", re.I)


def _definite(description: str) -> bool:
    # a name stands for its paper as a definite description does ("What problems do Dichotomy of
    # Control and the non-dominated policies approach to robust RL address ...?")
    # "the studies ..., one on bandits and one on linear regression": each "one ..." is a paper
    return (
        bool(_DEFINITE.match(description))
        # ("its bootstrapped successor that uses BERT": the paper that follows the one before)
        or (description.lower().startswith(("the ", "its ")) and len(terms(description)) >= 3)
        or bool(_NAMED_ITEM.match(description))
        or bool(_OWN_NAME.search(description))  # "Metadata conditioning MeCo"
        # a quoted title ("'Don't Stop Pretraining? Make ...'"), its closing quote stripped
        or (description[:1] in "'\"\u2018\u201c" and len(terms(description)) >= 2)
        or (bool(_ONE_OF_THEM.match(description)) and len(terms(description)) >= 2)
    )


_OWN_NAME = re.compile(r"(?-i:\b[A-Z][a-z]*[A-Z][\w-]*)")  # MeCo, OpenVLA, B-PROP
_ONE_OF_THEM = re.compile(r"^(?:one|the\s+other|another|a\s+(?:paper|study|work))\s", re.I)


_NAMED_ITEM = re.compile(r"^(?:[A-Z][\w^.+-]*)(?:\s+(?:of|for|and|[A-Z0-9][\w^.+-]*)){0,5}$")


# "the work on modulating frozen RL models", "the simple nearest-class-mean baseline", "the
# token-swapping thesis": a description that names what it describes as a paper's work, or says
# enough of it ("the acronym stand for" describes none)
_DEFINITE = re.compile(rf"^the\s.*\b(?:{_PAPER_NOUNS})s?\b", re.IGNORECASE)
# "how much does the function-preserving initialization approach save": a paper described in an
# ask's own words
DESCRIBED_IN = re.compile(
    rf"\bthe\s+(?:[\w-]+\s+){{1,5}}?(?:{_PAPER_NOUNS})\b"
    rf"|\bthe\s+(?:{_PAPER_NOUNS})\s+(?:that|which|who|whose)\b",  # "the method that separates"
    re.IGNORECASE,
)


# where a long question's parts meet: punctuation, "and", and relative words
_CLAUSE_BREAK = re.compile(r"[,;:?.!]|\b(?:and|while|where|which|that)\b", re.IGNORECASE)


def clauses(question: str) -> list[str]:
    """The parts of a question with three or more content words ("If you initialise a large
    encoder from a checkpoint half its size" / "how much pretraining compute can you save" /
    "I'm thinking of the function-preserving model-growth paper"); one part for a plain question."""
    out = [c.strip() for c in _CLAUSE_BREAK.split(question) if len(terms(c)) >= 3]
    return out if len(out) >= 2 else []


def asks_expansion(question: str) -> bool:
    """ "What does BLURB stand for?", "What is TAPE short for?" """
    return bool(_STANDS_FOR.match(question))


# words that exclude what follows them: "without the usual RLHF stage", "other than English"
# ("without relying on standard RLHF": three words may come between)
_NEGATION = re.compile(
    r"\b(?:(?:without|instead\s+of|other\s+than|rather\s+than|except(?:\s+for)?|excluding"
    r"|apart\s+from)\s+(?:[\w-]+\s+){0,3}|(?:not|no)\s+(?:[\w-]+\s+){0,2})$",
    re.IGNORECASE,
)


def negated(question: str, name: str) -> bool:
    """`question` names `name` only to exclude it (within three words after "without", "other
    than", "instead of" ..., two after "not" or "no")."""
    m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question)
    return bool(m and _NEGATION.search(question[: m.start()]))


def likened(question: str, name: str) -> bool:
    """`question` uses `name` only to liken something to it ("YouTube-style game footage",
    "GPT-like models"): the papers need not name it."""
    rx = rf"(?<![\w-]){re.escape(name)}-(?:style|like|esque|inspired|type|flavou?red)\b"
    return re.search(rx, question, re.IGNORECASE) is not None


def asked_sentence(question: str) -> str:
    """The one sentence of a question that asks (ends with "?"), when the others only describe
    ("another varies how many regression problems a transformer sees" asks for no number); the
    whole question when it asks in more than one sentence or in none (the abstracts' splitter:
    "(e.g. Ego4D)" ends no sentence)."""
    parts = split_sentences(question.strip())
    asked = [p for p in parts if p.rstrip().endswith("?")]
    return asked[0] if len(parts) > 1 and len(asked) == 1 else question


# "in the study that varies how many tasks are in the mix, what does it match?": a "how" clause
# that a verb embeds describes the paper; the question asks with the wh-word after it
_EMBEDDED_HOW = re.compile(
    r"\b(?:var(?:y|ies|ied|ying)|measur(?:e|es|ed|ing)|stud(?:y|ies|ied|ying)|examin(?:e|es|ed|ing)"
    r"|analy[sz](?:e|es|ed|ing)|investigat(?:e|es|ed|ing)|track(?:s|ed|ing)?|control(?:s|led|ling)?"
    r"|chang(?:e|es|ed|ing)|explor(?:e|es|ed|ing)"
    # "what did they find about how much data you need": a finding asked, no number
    r"|(?:find|finds|found|say|says|said|conclude[sd]?|learn(?:s|ed|t)?|show(?:s|ed|n)?"
    r"|suggest(?:s|ed)?|report(?:s|ed)?)\s+about)\s+how\s+(?:many|much|long|large|big|often)"
    r"\b[^,;:?]*",
    re.IGNORECASE,
)
_ASKS = re.compile(r"\b(?:what|which|who|whom|where|when|how)\b", re.IGNORECASE)


def _without_embedded(question: str) -> str:
    """`question` without a verb's embedded "how" clause, when another wh-word asks."""
    out = _EMBEDDED_HOW.sub(" ", question)
    return out if out != question and _ASKS.search(out) else question


# "how many answer options does each question have", "tokens per document": a count per item of
# the data (not "each paper / model / method": the papers a question asks of)
_PER_ITEM = re.compile(
    r"\b(?:each|every|per|a\s+single)\s+"
    # ("how many tasks did each evaluate on": before a verb, "each" is each paper)
    r"(?!(?:evaluate|use|report|train|need|achieve|reach|propose|introduce|show|require"
    r"|release|rely|compare|measure|collect|employ|consider|cover|get|obtain)[sd]?\b)"
    r"(?!(?:of|one|paper|work|study|model|method|approach|system|framework|agent|policy|llm|lm"
    r"|author|team|group|variant|version|baseline)s?\b)[a-z]+\b",
    re.IGNORECASE,
)


# "what robot or how many tasks did each evaluate on": two asks either of which answers
_EITHER = re.compile(
    r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}?or\s+(?:how\s+(?:many|much|long)|what|which)\b",
    re.IGNORECASE,
)


def answer_slot(question: str) -> Slot:
    """The kind of answer the question asks for (see the module docstring)."""
    asked = asked_sentence(question)
    slot = _answer_slot(asked)
    if (
        slot.kind in ("quantity", "name")
        and _EITHER.search(asked)
        and not set(slot.terms) & _STRICT_HEADS
    ):
        # the one found need not be given when the other is: preferred, no reason to abstain
        slot = replace(slot, soft=True)
    if slot.counted and _PER_ITEM.search(asked):
        return replace(slot, each=True)
    return slot


# "param counts of the biggest UL2 and ERNIE models?", "size of the CaseHOLD dataset?": a
# question typed as the quantity's name asks what it is
_TERSE = re.compile(
    rf"^\s*(?:(?:and|also|the)\s+)?(?:[\w-]+\s+){{0,2}}?(?:{_METRIC}|param(?:eter)?\s+counts?)"
    r"\s+(?:of|for|in)\b",
    re.IGNORECASE,
)
# "What does the 1.6B model trained with metadata conditioning score on MMLU?": the score on the
# named benchmark, as "What MMLU score does ... get?" asks it
_SCORE_VERB = re.compile(
    r"^\W*(?:(?i:in|for)\s+[^,?]{2,60},\s*)?(?i:what\s+(?:does|did|do|would))\s+(?P<subject>.+?)"
    r"\s+score\s+(?:on|in)\s+"
    r"(?P<on>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,2}|[a-z][\w\s,-]{2,80}?)\s*\??\s*$"
)
_WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|how|where|when|why)\b", re.IGNORECASE)


def _answer_slot(asked: str) -> Slot:
    q = _without_embedded(asked)
    q = re.sub(r"\b(what|which|who|how)'s\b", r"\1 is", q, flags=re.IGNORECASE)
    if _TERSE.match(q) and not _WH_WORD.search(q):
        q = "What are the " + re.sub(r"\bparam\b", "parameter", q.strip(), flags=re.IGNORECASE)
    if m := _SCORE_VERB.match(q):  # "What does <a long subject> score on MMLU?"
        named = m["on"][:1].isupper()  # (a task in plain words is no benchmark's name)
        q = (
            f"What {m['on']} score does {m['subject']} get?"
            if named
            else f"What score does {m['subject']} get on {m['on']}?"
        )
    units = tuple(m.group("unit").lower() for m in _UNIT.finditer(q))
    units += tuple(t for m in _PER_UNIT.finditer(q) for t in terms(m.group("unit"))[:1])
    if _MONEY.search(q):
        return Slot("quantity", "cost", (), units=units + _MONEY_UNITS, counted=True)
    detail = _DETAIL_RE.search(q)
    if detail:
        found = detail.group("d") or detail.group("a") or detail.group("v")
        found = found or ("accelerator" if detail.group("h") else detail.group("g")) or "authors"
        if detail.group("h") and re.match(r"[\s-]+(?:models?|types?)\b", q[detail.end() :]):
            found = "accelerator model"  # "which GPU model": its name, not "consumer GPUs"
        key = " ".join(found.lower().split())
        key = _DETAIL_KEY.get(key, key)
        return Slot("detail", key, _DETAILS.get(key, tuple(terms(key))), units=units)
    m = _BY_HOW.search(q)
    if m:
        what = (m.group("what") or ("points" if m.group("pts") else "")).lower()
        return Slot("quantity", what or "difference", _BY_UNITS.get(what, ()), True, units)
    m = _HOW_ADJ.search(q)
    if m:
        adj = m.group("adj").lower()
        rest = m.group("rest") or ""
        if adj in ("many", "few"):  # "how few trajectories were enough": a count
            head = _head_of(rest)
            slot_terms = _head_terms(head, rest)
            if _LABELLED.match(rest):  # "how many labelled examples": said with the labels
                slot_terms = tuple(dict.fromkeys((*slot_terms, *_LABEL_TERMS)))
            return Slot(
                "quantity", head or "count", slot_terms, units=units, counted=True, many=True
            )
        if adj == "much" and _COST_VERB.match(rest):  # "how much did it cost, in GPU hours
            return Slot("quantity", "cost", _COST_WORDS, False, units)  # or dollars": a cost
        if adj == "much":
            head = _head_of(rest)
            change = _asks_change(q) or not head
            slot_terms = _head_terms(head, rest)
            return Slot("quantity", head or "amount", slot_terms, change, units, counted=True)
        # "how large was the court-decision corpus": a number next to "corpus" is its size
        subject = _SIZED.match(rest) if adj in ("large", "big", "small") else None
        # every word of the sized thing: "3.36 million text entries" sizes "the text collection"
        extra = tuple(dict.fromkeys(terms(subject.group("n")))) if subject else ()
        # ("how large is it" after "introduced a new dataset": the dataset)
        if not extra and adj in ("large", "big", "small") and _SIZED_IT.match(rest):
            extra = tuple(t for t in terms(q[: m.start()]) if t in _DATA | _EXAMPLES_SIZED)[-1:]
        if own := tuple(t for t in extra if t in _OWN_SIZE):  # "how large is the vocabulary":
            return Slot("quantity", f"{_OWN_SIZE[own[0]]} size", own, units=units)  # "32k vocab"
        sized_as = set(extra)
        if not units:  # ("in tokens or documents": those units only)
            if _DATA & sized_as:
                extra += _DATA_UNITS
            if _EXAMPLES_SIZED & sized_as:
                extra += _EXAMPLE_UNITS + (("task",) if "benchmark" in sized_as else ())
        # "how big were the gains": the size of a change, which a change states ("+3.6%")
        sized = (
            [w for w in subject.group("n").split() if w.lower() not in STOPWORDS] if subject else []
        )
        change = bool(sized and _CHANGE_VERBS.match(sized[0]))
        return Slot("quantity", f"how {adj}", _ADJ_UNITS.get(adj, ()) + extra, change, units)
    m = _VALUE_OF.search(q)
    if m:  # "what value of k does LOOK use": a number, whatever word stands next to it
        return Slot("quantity", f"value of {m.group('x')}", (), units=units)
    m = _VALUES.search(q)
    if m and (head := terms(m.group("x"))):  # "what are the fitted exponent values": numbers
        return Slot("quantity", f"{m.group('x')} values", tuple(head), units=units)
    m = _WHAT_METRIC.search(q)
    if m and _CALLED.match(q, m.end()):  # "what's their score called": its name, not a number
        m = None
    if m and _WHICH_PAPER.match(m.group("mods")):  # "which paper proposes a score for that":
        m = None  # a paper is asked for, and a metric it proposes, not a number
    if m and m.group("metric").lower() == "counts" and re.search(r"\b(?:or|and)\s", m["mods"]):
        m = None  # "which benchmarks or parameter counts do they mention": either answers
    if m:
        metric = " ".join(m.group("metric").lower().split())
        metric = {"sizes": "size", "counts": "count"}.get(metric, metric)
        mods = [w for w in m.group("mods").split() if w.lower() not in STOPWORDS]
        if metric in {"score", "scores"} and _AUX_LED.match(m["mods"]):
            mods = []  # "what did ERNIE 3.0 score on SuperGLUE": the verb; its subject names none
        # ("what's the headline size": which size, not a size of a headline)
        named = [t for w in mods for t in _head_terms(w) if t not in _SAYS_WHICH]
        of = _COUNT_OF.match(q, m.end()) if metric in {"number", "count", "amount"} else None
        if of and named and metric == "count":  # "the parameter counts of the SO models": of
            return Slot("quantity", f"{mods[-1]} count", tuple(named[-1:]), units=units)  # whose
        if of:  # "what is the (smallest) number of demos": as "how many demos"
            head = _head_of(of.group("rest"))
            return Slot("quantity", head or "count", _head_terms(head), units=units, counted=True)
        if metric in _GENERIC_METRICS:  # "what SuperGLUE score": the modifier names it
            slot_terms = tuple(named[-1:]) or tuple(terms(metric))
            if slot_terms and "-" in slot_terms[0]:  # "medical-task score": "medical task" too
                slot_terms += tuple(terms(slot_terms[0].rsplit("-", 1)[-1]))
        else:  # "what (ImageNet top-1) accuracy": the metric names itself
            slot_terms = tuple(terms(metric))
        if metric == "size" and set(named[-1:]) <= {"model"}:  # "what size", "model sizes":
            slot_terms += _ADJ_UNITS["large"]  # any size unit; "vocabulary size": that one
            # ("what was the size of the seed dataset": "around 8,000 instances")
            if (of := _SIZE_OF.match(q, m.end())) and _DATA & set(sized := terms(of["n"])):
                slot_terms += _DATA_UNITS + (_EXAMPLE_UNITS if _EXAMPLES_SIZED & set(sized) else ())
        if metric in {"score", "scores"} and not named:  # "what did it score": any metric
            slot_terms += (*_PERCENT_OWNERS, "%", "point")
        # "at what rate", "what control frequency": a frequency too ("at 20Hz")
        if (metric == "rate" and set(named) <= _FREQUENCY_MODS) or metric.startswith("frequenc"):
            slot_terms += ("hz", "fps", "per")
        if metric in {"cost", "budget"} and set(slot_terms) <= _BUDGET_WORDS:
            # "what did it cost", "what compute budget": "at a budget of just $187"
            slot_terms = _COST_WORDS + tuple(t for t in slot_terms if t not in _COST_WORDS)
        if metric in _PERCENT_METRICS:
            slot_terms += ("%",)
        if metric in {"percentage", "percent", "fraction", "proportion", "ratio", "factor"}:
            slot_terms = ("%", "percent", "x", "time", "fold")
        head = " ".join([*mods[-1:], metric]).strip()
        change = metric in {"improvement", "gain", "reduction", "decrease", "increase", "margin"}
        change = change or bool(_FROM_TO.search(q))  # "what did X go from and to?"
        return Slot("quantity", head, slot_terms, change, units)
    if _RIVAL_Q.search(q):
        return Slot("name", "what it is compared with", _RIVAL_WORDS, units=units, soft=True)
    if _RELATION_Q.search(q):
        return Slot("open", "relation", soft=True)
    m = _NAME_Q.search(q)
    if m and not _PAPER_WORD.search(m.group(0)):
        said = m.group("a") or m.group("b") or m.group("c") or m.group("d") or ""  # not "it"
        head = said.lower()  # (terms of the words as written: "LLMs" is "llm", "llms" is not)
        words = {t for w in terms(said) for t in _NAME_SYNONYMS.get(w, (w,))}
        return Slot("name", head or "name", tuple(sorted(words)), units=units)
    m = _NAMES_OF.search(q)
    if m:  # "the names of the five tasks": names, not a description of them
        return Slot("name", m.group("h").lower(), tuple(terms(m.group("h"))), units=units)
    m = _SOFT_NAME_Q.search(q)
    if m and not _PAPER_WORD.search(m.group(0)):
        head = (m.group("a") or m.group("o") or m.group("l") or "").lower()
        words = tuple(terms(head))
        if not head.startswith("task"):  # "in what application": "the WebShop environment"
            words = tuple(sorted({t for w in words for t in _NAME_SYNONYMS.get(w, (w,))}))
        return Slot("name", head or "name", words, units=units, soft=True)
    m = _WHICH_NOUN.search(q)
    if m and _OFFERED.search(q, m.end()) and not _PAPER_WORD.search(m["np"]):
        head = m["np"].split()[-1].lower()  # "Which social media sites, such as Weibo, ...?"
        words = {t for w in terms(head) for t in _NAME_SYNONYMS.get(w, (w,))}
        return Slot("name", head, tuple(sorted(words)), units=units)
    if _WHERE_EVALUATED.search(q):  # "where did it rank first": "in MLPerf Training v2.0"
        words = {t for w in ("benchmark", "environ", "robot") for t in _NAME_SYNONYMS[w]}
        return Slot("name", "benchmark", tuple(sorted(words)), units=units, soft=True)
    if _RESULTS_Q.search(q):
        return Slot("open", "results", soft=True)
    if _FINDINGS_Q.search(q):
        return Slot("open", "findings", soft=True)
    return Slot("open")


# "how many labelled examples / annotated documents were used to train the scorer": data
# labelled for training is a training detail, stated with its labels or annotations (three blind
# batches asked it of PreSelect, whose abstract gives only model sizes and token counts)
_LABELLED = re.compile(r"\s*(?:human[- ]|hand[- ]|manually\s+)?(?:labell?ed|annotated)\b", re.I)
_LABEL_TERMS = tuple(t for w in ("label", "annotated") for t in terms(w))
# counted things an abstract that leaves them out does not state under another word: the
# training details of near-miss questions ("how many GPUs", "how many epochs")
_STRICT_HEADS = frozenset(
    t
    for w in ("gpu", "tpu", "hour", "day", "week", "month", "minute", "second", "epoch", "step")
    + ("layer", "head", "annotator", "author", "seed", "run", "node", "core", "machine", "language")
    + ("parameter", "token", "dollar", "bit", "chip", "accelerator", "latency")
    # units of data and of procedure ("how many gigabytes / words / triples / rollouts", "how
    # many coders"): an abstract that never names the unit gives no number in it (fresh blind
    # batches, 2026-12-04: five near-miss unanswerables answered with another number)
    + ("byte", "gigabyte", "megabyte", "terabyte", "gb", "tb", "word", "triple", "rollout")
    + ("coder", "rater", "labeler", "labeller", "iteration", "episode", "trial", "piece")
    for t in terms(w)
) | frozenset(_LABEL_TERMS)  # (labelled data: `_LABELLED`)


def unworded(slot: Slot, text: str) -> Slot:
    """A quantity asked for under a word the answering paper never uses ("how much unattended
    practice" for its "3 hours of autonomous real-world experience", "how many items" for its
    "53,000+ multiple choice questions") cannot be found next to that word: any number the
    question does not already give fills it. Training details (GPUs, epochs, ...) stay strict:
    an abstract that does not name them does not state them."""
    if not slot.counted or slot.change or not slot.terms or slot.units or slot.each:
        return slot  # (a count per item is not the total under another word: "53,000+ questions")
    parts = {p for t in slot.terms for p in t.split("-")}
    if "%" in parts or parts & (_STRICT_HEADS | set(_PERCENT_OWNERS)):  # details and metrics
        return slot
    have = set(terms(text))
    if any(_has_word(w, have, text.lower()) for w in slot.terms):
        return slot
    return Slot("quantity", slot.head, (), counted=True, many=slot.many)


# --- does a sentence fill the slot ---------------------------------------------------------------
# "one" is left out ("on the one hand", "one of"), and so are enumerators "(1)"
_NUM = re.compile(
    # a number with its unit counts in parentheses too ("(14x) smaller"); a bare one there is
    # an enumeration or a year ("(1)", "(2023)")
    r"(?<![\w.])(?:\d+(?:[.,]\d+)*(?:\s*%|[kKMBT]\b|x\b|×)|\d+(?:\.\d+)?-fold)"
    r"|(?<![\w.(])\d+(?:[.,]\d+)*(?![\d)])"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundred|thousand|million|billion|dozens?|hundreds|thousands|millions"
    r"|billions|twice|half|double|triple|quadruple|\w+fold)\b"
    # ("reduces the rate of undesirable content by up to an order of magnitude")
    r"|\borders?\s+of\s+magnitude\b",
    re.IGNORECASE,
)
_RATE = re.compile(r"%|x$|×|-fold$|fold$", re.IGNORECASE)
_NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten|twelve|twenty"
_WORD = re.compile(r"[A-Z][a-z]+")
# "which specific / exact / particular model": asks for its name ("an existing Chinese language
# model" describes one); so does "which ten languages" (the count given)
_SPECIFIC_WORDS = r"specific|exact|particular|precise"
_SPECIFIC = re.compile(rf"\b(?:which|what)\s+(?:{_SPECIFIC_WORDS})\b", re.IGNORECASE)
_NAMES_ASKED = re.compile(
    rf"\b(?:which|what)\s+(?:{_SPECIFIC_WORDS}|individual|\d+|{_NUMBER_WORDS})\b", re.IGNORECASE
)
# an order of magnitude, no number: what a question asking for the exact figure is not told
_VAGUE = re.compile(r"dozens?|hundreds|thousands|millions|billions", re.IGNORECASE)
# "What absolute FID score did KIND reach?": a level, which a change of it does not give
_ABSOLUTE = re.compile(r"\babsolute\s+(?!(?:gain|improvement|increase|decrease|drop|change))", re.I)
_CHANGE_IN = re.compile(
    r"\b(?:decrease|reduction|improvement|increase|gain|drop|boost)s?\s+(?:in|of|on)\b", re.I
)
_EXACT = re.compile(
    r"\b(?:exactly|precisely|the\s+exact|an\s+exact|the\s+precise)\b", re.IGNORECASE
)
_IN_NAME = re.compile(r"[A-Za-z]-$")
# what an abstract counts of its own text and study, not of its data or results
_DISCOURSE = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:characteristics|challenges|experiments|settings|contributions|aspects"
    r"|findings|insights|parts|stages|questions|issues|problems|limitations|directions"
    r"|categories|perspectives|ways|components|properties|research\s+questions)\b",
    re.IGNORECASE,
)
_PERCENT_ASKED = re.compile(r"\bpercent(?:age)?\b|%|\bpp\b", re.IGNORECASE)
_PERCENT_CHANGE = re.compile(
    r"\d[\d.,]*\s*(?:%|percent(?:age)?\b|points?\b|pp\b)|\b(?:twice|half|double|triple)\b", re.I
)
_CHANGE_NUM = re.compile(
    r"\d(?:[\d.,]*)\s*(?:%|x\b|×|times|fold|points?|pp\b|percentage)|\bfrom\s+[\d.,]+%?\s+to\s+\d"
    r"|\d[\d.,]*\s+(?:[\w-]+\s+){0,3}?(?:decrease|reduction|improvement|increase|gain|drop|boost"
    r"|speed-?up|less|fewer|more)\b|\b(?:by|of)\s+(?:about\s+|around\s+|more\s+than\s+|up\s+to\s+)?\d"
    r"|\b(?:twice|half|double|triple|\w+fold|order\s+of\s+magnitude)\b"
    r"|\d[\d.,]*\s*(?:and|,)\s*[\d.,]+\s*%",
    re.IGNORECASE,
)


# words between the answer (a name, a number) and the asked-for noun: "WidowX robot",
# "970k real-world robot demonstrations", "the average medical task performance of the
# OpenLlama-3B model from 36.2% to 40.7%" (847 tune questions: 6 / 7 / 8 / 10 words -> 3 / 5 /
# 7 up at 7 / 8 / 10; 10 answered a near-miss unanswerable). A counted thing ("how many legal
# decisions") stays at 6: its number comes right before it ("3.5M decisions"), and at 7 "Legal
# Decisions), a new dataset comprised of over 53,000+" counted the questions as decisions; so does
# the metric that owns a percentage ("a gain of 7.2% on F1")
SLOT_WINDOW = 8
SLOT_WINDOW_COUNTED = 6
# a capitalised run is a name only with a word this rare in the collection ("Llama", "Maltese"),
# not "Large Language Models" or "Pre-Training"
NAME_IDF = 3.0


_TOOL_SUFFIX = r"i[sz](?:er|ers|ation|ations)\b"


def _has_word(w: str, st: set[str], low: str) -> bool:
    """A slot word in a sentence: as a term, as a unit right after a number ("3x", "45%"), or as
    a word prefix (stems like "paramet")."""
    tool, prefix, unit, whole = _word_patterns(w)
    if w in st:
        # ("a URL tokenizer on billions of URLs": "tokenizer" stems as "token", and a tokenizer
        # counts no tokens)
        return tool.search(low) is not None or not prefix.search(low)
    if w in ("%", "x", "hz"):
        return unit.search(low) is not None
    if len(w) <= 3:
        return whole.search(low) is not None
    return prefix.search(low) is not None


@lru_cache(maxsize=4096)
def _word_patterns(w: str) -> tuple[re.Pattern[str], ...]:
    """`_has_word`'s patterns for one slot word, compiled once (it runs for every token of every
    candidate sentence)."""
    e = re.escape(w)
    return (
        re.compile(rf"\b{e}(?!{_TOOL_SUFFIX})"),
        re.compile(rf"\b{e}"),
        re.compile(rf"\d\s*{e}(?![a-z])"),
        re.compile(rf"\b{e}\b"),
    )


# whole capitalised words inside a sentence, with their hyphenated and capitalised continuations
# ("Agent Q", "Mixture-of-Denoisers", "Value-Guided Policy Steering"); CamelCase is an entity
_CAPITAL = re.compile(r"(?<=[\w,;:)]\s)[A-Z][a-z]+(?:-[A-Za-z0-9]+)*(?:\s[A-Z][\w-]*)*(?![\w])")
_NOT_NAMES = frozenset(
    "We Our Our This These Those The In On For With However Moreover Finally Furthermore First"
    " Second Third Specifically Additionally Overall Unlike Compared Further Here Using Based"
    " Both Each Such It Its To".split()
)


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", text)).lower()


def _given(name: str, question: str) -> bool:
    """`name` is one the question already gives: verbatim, as its acronym, or spelled out."""
    q = question.lower()
    bare = name[:-1] if len(name) > 2 and name.endswith("s") and name[:-1].isupper() else name
    if mentioned(bare, q):
        return True
    letters = _initials(name)
    return len(letters) >= 2 and any(
        re.sub(r"[^a-z]", "", e.lower()) == letters for e in entities(question)
    )


# field-wide abbreviations that name no particular model, dataset or benchmark
GENERIC_NAMES = frozenset(
    "RL LLM LLMs LM LMs PLM PLMs NLP NLU NLG AI ML DL VLA VLAs VLM VLMs GPU GPUs TPU TPUs SOTA API"
    " APIs URL URLs IR QA NER CV MLP MLPs CNN CNNs RNN RNNs PEFT SFT RLHF ICL Internet English"
    # metrics: "What F1 score does the model for African languages get?" names no paper by F1
    " F1 BLEU ROUGE ROUGE-L AUC MRR NDCG nDCG mAP".split()
)


def names(
    sentence: str, idf: Callable[[str], float] | None = None, min_idf: float = NAME_IDF
) -> list[str]:
    """Name-like tokens: acronyms, CamelCase, versioned tokens, and capitalised words inside the
    sentence ("Maltese", "Continual-World"); field-wide abbreviations (RL, LLM) are no names,
    nor (given the collection's `idf`) capitalised runs of common words (no word `min_idf`)."""
    out = [e for e in entities(sentence) if not e[0].isdigit()]
    for m in _CAPITAL.finditer(sentence):
        run = m.group(0)
        if run in _NOT_NAMES:
            continue
        if idf is None or any(idf(t) >= min_idf for t in terms(run)):
            out.append(run)
    return [n for n in out if n not in GENERIC_NAMES]


def proper_name(sentence: str, idf: Callable[[str], float] | None = None) -> bool:
    """The sentence gives a name that is no short all-capitals abbreviation ("SlimPajama",
    "C4", "Mujoco"; not "CL" for the "Continual Learning" it spells out)."""
    return any(
        not (n.isupper() and len(n) <= 4) or any(c.isdigit() for c in n)
        for n in names(sentence, idf)
    )


# a web site's name: "wikipedia.org", "factquizmaster.com"; a name only when a site is asked for
# (not for "which corpora": MeCo's "prepending wikipedia.org" names no corpus)
_LOWER_CAMEL = re.compile(r"(?<![\w-])[a-z]+[A-Z][a-z]{2,}(?![\w])")
_SITE_ASKED = re.compile(r"site|url|domain|address|link", re.IGNORECASE)
_DOMAIN = re.compile(r"(?<![\w.@/-])[a-z0-9][\w-]*\.(?:com|org|net|io|ai|edu|gov)(?![\w.-])")


# "Large Language Models", "Foundation Models": the field's name for a kind, no model's
_FIELD_RUN = re.compile(r"\b(?:Language|Languages|Foundation|Neural|Deep)\b")


def _counts_out(sentence: str, count: str, words: tuple[str, ...]) -> bool:
    """Whether the sentence introduces that many of the asked things ("we propose two novel
    pre-training tasks: (1) ...", "two variants of our ... framework"): it lists them."""
    return any(
        set(terms(m.group(1))) & set(words)
        for m in re.finditer(rf"\b{count}\s+((?:[\w-]+\s+){{0,3}}[\w-]+)", sentence, re.I)
    )


def _named_kind(sentence: str, kinds: tuple[str, ...], question: str) -> bool:
    """A capitalised run of common words that ends in the asked kind ("a Vision Transformer is
    vulnerable to overfitting" for "which architecture"): a name, though no word of it is rare."""
    for m in _CAPITAL.finditer(sentence):
        run = m.group(0)
        words = run.split()
        if len(words) < 2 or _given(run, question) or _FIELD_RUN.search(run):
            continue
        if set(terms(words[-1])) & set(kinds):
            return True
    return False


def _norm_num(tok: str) -> str:
    return re.sub(r"[\s,]", "", tok.lower())


def numbers(text: str) -> set[str]:
    """Number tokens of a text, normalised ("53,000" -> "53000", "7B" -> "7b")."""
    return {_norm_num(m.group(0)) for m in _NUM.finditer(text)}


def fills(
    slot: Slot,
    sentence: str,
    question: str,
    idf: Callable[[str], float] | None = None,
    described: bool = False,
) -> bool:
    """Whether `sentence` holds what `slot` asks for (not just the question's own numbers and
    names), next to the asked-for word: "53,000+ multiple choice questions" fills "how many
    questions", "75% sparsity ... downstream tasks" does not fill "how many tasks". `idf` (the
    collection's) tells a capitalised name from a capitalised common phrase. Open slots are
    always filled. `described`: a benchmark or dataset described in rare words fills a "which
    benchmarks" slot (the abstention gate asks whether the abstract answers at all; choosing
    sentences, a name is preferred)."""
    if slot.asks_results:
        return _OUTCOME.search(sentence) is not None
    if slot.asks_outcome:
        return (_RELATION if slot.head == "relation" else _FINDING).search(sentence) is not None
    if slot.kind == "open":
        return True
    st = set(terms(sentence))
    low = sentence.lower()
    words = slot.terms + slot.units

    if slot.kind == "detail":
        counted = slot.head not in _COUNTED_DETAILS or _NUM.search(sentence) is not None
        return counted and any(_has_word(w, st, low) for w in slot.terms)
    if slot.kind == "name":
        # a name the question does not already give, abbreviate ("VLMs" for its "vision-language
        # model") or spell out ("Value-Guided Policy Steering" for its "V-GPS")
        # (and a tool's lower-case name with a capital inside: "a fastText-based scorer")
        found = names(sentence, idf) + _LOWER_CAMEL.findall(sentence)
        if _SITE_ASKED.search(slot.head):  # "which made-up website": "factquizmaster.com"
            found += [m.group(0) for m in _DOMAIN.finditer(sentence)]
        new = [
            n
            for n in found
            if not _given(n, question) and not (slot.given and _given(n, slot.given))
        ]
        if slot.head in ("language", "languages") and (
            _NAMES_ASKED.search(question) or _OFFERED.search(question)
        ):
            # "which ten languages", "which specific languages", "which language ..., for
            # example Swahili": languages by their names
            said = {w for w in _WORD.findall(sentence) if w.lower() in LANGUAGE_NAMES}
            return any(not _given(w, question) for w in said)
        if bool(new) and (not words or _near(sentence, new, words)):
            return True
        if _SPECIFIC.search(question):  # "which specific base model": its name, no description
            return bool(new and _object_of_asked_verb(sentence, new, question))
        if new and _object_of_asked_verb(sentence, new, question):
            return True
        if _named_kind(sentence, slot.terms, question):
            return True
        if slot.soft and (k := _LISTED.search(question)) and _counts_out(sentence, k["k"], words):
            return True
        if (
            slot.head in _LISTABLE
            and words
            and re.search(rf"\b(?:{_EVALUATED}|downstream)", question, re.IGNORECASE)
            and _lists_them(words).search(sentence)
        ):
            return True  # "evaluated on tasks including phishing URL detection, ..."
        kind = _KINDS.get(slot.head)
        if kind is None or idf is None or (kind not in _ALWAYS_DESCRIBED and not described):
            return False
        return _described(kind, sentence, question, idf)
    own = numbers(_PAPER_COUNT.sub(" ", question))
    # (a bare number after a name's hyphen is part of the name: the "3" of "GPT-3 oracle" is no
    # size of anything, the "7B" of "Llama-2-7B" is; a change asked may be stated against the
    # named model: "performs comparably to or even better than GPT-4")
    found = [
        m.group(0)
        for m in _NUM.finditer(sentence)
        if _norm_num(m.group(0)) not in own
        and not (
            not slot.change and m.group(0).isdigit() and _IN_NAME.search(sentence, 0, m.start())
        )
    ]
    if "%" in words:  # a percentage another metric owns ("a gain of 7.2% on F1") is not the
        others = tuple(w for w in _PERCENT_OWNERS if w not in slot.terms)  # asked agreement
        found = [
            n
            for n in found
            if "%" not in n or not _near(sentence, [n], others, SLOT_WINDOW_COUNTED)
        ]
    if _EXACT.search(question):  # "exactly how many URLs": "billions of URLs" is no count
        found = [n for n in found if not _VAGUE.fullmatch(n)]
    if _ABSOLUTE.search(question) and _CHANGE_IN.search(sentence):
        return False  # "what absolute FID": "6.54 and 1.07 decrease in FID" is a change
    if not found:
        return False
    if slot.change:  # a difference: "by 16.5%", "from 18.6% to 81.7%", "3x", "6.54 decrease"
        # (asked in percent: "by how many percentage points" is not "a total of 12 tasks")
        rx = _PERCENT_CHANGE if _PERCENT_ASKED.search(question) else _CHANGE_NUM
        if rx.search(sentence):
            return True
        # ("by how much did it beat the baseline": "three possible factors" counts, no change)
        found = [n for n in found if any(c.isdigit() for c in n)]
        if not found:
            return False
    window = SLOT_WINDOW_COUNTED if slot.counted else SLOT_WINDOW
    if not words and slot.counted and slot.head not in ("count", "amount"):
        # asked under a word the paper never uses (rag.questions.unworded): "three
        # characteristics", "in three experiments" count the abstract's own points, not the
        # asked-for thing ("how many German news articles"); "as few as two trajectories" does
        # ("how many rounds were run": "a 65% win rate" is a rate, and the 7B of
        # "mistral-7b-instruct" part of a model's name, no count of anything)
        # (nor does a count of what papers are evaluated on: "how many documents are in the
        # corpus used to train CySecBERT" is not "15 different domain-dependent ... tasks")
        return any(
            _norm_num(m.group(0)) not in own
            and not _DISCOURSE.match(sentence, m.end())
            and not _EVALUATED_ON.match(sentence, m.end())
            and not (
                slot.many and (_RATE.search(m.group(0)) or _IN_NAME.search(sentence, 0, m.start()))
            )
            for m in _NUM.finditer(sentence)
        )
    return not words or _near(sentence, found, words, window)


# "Two decision-making papers ...: how few trajectories did the second find enough?": the count
# of papers asked about is no number the answer repeats ("as few as two trajectories")
_PAPER_COUNT = re.compile(
    r"\b(?:two|three|four)\s+(?:[\w-]+\s+){0,3}?(?:papers|works|studies|articles)\b", re.IGNORECASE
)
_EVALUATED_ON = re.compile(
    r"\s+(?:[\w-]+\s+){0,5}?(?:tasks|benchmarks|datasets|languages|domains)\b", re.IGNORECASE
)


# "we ... train an inverse dynamics model", "experiments on simulated robotic locomotion and
# manipulation benchmarks": a kind of model or benchmark described in rare words answers "what
# model did they train" or "what benchmarks", as a name would ("several benchmarks" does not)
_KIND_OF_MODEL = re.compile(
    r"\b(?:an?|the)\s+(?P<m>(?:[a-z][a-z-]+\s+){1,3})(?:model|network|encoder|policy)\b"
)
_KIND_OF_BENCHMARK = re.compile(
    r"\b(?P<m>(?:[a-z][a-z-]+\s+(?:and\s+|or\s+)?){1,3})"
    r"(?:benchmarks?|datasets?|environments?|suites?)\b"
)
# "what task did they evaluate it on": "a robotic grasping task"; one task is described far
# more often than named ("what tasks" wants the list a sentence names: not this)
_KIND_OF_TASK = re.compile(r"\b(?:an?|the)\s+(?P<m>(?:[a-z][a-z-]+\s+){1,3})task\b")
_KINDS = {
    "model": _KIND_OF_MODEL,
    "task": _KIND_OF_TASK,
    **dict.fromkeys(
        ("benchmark", "benchmarks", "dataset", "datasets", "environment", "environments"),
        _KIND_OF_BENCHMARK,
    ),
}

# "which downstream tasks was it evaluated on": a list the abstract introduces by the asked
# word, in everyday words (not "what pretraining tasks": those are the paper's own)
_LISTABLE = frozenset({"task", "tasks", "application", "applications", "domain", "domains"})


@lru_cache(maxsize=64)
def _lists_them(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in words)
    return re.compile(
        rf"\b(?:{alts})\w*\s*,?\s*(?:including|such\s+as|like|namely|e\.g\.,?|:)\s+\w",
        re.IGNORECASE,
    )


_ALWAYS_DESCRIBED = (_KIND_OF_MODEL, _KIND_OF_TASK)  # preferred when choosing sentences too


def _described(
    kind: re.Pattern[str], sentence: str, question: str, idf: Callable[[str], float]
) -> bool:
    asked = set(terms(question))
    for m in kind.finditer(sentence):
        mods = [t for t in terms(m.group("m")) if t not in asked]
        if any(idf(t) >= NAME_IDF for t in mods):
            return True
    return False


# "which benchmark is it validated on?": "Empirical validation on the Mujoco ...": the name right
# after the question's own verb (or its noun) and preposition is what was asked
_ASKED_VERB = re.compile(
    r"\b(?P<v>[a-z]{4,}ed|(?:evaluat|validat|test)\w*)\s+(?P<p>on|in|with|against)\b",
    re.IGNORECASE,
)
# "which benchmark did it evaluate on?": "Empirical validation on the Mujoco ...": one family
_EVALUATED = r"(?:evaluat|validat|test|experiment)"
# "Which two LLMs were reproduced ...?": "we've reproduced Amber and OpenLLaMA": the name right
# after the question's own passive verb is its object
# "Which two open LLMs did the study ... reproduce?": the do-question's own verb, last before
# its end or a closing preposition
_ASKED_DO = re.compile(
    r"\b(?:did|does|do)\b.*?\b(?P<v>[a-z]{4,})(?:\s+(?:and\s+[a-z]+\s+[\w\s-]*?)?"
    r"(?:for|with|on|in|against|from|to)?)?\s*\?$",
    re.IGNORECASE,
)
# "Which open models did the study of intermediate checkpoints and capability dynamics
# reproduce and release checkpoints for?": `_ASKED_DO` reads "checkpoints" ("... and
# downstream capability dynamics reproduce ..." as its "and" part); the verb closing the
# question with at most two words after its "and" part is asked too
_ASKED_DO_LAST = re.compile(
    r"\b(?:did|does|do)\b.*?\b(?P<v>[a-z]{4,})(?:\s+(?:and\s+[a-z]+(?:\s+[\w-]+){0,2}?\s*)?"
    r"(?:for|with|on|in|against|from|to)?)?\s*\?$",
    re.IGNORECASE,
)
# "Which made-up website did they prepend to improve ...?": the verb right after its subject
_ASKED_DO_SUBJECT = re.compile(
    r"\b(?:did|does|do)\s+(?:they|it|the\s+(?:authors|paper|study|method|model|work))\s+"
    r"(?P<v>[a-z]{4,})\b",
    re.IGNORECASE,
)
# "Which made-up website, when prepended to the prompt, ...": "prepending factquizmaster.com"
_ASKED_PARTICIPLE = re.compile(r"\b(?:when|if|once|after)\s+(?P<v>[a-z]{4,}ed)\b", re.IGNORECASE)
_ASKED_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be)\s+(?P<v>[a-z]{4,}ed)\b", re.IGNORECASE)


def _object_of_asked_verb(sentence: str, targets: list[str], question: str) -> bool:
    """A target stands right after the question's own verb: with its preposition
    (`_ASKED_VERB`) or, for a passive verb, as its object (`_ASKED_PASSIVE`)."""
    asked = [(m, rf"\s+{m.group('p')}") for m in _ASKED_VERB.finditer(question)]
    asked += [(m, "") for m in _ASKED_PASSIVE.finditer(question)]
    asked += [(m, "") for m in _ASKED_DO.finditer(question)]
    asked += [(m, "") for m in _ASKED_DO_LAST.finditer(question)]
    asked += [(m, "") for m in _ASKED_DO_SUBJECT.finditer(question)]
    asked += [(m, "") for m in _ASKED_PARTICIPLE.finditer(question)]
    # "which simulator was used to test the method": "Empirical validation on the Mujoco"
    if re.search(rf"\b{_EVALUATED}", question, re.IGNORECASE):
        for t in targets:
            at = rf"\b{_EVALUATED}\w*\s+(?:on|in)\s+(?:the\s+)?{re.escape(t)}(?![\w-])"
            if re.search(at, sentence, re.IGNORECASE):
                return True
    for m, prep in asked:
        stem = (terms(m.group("v")) or [""])[0]
        if stem in STOPWORDS or len(stem) < 4:
            continue
        verb = _EVALUATED if prep and re.match(_EVALUATED, m.group("v"), re.I) else re.escape(stem)
        for t in targets:
            pattern = rf"\b{verb}\w*{prep}\s+(?:the\s+)?{re.escape(t)}(?![\w-])"
            if re.search(pattern, sentence, re.IGNORECASE):
                return True
    return False


def _near(
    sentence: str, targets: list[str], words: tuple[str, ...], window: int = SLOT_WINDOW
) -> bool:
    """Some target (a name, a number) lies within `window` words of a slot word."""
    toks = list(re.finditer(r"[\w%.,+-]+", sentence))
    marks = []
    for i, m in enumerate(toks):
        st, low = set(terms(m[0])), m[0].lower()
        if any(_has_word(w, st, low) for w in words):
            marks.append(i)
    if not marks:
        return False
    for t in targets:
        # where the target first stands as a whole ("4 times larger" is not the "4" in "420
        # days" before it), else where it first stands inside a word
        whole = re.search(rf"(?<![\w.]){re.escape(t)}(?!\w)", sentence)
        at = whole.start() if whole else sentence.find(t)
        i = sum(1 for m in toks if m.start() < at)
        if any(abs(i - j) <= window for j in marks):
            return True
    return False
