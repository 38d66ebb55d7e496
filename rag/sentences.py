"""Sentence splitting, lexical terms and cached sentence embeddings, shared by the answerers and
the citation checker.

Sentences are always verbatim substrings of the text they come from: the extractive answerer
quotes them and the tests check the quotes against the abstract, so the splitter never rewrites.
Sentence vectors are cached by a hash of the sentence text (LRU), so a paper seen once costs
nothing the next time it is retrieved.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from rag.embedding import Embedder

# words after which a period does not end a sentence
_ABBREV = {
    "e.g",
    "i.e",
    "al",
    "etc",
    "vs",
    "fig",
    "figs",
    "eq",
    "eqs",
    "approx",
    "cf",
    "resp",
    "sec",
    "no",
    "dr",
    "mr",
    "ms",
    "st",
    "ca",
    "viz",
}
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+")
_MIN_CHARS = 12


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each a stripped verbatim slice of it (abbreviation- and
    decimal-aware; a boundary needs whitespace then an upper-case letter, digit or bracket)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        nxt = text[end : end + 1]
        if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "\"'([“"):
            continue
        before = text[start : m.start()].rsplit(None, 1)
        last = before[-1].lower().lstrip("([\"'") if before else ""
        if last in _ABBREV or (len(last) == 1 and last.isalpha()):
            continue
        piece = text[start:end].strip()
        if piece:
            out.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    # glue fragments too short to stand alone onto the previous sentence (kept verbatim)
    merged: list[str] = []
    for s in out:
        if merged and len(s) < _MIN_CHARS:
            i = text.find(merged[-1])
            j = text.find(s, i + len(merged[-1]))
            if i >= 0 and j >= 0:
                merged[-1] = text[i : j + len(s)]
                continue
        merged.append(s)
    return merged


# --- lexical terms ---------------------------------------------------------------------------
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing done for from had has
    have how i if in into is it its itself me more most my no nor not of on or our out over own
    same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your yours also about across after against all am any both each few further
    here just only other once s t between during before below above down off again per via
    paper papers work works study studies approach propose proposed method methods show shows
    shown use used uses using much many whether tell describe explain one two like summarise
    summarize summary summaries overview say says said exactly exact already let lets
    actually really truly specifically explicitly genuinely basically essentially
    something anything everything somehow stuff versus vs""".split()
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[a-z][a-z0-9]*(?:[-'][a-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no stubs
    import Stemmer

    return Stemmer.Stemmer("english")


# irregular verb forms the Snowball stemmer leaves apart from their base ("came" is no unknown
# word when the abstracts say "come"; "found" matches "find"). Not "driven": in "data-driven",
# "curiosity-driven" it is no form of driving
IRREGULAR_VERBS = {
    "came": "come", "went": "go", "gone": "go", "got": "get", "gotten": "get", "gave": "give",
    "given": "give", "took": "take", "taken": "take", "made": "make", "found": "find",
    "began": "begin", "begun": "begin", "brought": "bring", "bought": "buy", "thought": "think",
    "chose": "choose", "chosen": "choose", "held": "hold", "led": "lead", "ran": "run",
    "saw": "see", "seen": "see", "told": "tell", "won": "win", "wrote": "write",
    "written": "write", "built": "build", "sought": "seek", "taught": "teach", "grew": "grow",
    "grown": "grow", "knew": "know", "known": "know", "fell": "fall", "fallen": "fall",
    "rose": "rise", "risen": "rise", "kept": "keep", "meant": "mean", "felt": "feel",
    "spent": "spend", "lost": "lose", "sent": "send",
    "beaten": "beat", "outdid": "outdo", "outran": "outrun",
}  # fmt: skip


# a field's noun the stemmer keeps apart from its adjective: "medicine or biomedicine" asked
# of abstracts that say "medical" and "biomedical" (three writers' domain questions missed them)
_FIELD_STEMS = {"medicin": "medic", "biomedicin": "biomed", "scienc": "scientif"}


# British spellings, as the abstracts' American ones: "behaviour", "specialised", "optimisation",
# "analyse" (a reader's "behaviour" was an unknown word, and matched no "behavior")
_OUR = re.compile(r"^(behavi|col|fav|lab|neighb|hon|hum|endeav|harb|vap|rig|flav|arm)our")
_ISE = re.compile(r"^((?:[a-z]+-)*[a-z]{2,}[b-df-hj-np-tvxz])is(e|es|ed|ing|ation|ations|er|ers)$")
# words that keep an "-ise" in American spelling ("(un)supervised", "promising", "exercise")
_ISE_KEPT = (
    "advert", "adv", "appr", "chast", "circumc", "compr", "comprom", "conc", "dem", "desp", "dev",
    "enterpr", "exc", "exerc", "expert", "franch", "improv", "inc", "merchand", "parad", "prec",
    "prem", "prom", "rev", "superv", "surm", "surpr", "telev", "pract", "treat", "mort",
)  # fmt: skip
_YSE = re.compile(r"^(ana|para|cata|dia|electro)lys(e|ed|ing)$")


def american(word: str) -> str:
    """A lower-case word in American spelling."""
    if m := _ISE.match(word):
        return word if m[1].endswith(_ISE_KEPT) else f"{m[1]}iz{m[2]}"
    word = _OUR.sub(r"\1or", word)
    return _YSE.sub(r"\1lyz\2", word)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    word = american(word)
    stem = _stemmer().stemWord(IRREGULAR_VERBS.get(word, word))
    return _FIELD_STEMS.get(stem, stem)


# "LLMs", "GNNs", "GPUs": the stemmer leaves a plural acronym alone (no vowel before its "s"),
# so "GNNs" in a question missed every abstract that says "GNN"
_PLURAL_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]*[A-Z])s\b")


