"""A reader's word that no abstract uses may still be a word the abstracts have in another form.

The compare gate (rag.abstention.compare_gate) counts the criterion's words that appear in no
abstract as a sign the collection lacks the property: "pretrain models for weather forecasting"
names a field no paper covers. A newcomer's everyday word is counted the same way, though the
papers say the same thing in their own: "pictures" (the abstracts write "images"),
"textbooks" ("books"), "defending" ("defense"), "organisations" ("organizations"). Such a word is
taken as known when a word of the papers that match the criterion best is its near-synonym to the
embedding model (cosine at least SYNONYM_MIN). Only those papers' words are compared, so the cost
does not grow with the collection.

A word with no near-synonym may still say what the papers say: "doctors or health care" beside
"medicine", "someone deliberately trying to fool" a model. Such words are taken as known when
leaving them out does not make the best dense match any better (`in_line`): the far topics'
words pull the question away from the collection ("pretrain models for weather forecasting"
matches the pretraining papers better without "weather forecasting"), a paraphrase's do not.
A capitalised unknown word is a name ("Atari", "HumanEval") and is never taken this way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from rag.extractive import Corpus
from rag.schema import Paper
from rag.sentences import embed_sentences, terms

# on the tune split's compare-routed questions, a reader's unknown word and the nearest word of
# the collection: "pictures"/"images" 0.81, "textbooks"/"books" 0.81, "defending"/"defense" 0.78,
# "organisations"/"organizations" 0.87, but also "forecasting"/"predicting" 0.77 and
# "prices"/"cost" 0.76, which would let "stock price forecasting" through: 0.80 keeps the far
# topics out (docs/ANSWERING.md, twenty-seventh round)
SYNONYM_MIN = 0.80
SYNONYM_PAPERS = 10  # the best-matching papers whose words are compared
# on the tune split's compare-routed questions stopped by the floor: leaving the unknown words
# out raises the best dense match by 0.07 (median) for the far topics and by nothing for the
# answerable ones; at 0.015, 8 answerable questions pass and no unanswerable one (0.02 lets
# "molecular property prediction" through; docs/ANSWERING.md, twenty-eighth round)
IN_LINE_DROP = 0.015
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[a-z]")


def unknown_words(text: str, corpus: Corpus) -> list[str]:
    """The words of `text` (as written) that no abstract of the collection uses."""
    out = []
    for w in dict.fromkeys(m.lower() for m in _WORD.findall(text)):
        ts = terms(w)
        if ts and not all(corpus.knows(t) for t in ts):
            out.append(w)
    return out


def paraphrased(text: str, papers: list[Paper], corpus: Corpus, embedder) -> set[str]:  # noqa: ANN001
    """The terms of `text`'s unknown words that a word of `papers` says as well (see above)."""
    unknown = unknown_words(text, corpus)
    if not unknown or not papers:
        return set()
    vocab = sorted(
        {
            w.lower()
            for p in papers[:SYNONYM_PAPERS]
            for w in _WORD.findall(f"{p.title} {p.abstract}")
            if len(w) >= 3 and terms(w)
        }
    )
    if not vocab:
        return set()
    sims = embed_sentences(embedder, unknown) @ embed_sentences(embedder, vocab).T
    near = np.max(sims, axis=1) >= SYNONYM_MIN
    return {t for w, ok in zip(unknown, near, strict=True) if ok for t in terms(w)}


def in_line(text: str, corpus: Corpus, best_match: Callable[[str], float]) -> set[str]:
    """The terms of `text`'s unknown words when none is capitalised and leaving them all out
    raises `best_match` (the best dense score of a search) by no more than IN_LINE_DROP."""
    unknown = unknown_words(text, corpus)
    if not unknown:
        return set()
    written = {m.group(0).lower(): m.group(0) for m in _WORD.finditer(text)}
    if any(any(c.isupper() for c in written.get(w, w)) for w in unknown):
        return set()
    without = text
    for w in unknown:
        without = re.sub(rf"(?<![\w-]){re.escape(w)}(?![\w-])", " ", without, flags=re.IGNORECASE)
    if best_match(" ".join(without.split())) - best_match(text) > IN_LINE_DROP:
        return set()
    return {t for w in unknown for t in terms(w)}


def knowing(corpus: Corpus, extra: set[str]) -> Corpus:
    """The corpus statistics with `extra` terms counted as known words (their IDF unchanged)."""
    return replace(corpus, glossed=corpus.glossed | frozenset(extra)) if extra else corpus
