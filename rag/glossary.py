"""What a well-known name is, in the words a reader uses for it instead of the name.

Readers describe a platform, dataset or tool by what it is ("trained only on a programming Q&A
site's posts", "amino-acid sequences", "web addresses"), while the abstract gives only its
name ("StackOverflow", "protein", "URL"). Neither the term overlap nor MiniLM's embedding links
the two, so such a paraphrase scored under the relevance floor and was abstained on (five of
eight wrongly abstained factoids of four fresh blind batches, 2026-12-04: docs/ANSWERING.md,
eighteenth round). Every sentence of a paper that gives one of these names counts the gloss's
terms as its own (as with the paper's own names in rag.extractive), the collection's vocabulary
knows them, and the keyword search looks for a name the question describes.

The glosses are general knowledge of the field, one line each, written for names in common use
across ML and NLP papers, not only for the seed collection: what the thing is, never what a
paper did with it, and none of the field's common words ("training", "model", "data", "text",
"benchmark", "game"): those would lift every paper that names the thing for any question ("Atari
games" is no topic of the Minecraft paper).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.sentences import terms

_STACKOVERFLOW = "programming Q&A site website forum community developer posts coding"
GLOSSES: dict[str, str] = {
    # platforms and sources of text
    "StackOverflow": _STACKOVERFLOW,
    "Stack Overflow": _STACKOVERFLOW,  # as readers write it
    "Wikipedia": "online encyclopedia articles",
    "Reddit": "online forum discussion social media posts comments",
    "Twitter": "social media microblog tweets posts",
    "Weibo": "Chinese social media microblog posts",
    "GitHub": "code repositories source code hosting",
    "arXiv": "preprint server scientific",
    "PubMed": "biomedical literature medical",
    "Google Books": "scanned books",
    "Common Crawl": "web crawl pages internet",
    # environments, games, robots
    "Minecraft": "sandbox gameplay",
    "VirtualHome": "household simulator simulated home",
    "WebShop": "online shopping e-commerce web simulated store",
    "WidowX": "robot arm manipulator",
    "MiniGrid": "grid world gridworld navigation",
    "DMControl": "DeepMind continuous control simulated locomotion",
    "Meta-World": "simulated robotic manipulation",
    # datasets and benchmarks
    "ImageNet": "image classification images photos",
    "SQuAD": "reading comprehension",
    "GLUE": "natural language understanding",
    "SuperGLUE": "natural language understanding",
    "MMLU": "multitask knowledge exam",
    "PubMedQA": "biomedical medical",
    "C4": "web crawl",
    "FineWeb": "web crawl",
    "RefinedWeb": "web crawl",
    "RedPajama": "web crawl",
    "SlimPajama": "web crawl deduplicated",
    "OpenWebMath": "mathematical web",
    # tools and models
    "PyTorch": "deep learning framework library",
    "Megatron-LM": "distributed toolkit library framework",
    "ChatGPT": "OpenAI chatbot chat assistant",
    "DINOv2": "self-supervised vision image encoder",
    "SigLIP": "vision image encoder",
    # field words a reader puts otherwise
    "URL": "web address link",
    "protein": "amino-acid amino acid",
}  # fmt: skip

# the names above that are evaluation benchmarks: a score asked "on MMLU" is given only where
# MMLU is named
BENCHMARKS = frozenset("SQuAD GLUE SuperGLUE MMLU PubMedQA".split())

# as written (case matters: "GLUE" the benchmark, not "glue"), perhaps in the plural ("URLs"),
# and followed by no letter: "RedPajama-V2" is RedPajama's
_NAME = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(map(re.escape, GLOSSES), key=len, reverse=True))
    + r")s?(?![a-z])"
)


def glossed_words(text: str) -> frozenset[str]:
    """The terms of the glosses of every well-known name the text gives."""
    out: set[str] = set()
    for m in _NAME.finditer(text):
        out.update(terms(GLOSSES[m.group(1)]))
    return frozenset(out)


# the candidates' abstracts, read again for every question; the whole collection is read once
# per store generation through `glossed_words`, so that no cache keeps every abstract alive
gloss_terms = lru_cache(maxsize=4_096)(glossed_words)


# a question describes a name when it uses this many of its gloss's terms ("programming Q&A
# forum posts": four of StackOverflow's)
DESCRIBES_MIN = 3


@lru_cache(maxsize=1)
def _gloss_sets() -> dict[str, frozenset[str]]:
    return {name: frozenset(terms(g)) for name, g in GLOSSES.items()}


def described_names(text: str) -> list[str]:
    """The well-known names a question describes without naming them, for the keyword search
    (which cannot otherwise find "StackOverflow" from "a programming Q&A site")."""
    given = {m.group(1) for m in _NAME.finditer(text)}  # searched for as they are
    have = set(terms(text)) - gloss_terms(text)
    return [
        name
        for name, g in _gloss_sets().items()
        if name not in given and len(have & g) >= DESCRIBES_MIN
    ]


# --- the field's terms for what readers describe in everyday words -------------------------
# A compare criterion put in a reader's words ("losing earlier skills once it gets trained on
# something new", "spotting mentions of people or organisations in text") shares no word with
# the abstracts, which use the field's term ("catastrophic forgetting", "named entity
# recognition"), and MiniLM links them only weakly. As with a restating aside ("... (catastrophic
# forgetting)", rag.compare.restatement), the field's term is then a second wording of the
# criterion that either may match. A term is given when every one of its word groups is in the
# criterion. General knowledge of ML, not of the seed collection; the descriptions are the ones
# blind writers used, each kept only where it helped the tune split's compare questions that use
# it (toxicity for "harmful or offensive text" and self-training for "labels it made itself" did
# not: docs/ANSWERING.md, nineteenth round).
# each term's word groups, every one of which the criterion must have (one alternation each)
FIELD_TERMS: dict[str, tuple[str, ...]] = {
    "catastrophic forgetting of previously learned knowledge": (
        r"los(?:e|es|ing|t)|forget\w*|eras\w*|overwrit\w*",
        r"earlier|previous\w*|prior|already|old|original|past|learned|knew",
    ),
    "parameter-efficient fine-tuning adapters low-rank": (
        r"small|few|tiny|fraction|handful|add-ons?|extra|added",
        r"parameters?|weights?",
        r"only|instead|rather|without|frozen|freez\w*|keep\w*",
    ),
    # several sources or domains ("general-domain" is one)
    "data mixture of domains": (
        r"blend\w*|mix\w*|balanc\w*|proportions?|ratios?",
        r"sources|domains",
    ),
    "Monte Carlo tree search MCTS": (
        r"lookahead|look-ahead|tree",
        r"search\w*|rollouts?|simulat\w*|branch\w*",
    ),
    "offline reinforcement learning from logged data": (
        r"logged|fixed|static|previously\s+collected|pre-collected",
        r"data\w*|experience|trajector\w*|logs?",
        r"polic\w*|control|agents?|reinforcement|RL",
    ),
    # "fix a robot's behaviour by telling it in words what to do differently"
    "language corrections natural-language feedback": (
        r"fix\w*|correct\w*|adjust\w*|redirect\w*",
        r"words?|verbal\w*|spoken|tell\w*|talk\w*|shout\w*|yell\w*|saying",
    ),
    # "how the input text is chopped into pieces", "what the model's vocabulary is"
    "tokenization tokenizer vocabulary subword": (
        r"chop\w*|split\w*|cut\w*|broken|break\w*|segment\w*",
        r"pieces|chunks|units|fragments|subwords?",
    ),
    # "make the weights of the models they trained downloadable"
    "publicly release model weights checkpoints": (
        r"download\w*|publicly|public|shar(?:e|es|ed|ing)|open\w*",
        r"weights|checkpoints",
    ),
    # "take an already-pretrained model and keep pretraining it on new text", "training it
    # further": what the papers call continual, continued or further pre-training
    "continual pre-training continued further domain-adaptive pre-training": (
        r"\bkeep\w*\s+(?:on\s+)?(?:pre-?)?train\w*|\bcontinu\w*\s+(?:its\s+|their\s+|the\s+)?"
        r"(?:pre-?)?train\w*|(?:pre-?)?train\w*\s+(?:it|them)\s+(?:further|more|again)"
        r"|\bfurther\s+(?:pre-?)?train\w*",
        r"already|previously|existing|pre-?trained\s+(?:model|LLM|language\s+model)",
    ),
    "information retrieval ad-hoc retrieval": (
        r"search\w*|rank\w*",
        r"documents?|passages?|web\s+pages?",
    ),
}


# the field's word for a phrase of everyday words, put in its place ("malicious web addresses"
# -> "malicious URLs"): the rest of the criterion still counts, where FIELD_TERMS replaces it
FIELD_WORDS: dict[str, str] = {
    "URLs": r"web(?:site)?\s+(?:address(?:es)?|links?)|internet\s+address(?:es)?",
    "videos": r"footage|video\s+(?:clips|recordings)",
}


def in_field_words(text: str) -> str:
    """`text` with its everyday phrases put in the field's words, or "" when it has none."""
    out = text
    for word, phrase in FIELD_WORDS.items():
        out = re.sub(rf"\b(?:{phrase})\b", word, out, flags=re.IGNORECASE)
    return out if out != text else ""