# "what's" was a term of its own ("what", which no abstract has: an unknown word to rule 4)
_CONTRACTION = re.compile(r"'(?:s|re|ve|ll|d|m)$|n't$")


def terms(text: str) -> list[str]:
    """Content terms: lower-cased, stop words dropped, stemmed (a plural acronym too: "LLMs" ->
    "llm"); numbers kept whole ("43.6%") and hyphenated words kept whole and as their parts, so
    "Llama-3" matches "Llama-3" and "Llama" ("pre-training" is not closed up to match
    "pretraining": docs/ANSWERING.md, thirteenth and fourteenth rounds)."""
    return list(_terms(text))  # a list of its own: a caller may extend it


# the same abstract sentences and question words are read over and over (a fifth of an eval
# run's time went to reading them again)
@lru_cache(maxsize=100_000)
def _terms(text: str) -> tuple[str, ...]:
    out: list[str] = []
    text = text.replace("\u2019", "'")  # "don’t" as "don't"
    for tok in _TOKEN.findall(_PLURAL_ACRONYM.sub(r"\1", text).lower()):
        if "'" in tok:  # "what's", "it's", "don't": the word, a stop word
            tok = {"can't": "can", "won't": "will"}.get(tok) or _CONTRACTION.sub("", tok)
        if tok in STOPWORDS:
            continue
        if tok[0].isdigit():
            out.append(tok.rstrip(".,"))
            continue
        out.append(_stem(tok))
        if "-" in tok:
            out.extend(_stem(p) for p in tok.split("-") if len(p) > 1 and p not in STOPWORDS)
    return tuple(out)


# words written in capitals that are no names: "the US court-holdings one" ("us" is in every
# abstract, so it would name them all), "IT", "OR"
_CAPITAL_WORDS = STOPWORDS | {"us"}
_ENTITY = re.compile(
    r"(?<![\w-])(?:"
    r"[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:[-_][A-Z0-9][A-Za-z0-9]*)*"  # CamelCase,
    # X2, bert2BERT, BERT_LARGE, RT-H
    r"|\d+(?:-[a-z0-9]+)*(?:-[A-Z][A-Za-z0-9]*)+(?:-[A-Za-z0-9]+)*"  # 10-Split-CIFAR-100
    r"|[A-Z](?:-[A-Z0-9][A-Za-z0-9]*)+"  # V-GPS, B-PROP
    # Llama-3, GPT-4 (not a date: "mid-2021", "early-2020")
    r"|(?!(?:mid|early|late|end)-(?:19|20)\d\d(?![\w.]))[A-Za-z]+-\d[A-Za-z0-9.]*"
    r"|[A-Z][a-z]+(?:-[A-Z]{2,}[A-Za-z0-9]*)+"  # Megatron-LM, Flan-UL2
    r"|\d+(?:[.,]\d+)*[%BMK]?"  # numbers, 7B, 970k-style
    r")(?![\w])"
)


_MAGNITUDE = re.compile(r"^(\d+(?:\.\d+)?)([kmbt])$")
_MAGNITUDE_WORDS = {"k": "thousand", "m": "million", "b": "billion", "t": "trillion"}
# field abbreviations whose spelled-out form the initials rule cannot see (it skips "of", "the")
# acronyms that are not their words' initials ("ViT", "LoRA", "MoE")
_SPELLED = {
    "sota": ("state-of-the-art", "state of the art"),
    "vit": ("vision transformer",),
    "vits": ("vision transformer",),
    "lora": ("low-rank adaptation", "low rank adaptation"),
    "moe": ("mixture of experts", "mixture-of-experts"),
}


