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