@lru_cache(maxsize=1)
def _field_groups() -> dict[str, tuple[re.Pattern[str], ...]]:
    return {
        term: tuple(re.compile(rf"\b(?:{g})\b", re.IGNORECASE) for g in groups)
        for term, groups in FIELD_TERMS.items()
    }


def field_terms(text: str) -> str:
    """The field's terms for what `text` describes in everyday words, or ""."""
    found = [t for t, groups in _field_groups().items() if all(g.search(text) for g in groups)]
    return " ".join(found)


# languages by name: "which languages does it cover" is answered by a sentence naming one, not by
# one naming a model ("AfriBERTa, XLMR-base") or counting them ("23 African languages")
LANGUAGE_NAMES = frozenset(
    """
    english chinese mandarin cantonese japanese korean vietnamese thai indonesian malay tagalog
    filipino hindi urdu bengali punjabi marathi gujarati tamil telugu kannada malayalam sinhala
    nepali arabic hebrew persian farsi turkish kurdish armenian georgian azerbaijani kazakh uzbek
    russian ukrainian belarusian polish czech slovak slovenian croatian serbian bosnian bulgarian
    macedonian romanian hungarian finnish estonian latvian lithuanian german dutch flemish danish
    swedish norwegian icelandic faroese english french spanish catalan galician basque portuguese
    italian maltese greek albanian irish welsh scottish breton latin esperanto swahili yoruba
    hausa igbo amharic somali oromo tigrinya zulu xhosa afrikaans kinyarwanda kirundi luganda
    lingala wolof shona chichewa sesotho setswana twi ewe fon bambara malagasy berber quechua
    guarani aymara nahuatl mongolian tibetan burmese khmer lao javanese sundanese
    """.split()
)