_LOWER_LED = re.compile(r"[a-z][A-Z]{2,5}")


def mentioned(entity: str, hay: str) -> bool:
    """Whether lower-cased `hay` mentions `entity`: verbatim, by its hyphen parts ("MLP-aligned"
    -> "mlp"), singular ("TPUs"), or as an acronym of consecutive words ("TD" ->
    "temporal-difference", "RLHF" -> "reinforcement learning from human feedback")."""
    e = entity.lower()
    if e in hay:
        return True
    # ("MedS3" is "MedS^3" typed without the superscript)
    if "^" in hay and any(c.isdigit() for c in e) and e in hay.replace("^", ""):
        return True
    if any(x in hay for x in _SPELLED.get(e, ())):
        return True
    # ("Hugging Face", "Stack Overflow": one word in the abstracts, "huggingface.co",
    # "StackOverflow")
    if " " in e and len(e.split()) <= 3 and re.sub(r"\s+", "", e) in hay:
        return True
    if m := _MAGNITUDE.match(e):  # "10B" is "10 billion" / "10-billion" written out
        word = _MAGNITUDE_WORDS[m.group(2)]
        return re.search(rf"(?<![\d.]){re.escape(m.group(1))}[\s-]*{word}", hay) is not None
    parts = [p for p in re.split(r"[-/]", e) if len(p) > 1 and p not in STOPWORDS]
    if "-" in e and parts and all(p in hay for p in parts if not p.isdigit()):
        return True
    if e.endswith("s") and len(e) > 2 and e[:-1] in hay:
        return True
    if any(c.isdigit() for c in e):  # "D4RL", "GSM8K": a name, no initials of words ("deep
        # reinforcement learning" spells no D4RL); "GPT4" is "GPT-4" without its hyphen
        return re.sub(r"[\s-]", "", e) in re.sub(r"[\s-]", "", hay)
    letters = re.sub(r"[^a-z]", "", e.rstrip("s") if entity.endswith("s") else e)
    acronym = entity[:-1] if entity.endswith("s") else entity  # "MDPs" is MDP's plural
    # ("kNN": a lower-case initial letter is still one, as in "k-nearest-neighbor")
    if (acronym.isupper() or _LOWER_LED.fullmatch(acronym)) and 2 <= len(letters) <= 6:
        words = [w for w in re.findall(r"[a-z]+", hay) if w not in _ACRONYM_SKIP]
        initials = "".join(w[0] for w in words)
        return letters in initials and _acronym_at_word_starts(letters, words)
    return False


_ACRONYM_SKIP = frozenset({"of", "from", "the", "for", "and", "with", "to", "a", "an", "in", "on"})


def _acronym_at_word_starts(letters: str, words: list[str]) -> bool:
    """`letters` are the initials of consecutive words somewhere in `words`."""
    n = len(letters)
    for i in range(len(words) - n + 1):
        if all(words[i + j][0] == letters[j] for j in range(n)):
            return True
    return False


def names_verbatim(name: str, text: str, ignore_case: bool = False) -> bool:
    """`text` has `name` as a whole word ("VPT" in "VPT learns", not in "V-PTR" or "VPTs")."""
    flags = re.IGNORECASE if ignore_case else 0
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, flags) is not None


def introduces(name: str, text: str) -> bool:
    """`text` introduces `name` as the abbreviation of what precedes it: "... GFlowNet (OC-GFN)"."""
    return re.search(rf"\(\s*{re.escape(name)}\s*\)", text) is not None


# "The resulting model, Llama-3-Physician, achieves ...", "a method called ProX": the sentence
# gives a thing its name, which answers "what is the model called" better than a sentence that
# only uses a name ("experiments on Llama-family models")
_COINED = re.compile(
    r"\b(?:called|named|dubbed|termed|coined|we\s+call)\s+[A-Z]"
    # "our score - VSDR - can ...", "our model, Llama-3-Physician,"
    r"|\bour\s+(?:[a-z-]+\s+){0,2}[a-z-]+\s*(?:[-\u2013\u2014]|,)\s+[A-Z][\w.+-]*[\w+]\s*(?:[-\u2013\u2014]|,)"
    r"|\b(?:resulting|final|new|proposed)\s+(?:[a-z-]+\s+){0,2}[a-z-]+,\s+[A-Z][\w.+-]*[\w+],"
)


def coins_name(text: str) -> bool:
    """`text` gives something its name (see _COINED)."""
    return _COINED.search(text) is not None


# "two models: SOBertBase ... and SOBertLarge": the abstract coins variants of the name asked
# ("How large are the SOBert models?"), so the name is that paper's own, as a title's name is
_VARIANT = r"(?:[A-Z][a-z]+|[-_](?:base|large|small|tiny|mini|xl|xxl)\b)"


def coins_variants(name: str, text: str) -> bool:
    """`text` names models whose names extend `name`: "SOBertBase" and "SOBertLarge"."""
    return re.search(rf"(?<![\w-]){re.escape(name)}{_VARIANT}", text) is not None


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


# the parts of a web address that name hosts and paths, not a paper's method
_URL_WORDS = frozenset(
    "http https www github gitlab huggingface com org net edu sites google view home project"
    " projects tree blob main code".split()
)


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def in_own_url(name: str, text: str) -> bool:
    """A part of a web address the text gives is the name ("https://github.com/hkust-nlp/
    PreSelect", "https://seohong.me/projects/hilp/", "https://robofume.github.io"): a paper's
    code or project page is named for its method."""
    key = _squashed(name)
    return (
        len(key) >= 3
        and key not in _URL_WORDS
        and any(
            _squashed(part) == key
            for url in _URL.findall(text)
            for part in re.split(r"[/.#?=]", url.rstrip(".,;)"))
        )
    )


def abstract_owns(name: str, abstract: str) -> bool:
    """The abstract makes `name` its own: introduces it in parentheses, coins variants of it,
    or names its project page or code for it."""
    return (
        introduces(name, abstract) or coins_variants(name, abstract) or in_own_url(name, abstract)
    )


def owns_name(name: str, title: str, abstract: str) -> bool:
    """The paper's own name: its title gives it, or its abstract makes it its own."""
    return names_verbatim(name, title, ignore_case=True) or abstract_owns(name, abstract)


def paper_names(title: str, abstract: str) -> list[str]:
    """The names a paper owns: its title gives them or its abstract makes them its own ("RELIEF",
    "DoC", "VSDR")."""
    found = dict.fromkeys(entities(f"{title}\n{abstract}"))
    return [e for e in found if owns_name(e, title, abstract)]


def _verbatim(rx: re.Pattern[str], papers: list) -> list:  # noqa: ANN001 - rag.schema.Paper
    """The papers whose title matches `rx`, else those whose abstract does."""
    for field_of in (lambda p: p.title, lambda p: p.abstract):
        if found := [p for p in papers if rx.search(field_of(p))]:
            return found
    return []


def _named_otherwise(entity: str, papers: list) -> list:  # noqa: ANN001 - rag.schema.Paper
    """The papers that give `entity` in another form: "HILP" in no title or abstract but in
    one paper's project page, "Stack Overflow" for an abstract's "StackOverflow"."""
    if by_url := [p for p in papers if in_own_url(entity, p.abstract)]:
        return by_url
    if (closed := re.sub(r"[\s-]+", "", entity)) != entity and len(closed) >= 4:
        solid = re.compile(rf"(?<![\w-]){re.escape(closed)}(?![\w-])", re.IGNORECASE)
        return [p for p in papers if solid.search(f"{p.title}\n{p.abstract}")]
    return []


def papers_naming(entity: str, papers: list) -> list:  # noqa: ANN001 - rag.schema.Paper
    """The papers that name `entity` most directly: verbatim in the title, else verbatim in the
    abstract, else in another form (`_named_otherwise`), else by `mentioned` (parts, plural,
    acronym). "VPT" then finds the VPT paper, not also the V-PTR paper whose "video
    pre-training" it abbreviates."""
    # ("the 3B OpenLlama": "OpenLlama-3B"; a model size after a hyphen is the same name, for
    # a name without a version of its own: "Llama-2" is not "Llama-2-7B"'s family as a whole)
    sized = r"(?:-\d+(?:\.\d+)?[BM])?" if entity.isalpha() else ""
    exact = rf"(?<![\w-]){re.escape(entity)}{sized}(?![\w-])"
    if found := _verbatim(re.compile(exact), papers) or _named_otherwise(entity, papers):
        return found
    if entity.isupper() and len(entity) >= 3:  # "LOOK", "KIND": not the words look, kind,
        letters = re.sub(r"[^a-z]", "", entity.lower())  # but their spelled-out form
        spelled = [
            p
            for p in papers
            if _acronym_at_word_starts(
                letters,
                [
                    w
                    for w in re.findall(r"[a-z]+", (p.title + " " + p.abstract).lower())
                    if w not in _ACRONYM_SKIP
                ],
            )
        ]
        # a name with digits or a hyphen ("CIFAR-100" inside "10-Split-CIFAR-100") is no
        # common word: where no title or abstract spells it out, its parts still name it
        if spelled or entity.isalpha():
            return spelled
    elif found := _verbatim(re.compile(exact, re.IGNORECASE), papers):
        return found
    return [p for p in papers if mentioned(entity, (p.title + "\n" + p.abstract).lower())]


_HYPHENED_TITLE = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:-[A-Za-z]+){2,}(?![\w-])")


def short_title_named(question: str, papers: list) -> list[str]:  # noqa: ANN001 - Paper
    """The papers whose short title (the name before the colon: "Agent Q", "The Fine Line",
    "D-CPT Law") the question writes out, case and all; in the order the question names them.
    Names of one capital letter or of common words alone ("Agent Q") are not caught by
    `entities`, but the title says they are this paper's name."""
    found: list[tuple[int, str]] = []
    for p in papers:
        head, colon, _ = p.title.partition(":")
        head = head.strip()
        if not colon or not 2 < len(head) <= 40 or len(head.split()) > 4:
            continue
        m = re.search(rf"(?<![\w-]){re.escape(head)}(?![\w-])", question)
        if m:
            found.append((m.start(), p.id))
    # "Learning-to-Modulate": a title's first three or more words hyphenated into a name
    seen = {pid for _, pid in found}
    for m in _HYPHENED_TITLE.finditer(question):
        words = m.group(0).lower().split("-")
        for p in papers:
            if p.id not in seen and p.title.lower().split()[: len(words)] == words:
                found.append((m.start(), p.id))
                seen.add(p.id)
    return [pid for _, pid in sorted(found)]


# "Llama-2-13B", "Pythia 410M": a model family and its size
_SIZED_NAME = re.compile(
    r"(?<![\w-])([A-Z][A-Za-z0-9.]*(?:-\d+(?:\.\d+)?)?)[-\s](\d+(?:\.\d+)?[BM])(?![\w])"
)


def other_size(question: str, hay: str) -> list[str]:
    """The sized model names of a question ("Llama-2-13B") whose family lower-cased `hay` gives
    only in other sizes ("Llama-2-7B"): results for one size say nothing of another. A family
    `hay` names without a size ("Llama 2") may be of any size, so it is no reason."""
    out = []
    for m in _SIZED_NAME.finditer(question):
        family = r"[-\s]?".join(re.escape(p) for p in re.split(r"[-\s]", m.group(1).lower()))
        sizes = re.findall(rf"(?<![\w]){family}[-\s]?(\d+(?:\.\d+)?[bm])(?![\w])", hay)
        if sizes and m.group(2).lower() not in sizes:
            out.append(m.group(0))
    return out


def entities(text: str) -> list[str]:
    """Specific names in a question (acronyms, CamelCase names, model-version tokens, numbers):
    if a question names one that no candidate abstract mentions, nothing there answers it."""
    out: list[str] = []
    for m in _ENTITY.finditer(text):
        tok = m.group(0)
        if len(tok) < 2 or tok.lower() in _CAPITAL_WORDS:
            continue
        out.append(tok)
    return out


def idf_table(docs: Iterable[Iterable[str]]) -> tuple[dict[str, float], int]:
    """Smoothed inverse document frequency over term sets."""
    df: dict[str, int] = {}
    n = 0
    for d in docs:
        n += 1
        for t in set(d):
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1.0 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}, n


# --- embeddings ------------------------------------------------------------------------------
class SentenceCache:
    """In-memory LRU of sentence vectors keyed by (model, sha1(text))."""

    def __init__(self, maxsize: int = 50_000) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(model: str, text: str) -> tuple[str, str]:
        return model, hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, embedder: Embedder, texts: list[str]) -> np.ndarray:
        """Vectors for `texts` (rows in order), embedding only the ones not cached yet."""
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        keys = [self.key(embedder.name, t) for t in texts]
        missing: dict[tuple[str, str], str] = {}
        with self._lock:
            for k, t in zip(keys, texts, strict=True):
                if k in self._data:
                    self._data.move_to_end(k)
                    self.hits += 1
                else:
                    missing.setdefault(k, t)
                    self.misses += 1
        if missing:
            vecs = embedder.embed_documents(list(missing.values()))
            with self._lock:
                for k, v in zip(missing, vecs, strict=True):
                    self._data[k] = np.asarray(v, dtype=np.float32)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
        with self._lock:
            rows = [self._data.get(k) for k in keys]
        if any(r is None for r in rows):  # evicted between the two steps: embed directly
            return np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        return np.vstack(rows)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._data)


CACHE = SentenceCache()


def embed_sentences(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return CACHE.embed(embedder, texts)
