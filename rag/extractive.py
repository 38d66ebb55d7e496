"""The offline answerer: answers built only from verbatim sentences of the retrieved abstracts,
each followed by its source number, so every claim can be checked against the paper.

Sentences are scored against the question by a blend of embedding cosine (MiniLM, via the
pipeline's embedder, cached per sentence) and IDF-weighted term overlap (so numbers, acronyms and
dataset names count even where the embedding blurs them), plus a small prior from the paper's
retrieval score. Sentences are then picked MMR-style so that two near-identical sentences never
both appear, and grouped by paper so the answer reads as prose rather than a hit list.
"""

from __future__ import annotations

import bisect
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from rag.glossary import gloss_terms, glossed_words
from rag.questions import GENERIC_NAMES, Slot, fills, likened, negated
from rag.schema import Hit, Paper
from rag.sentences import (
    coins_name,
    embed_sentences,
    entities,
    idf_table,
    mentioned,
    names_verbatim,
    other_size,
    owns_name,
    split_sentences,
    terms,
)

# weights of the sentence score: cosine, IDF-weighted overlap, retrieval prior
W_DENSE = 0.55
W_LEX = 0.45
W_PRIOR = 0.15
# bonus of a sentence that fills the question's answer slot (rag.questions); tune split:
# docs/ANSWERING.md
W_SLOT = 0.15
# "what is the released model called": the sentence that gives the thing its name ("The
# resulting model, Llama-3-Physician, ...") answers it before one that only uses a name
_ASKS_NAME = re.compile(
    r"\bnames?\s+of\b|\b(?:called|dubbed)\b|\bnamed\b(?!\s+(?:as|in|by|after)\b)", re.IGNORECASE
)
# a sentence closer than this (cosine) to one already chosen is a near-duplicate
DUP_COS = 0.85
# MMR trade-off between relevance and novelty
MMR_LAMBDA = 0.75


@dataclass
class Corpus:
    """Collection-wide statistics the scorers need: term IDF, every paper id, and the raw
    lower-cased vocabulary (for "does any abstract mention X")."""

    idf: dict[str, float]
    n_docs: int
    paper_ids: list[str]
    text_lower: str = ""
    # words of the glosses of the well-known names the abstracts give (rag.glossary): known
    # words, though no abstract writes them; the IDF stays that of the abstracts' own words
    glossed: frozenset[str] = frozenset()

    def term_idf(self, t: str) -> float:
        return self.idf.get(t, np.log(1.0 + (self.n_docs + 0.5) / 0.5))

    def knows(self, t: str) -> bool:
        """Whether some abstract uses the term or a spelling of the same word the stemmer does
        not join: "africa"/"african", "behaviour"/"behavior", "specialis"/"specializ" (a shared
        prefix of 6+ letters that leaves at most 2 letters of the shorter word), or a noun the
        stemmer keeps apart from its adjective ("false"/"falsehood"), or its "-er" form."""
        if t in self.idf or t in self.glossed:
            return True
        if not t.isalpha():
            return False
        # an agent noun or a comparative of a known word: "helper" (help), "weaker" (weak)
        if len(t) >= 6 and t.endswith("er") and t[:-2] in self.idf:
            return True
        vocab = self._sorted_vocab
        if len(t) >= 4:  # "fals" of "false" in "falsehood", "dark" in "darkness"
            i = bisect.bisect_left(vocab, t)
            while i < len(vocab) and vocab[i].startswith(t):
                if _DERIVED.fullmatch(vocab[i][len(t) :]):
                    return True
                i += 1
        if len(t) < 6:
            return False
        i = bisect.bisect_left(vocab, t[:6])
        while i < len(vocab) and vocab[i].startswith(t[:6]):
            u = vocab[i]
            n = len(os.path.commonprefix([t, u]))
            if n >= min(len(t), len(u)) - 2:
                return True
            i += 1
        return False

    @cached_property
    def _sorted_vocab(self) -> list[str]:
        return sorted(self.idf)


# what a derivation adds to a stem: "falsehood" (fals + ehood), "darkness", "rapidity"
_DERIVED = re.compile(r"e?(?:hood|ness|iti|ity|ment|ship|dom)")

_CORPUS_LOCK = threading.Lock()
_CORPORA: dict[tuple[str, int, int], Corpus] = {}


def corpus_for(pipeline) -> Corpus:  # noqa: ANN001 - Pipeline, imported lazily elsewhere
    """Built once per store generation from chunk texts (cheap for abstracts)."""
    store = pipeline.store
    key = (
        pipeline.settings.store_location + "/" + pipeline.settings.collection,
        store.generation,
        store.count(),
    )
    with _CORPUS_LOCK:
        if key in _CORPORA:
            return _CORPORA[key]
    docs: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for _, doc, md in store.iter_rows(include_documents=True):
        pid = str(md.get("paper_id"))
        docs.setdefault(pid, []).append(doc or "")
        titles[pid] = str(md.get("title", ""))
    texts = {pid: titles[pid] + "\n" + " ".join(parts) for pid, parts in docs.items()}
    idf, n = idf_table(terms(t) for t in texts.values())
    glossed = frozenset(t for text in texts.values() for t in glossed_words(text))
    corpus = Corpus(idf, n, sorted(docs), "\n".join(texts.values()).lower(), glossed)
    with _CORPUS_LOCK:
        _CORPORA.clear()
        _CORPORA[key] = corpus
    return corpus


@dataclass
class Scored:
    """One candidate sentence with its scores."""

    paper_id: str
    sentence: str
    position: int
    dense: float
    lex: float
    score: float
    vec: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def lexical_overlap(q_terms: list[str], s_terms: set[str], corpus: Corpus) -> float:
    """IDF-weighted share of the question's terms that the sentence contains."""
    uniq = set(q_terms)
    if not uniq:
        return 0.0
    total = sum(corpus.term_idf(t) for t in uniq)
    got = sum(corpus.term_idf(t) for t in uniq if t in s_terms)
    return got / total if total else 0.0


def compounded(q_terms: list[str], s_terms: set[str]) -> set[str]:
    """The question's terms that end a longer word of the text ("security" in "cybersecurity",
    "BERT" in "CySecBERT"): a title often closes up the words a reader writes apart."""
    return {
        t
        for t in q_terms
        if len(t) >= 4
        and t not in s_terms
        and any(len(u) >= len(t) + 3 and u.endswith(t) for u in s_terms)
    }


def own_names(question: str, paper: Paper) -> set[str]:
    """The question's terms for a name the paper owns: one its title names, or one its abstract
    introduces in parentheses ("an outcome-conditioned GFlowNet (OC-GFN)"). Every sentence of
    that paper is about that name, also the ones that say "we" or "our model" instead ("we
    propose two novel pre-training tasks" in URLBERT's abstract answers "What two pre-training
    tasks does URLBERT use?"), so those terms count as present in all of its sentences."""
    out: set[str] = set()
    for e in asked_names(question):
        if owns_name(e, paper.title, paper.abstract):
            out |= set(terms(e))
    return out


def asked_names(question: str) -> list[str]:
    """The question's specific names that can name a paper or its contribution (no numbers, no
    field-wide abbreviations such as "LLMs")."""
    return [e for e in entities(question) if not e[0].isdigit() and e not in GENERIC_NAMES]


def score_sentences(
    embedder,  # noqa: ANN001 - rag.embedding.Embedder
    corpus: Corpus,
    question: str,
    papers: list[Paper],
    prior: dict[str, float] | None = None,
    q_vec: np.ndarray | None = None,
) -> list[Scored]:
    """Every sentence of every paper scored against the question, best first."""
    sents: list[tuple[str, int, str]] = []
    owned = {p.id: own_names(question, p) for p in papers}
    # what a well-known name the paper gives is (rag.glossary) is, like its own names, in every
    # sentence of it: the sentence that names StackOverflow does not outrank the one with the
    # parameter counts asked for "the models trained on a programming Q&A site's posts"
    glossed = {p.id: gloss_terms(f"{p.title}\n{p.abstract}") for p in papers}
    for p in papers:
        for i, s in enumerate(split_sentences(p.abstract)):
            sents.append((p.id, i, s))
    if not sents:
        return []
    if q_vec is None:  # through the cache: follow-ups and compare re-use the same question
        q_vec = embed_sentences(embedder, [question])[0]
    vecs = embed_sentences(embedder, [s for _, _, s in sents])
    cos = vecs @ q_vec
    q_terms = terms(question)
    prior = prior or {}
    out: list[Scored] = []
    for (pid, i, s), c, v in zip(sents, cos, vecs, strict=True):
        lex = lexical_overlap(q_terms, set(terms(s)) | owned[pid] | glossed[pid], corpus)
        score = W_DENSE * float(c) + W_LEX * lex + W_PRIOR * prior.get(pid, 0.0)
        out.append(Scored(pid, s, i, float(c), lex, score, v))
    out.sort(key=lambda x: -x.score)
    return out


def prefer_slot(
    scored: list[Scored], slot: Slot, question: str, corpus: Corpus | None = None
) -> list[Scored]:
    """Sentences that hold what the question asks for (the number of the asked kind, a new name)
    move up by W_SLOT, so the quoted answer carries the fact and not only the topic. Asked for
    results (an open slot), only call it on one paper's sentences: it would reorder papers."""
    if not slot.checked and not slot.asks_outcome:
        return scored
    idf = corpus.term_idf if corpus else None
    # (among the best-matching paper's own sentences: another paper's "called V-PTR" is no
    # answer to what this one's score is called)
    coined = slot.kind == "name" and _ASKS_NAME.search(question) is not None and bool(scored)
    lead = scored[0].paper_id if scored else ""

    def bonus(s: Scored) -> float:
        return W_SLOT + (
            W_SLOT if coined and s.paper_id == lead and coins_name(s.sentence) else 0.0
        )

    out = [
        replace(s, score=s.score + bonus(s)) if fills(slot, s.sentence, question, idf) else s
        for s in scored
    ]
    out.sort(key=lambda x: -x.score)
    return out


def relevance(s: Scored) -> float:
    """Prior-free sentence relevance, comparable across questions (used for thresholds)."""
    return W_DENSE * s.dense + W_LEX * s.lex


def missing_entities(question: str, papers: list[Paper]) -> list[str]:
    """Specific names of the question that none of the candidate papers mentions; a name the
    question excludes ("without the usual RLHF stage") need not be there."""
    hay = "\n".join(p.title + "\n" + p.abstract for p in papers).lower()
    return [
        e
        for e in entities(question)
        if not mentioned(e, hay) and not negated(question, e) and not likened(question, e)
    ] + other_size(question, hay)


def mmr_select(
    scored: list[Scored],
    n: int,
    min_score: float,
    per_paper: int = 2,
    chosen: list[Scored] | None = None,
) -> list[Scored]:
    """Up to `n` sentences above `min_score`, relevant and mutually different (also from the
    already `chosen` ones, which are not returned again)."""
    done = list(chosen or [])
    chosen = list(done)
    per: dict[str, int] = {}
    for c in chosen:
        per[c.paper_id] = per.get(c.paper_id, 0) + 1
    n += len(chosen)
    pool = [s for s in scored if s.score >= min_score and s not in done][:60]
    while pool and len(chosen) < n:
        best, best_val = None, -1e9
        for s in pool:
            if per.get(s.paper_id, 0) >= per_paper:
                continue
            sim = max((float(s.vec @ c.vec) for c in chosen), default=0.0)
            if sim >= DUP_COS:
                continue
            val = MMR_LAMBDA * s.score - (1 - MMR_LAMBDA) * sim
            if val > best_val:
                best, best_val = s, val
        if best is None:
            break
        chosen.append(best)
        per[best.paper_id] = per.get(best.paper_id, 0) + 1
        pool.remove(best)
    return chosen[len(done) :]


# Sentences that point elsewhere rather than say something (code/project links, release notes):
# never quoted unless the question asks for code, data or a website.
_BOILERPLATE = re.compile(
    r"https?://|www\.|github\.com"
    # the artefact opens the sentence ("Code and videos can be found at", "Both models are
    # released"), not "... in which rich aligned code and text data is available"
    r"|^\W*(?:[\w-]+\W+){0,4}?(?:project|code|website|page|demo|videos?|models?|data(?:sets?)?"
    r"|weights|checkpoints)\b(?:\W+[\w-]+){0,6}?\s+(?:are|is|can\s+be|will\s+be)\s+"
    r"(?:\w+\s+){0,2}?(?:available|released|found|open-sourced?)\b"
    r"|\bwe (?:open-source|release|make)\b[^.]{0,80}\b(?:code|models?|"
    r"data(?:sets?)?|weights|checkpoints|publicly available)\b",
    re.IGNORECASE,
)
_ASKS_CODE = re.compile(
    r"\b(?:code|github|website|url|link|released?|open[- ]sourced?|available|public|download|weights"
    r"|checkpoints?|project\s+page|homepage|demos?)\b"
    # "Where can I find videos of it?": a place to look, which the link sentence gives
    r"|\bwhere\s+(?:can|could|do|would|should)\s+(?:i|we|you|one)\s+(?:find|see|get|watch"
    r"|access|download|look)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\bhow (?:many|much|large|big|long|fast|quickly|often|far)\b|\bby how\b|\bnumber of\b"
    r"|\bwhat (?:\w+ )?(?:percentage|rate|score|accuracy|size|fraction|proportion|speed-?up)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?"
    r"|thousands?|millions?|billions?|twice|half|double|triple|\w+fold)\b",
    re.IGNORECASE,
)


def is_boilerplate(sentence: str) -> bool:
    """A link / code-release / project-page sentence."""
    return bool(_BOILERPLATE.search(sentence))


def asks_code(question: str) -> bool:
    """The question asks for code, links or released artefacts, which boilerplate states."""
    return bool(_ASKS_CODE.search(question))


# an abstract's opening sentences that say nothing of the paper itself ("Large transformer models
# have shown ...", "It remains unclear when ..."): the field's background, not the paper's answer
_OWN_VOICE = re.compile(
    r"\b(?:we|our|us|this\s+(?:paper|work|study|article)|here|in\s+this)\b", re.IGNORECASE
)
# the first two sentences; 0.03-0.06 were equal on the tune split (multi key facts 0.511 -> 0.544,
# follow-up 0.786 -> 0.795, nothing lost), 0.10 lost a factoid's fact
BACKGROUND_POSITIONS = 2
W_BACKGROUND = 0.05


def is_background(s: Scored) -> bool:
    # (and a question the abstract poses, "can we rank the policies without running them?":
    # it restates what is asked, the sentence after it answers)
    return (
        s.position < BACKGROUND_POSITIONS and not _OWN_VOICE.search(s.sentence)
    ) or s.sentence.rstrip().endswith("?")


def demote_background(scored: list[Scored]) -> list[Scored]:
    """Background sentences move down by W_BACKGROUND: a question about papers wants what they
    did and found, which their own-voice sentences state."""
    if not W_BACKGROUND:
        return scored
    out = [replace(s, score=s.score - W_BACKGROUND) if is_background(s) else s for s in scored]
    out.sort(key=lambda x: -x.score)
    return out


def drop_boilerplate(
    question: str, scored: list[Scored], slot: Slot | None = None, corpus: Corpus | None = None
) -> list[Scored]:
    """`scored` without boilerplate sentences, unless the question asks for code or links. A
    link sentence that names what the question names stays ("our BLURB benchmark (short for
    Biomedical Language Understanding & Reasoning Benchmark) at https://aka.ms/BLURB"), and so
    does one that holds what the question's slot asks for ("which benchmark": BLURB)."""
    if asks_code(question):
        return scored
    names = asked_names(question)
    idf = corpus.term_idf if corpus else None

    def keep(s: Scored) -> bool:
        if not is_boilerplate(s.sentence) or any(names_verbatim(e, s.sentence) for e in names):
            return True
        return slot is not None and slot.checked and fills(slot, s.sentence, question, idf)

    return [s for s in scored if keep(s)]


def asks_quantity(question: str) -> bool:
    return bool(_QUANTITY.search(question))


def ensure_number(
    question: str, chosen: list[Scored], scored: list[Scored], min_score: float, n_max: int
) -> list[Scored]:
    """For a quantity question whose chosen sentences hold no number, bring in the best-scored
    number-bearing sentence of an already chosen paper (if it scores at least `min_score`):
    appended while under `n_max`, else replacing the weakest pick."""
    if not chosen or not asks_quantity(question) or any(NUMBER.search(s.sentence) for s in chosen):
        return chosen
    pids = {s.paper_id for s in chosen}
    extra = next(
        (
            s
            for s in scored
            if s.paper_id in pids and s.score >= min_score and NUMBER.search(s.sentence)
        ),
        None,
    )
    if extra is None:
        return chosen
    out = list(chosen) if len(chosen) < n_max else list(chosen[:-1])
    return [*out, extra]


# "better performance than DT": an abbreviation the quoted sentence uses but does not spell
# out, which another sentence of the same abstract defines ("decision transformer (DT)")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")


def define_abbreviations(
    question: str, chosen: list[Scored], scored: list[Scored], n_max: int
) -> list[Scored]:
    """The chosen sentences, then (while under `n_max`) the sentence of the same paper that
    spells out an abbreviation they use and neither they nor the question spell out: a reader
    told "DoC beats DT" learns what DT is from the abstract's own words."""
    out = list(chosen)
    said = question + " " + " ".join(s.sentence for s in chosen)
    for s in chosen:
        for m in _ABBREVIATION.finditer(s.sentence):
            a = re.escape(m.group(0))
            defines = re.compile(rf"\(\s*{a}\s*[),;]")
            if len(out) >= n_max:
                return out
            if (
                len(m.group(0)) > 6
                or defines.search(said)
                or re.search(rf"(?<![\w-]){a}(?![\w-])", question)
            ):
                continue
            extra = next(
                (
                    x
                    for x in scored
                    if x.paper_id == s.paper_id and x not in out and defines.search(x.sentence)
                ),
                None,
            )
            if extra is not None:
                out.append(extra)
                said += " " + extra.sentence
    return out


def rival_filler(
    question: str,
    slot: Slot,
    chosen: list[Scored],
    scored: list[Scored],
    window: float,
    idf: Callable[[str], float] | None = None,
) -> list[Scored]:
    """When one chosen sentence holds a name (or number) of the asked kind and another sentence
    of the same paper within `window` of it does too ("models pre-trained on the Pile" and "all
    experiments on the Pythia 410M language model architecture" for "which model"), telling the
    asked one apart takes more than word matching: the other is quoted too (707 tune questions:
    window 0.1 / 0.2 / 0.3 -> key facts 0.783 -> 0.788 / 0.789 / 0.791; 5 up, none down)."""
    filling = [s for s in chosen if fills(slot, s.sentence, question, idf)]
    if len(filling) != 1:
        return []
    lead = filling[0]
    for s in scored:
        if (
            s.score >= lead.score - window
            and s.paper_id == lead.paper_id
            and s not in chosen
            and fills(slot, s.sentence, question, idf)
        ):
            return [s]
    return []


def ensure_slot(
    question: str,
    slot: Slot,
    chosen: list[Scored],
    scored: list[Scored],
    n_max: int,
    corpus: Corpus | None = None,
) -> list[Scored]:
    """When no chosen sentence holds what the question asks for (the number of the asked kind,
    the name), bring in the best sentence of a chosen paper that does: appended while under
    `n_max`, else replacing the weakest pick. The gate (rag.abstention) has already made sure
    one exists in the subject papers."""
    idf = corpus.term_idf if corpus else None
    if (
        not chosen
        or not slot.checked
        or any(fills(slot, s.sentence, question, idf) for s in chosen)
    ):
        return chosen
    pids = {s.paper_id for s in chosen}
    extra = next(
        (s for s in scored if s.paper_id in pids and fills(slot, s.sentence, question, idf)), None
    )
    if extra is None:
        return chosen
    out = list(chosen) if len(chosen) < n_max else list(chosen[:-1])
    return [*out, extra]


def ensure_slot_each(
    question: str,
    slot: Slot,
    chosen: list[Scored],
    scored: list[Scored],
    subjects: list[str],
    corpus: Corpus | None = None,
) -> list[Scored]:
    """A question about several papers ("On how many tasks were OpenVLA and V-GPS evaluated?")
    asks each of them what it asks: a subject paper whose quoted sentences do not hold it gets its
    best sentence that does, in place of its own weakest quote (a paper keeps its share of the
    answer; the other subject's answer is not pushed out)."""
    if not (slot.checked or slot.asks_outcome) or len(subjects) < 2:
        return chosen
    idf = corpus.term_idf if corpus else None
    out = list(chosen)
    for pid in subjects:
        own = [s for s in out if s.paper_id == pid]
        if not own or any(fills(slot, s.sentence, question, idf) for s in own):
            continue
        extra = next(
            (s for s in scored if s.paper_id == pid and fills(slot, s.sentence, question, idf)),
            None,
        )
        if extra is None:
            continue
        if len(own) > 1:
            out.remove(own[-1])
        out.append(extra)
    return out


def cover_parts(
    parts: list[str],
    chosen: list[Scored],
    scored: list[Scored],
    best_for: Callable[..., Scored | None],
    n_max: int,
    paper_for: Callable[[str, str], str] | None = None,
    keep: frozenset[str] = frozenset(),
    other_for: Callable[[str, str], str] | None = None,
) -> list[Scored]:
    """A question that asks two things ("What scorer does X train, and what compute reduction
    does it achieve?") gets, from the paper the answer leads with, the best sentence for each
    ask: ranked against the whole question, one sentence holding both topics can crowd out the
    one that answers the second ask. `best_for(part, paper_id)` is that sentence or None. Added
    while under `n_max`, else in place of the weakest sentence no ask needs. `paper_for(part,
    lead)`: the paper an ask is about, when it describes another one than the lead ("..., and
    which model did the Turkish legal BERT compete with?"); its best sentence that holds what
    the ask asks for is taken, even below its best. A paper's only sentence is given up last,
    and one of `keep` (the papers the question is about) never before another's. `other_for(part,
    lead)`: for an ask the lead paper has nothing for, the paper that ask describes best."""
    if len(parts) < 2 or not chosen:
        return chosen
    lead = chosen[0].paper_id
    by_pos = {(s.paper_id, s.position): s for s in scored}
    out = list(chosen)
    needed: list[Scored] = []
    for part in parts:
        target = paper_for(part, lead) if paper_for else lead
        best = best_for(part, target, any_filler=target != lead)
        if best is None and target == lead and other_for is not None:
            # ("How many questions are in the dataset built to test whether domain pretraining
            # helps for law, and how many languages does AfroLM cover?": nothing of AfroLM's
            # shares a word with the first ask, which describes another paper)
            target = other_for(part, lead)
            best = best_for(part, target, any_filler=True) if target != lead else None
        if best is None:
            continue
        s = by_pos.get((best.paper_id, best.position), best)
        needed.append(s)
        if s in out:
            continue
        # ("How big is the CaseHOLD dataset, and which model does the Turkish legal BERT
        # compete with?" lost CaseHOLD's only sentence for a second LegalTurk one)
        spare = [x for x in out if x not in needed]
        several = [x for x in spare if sum(y.paper_id == x.paper_id for y in out) > 1]
        kept = [x for x in spare if x.paper_id not in keep or x in several]
        if len(out) >= n_max and spare:
            out.remove((several or kept or spare)[-1])
        if len(out) < n_max:
            out.append(s)
    return out


def compose_qa(chosen: list[Scored], number: dict[str, int], lead: Scored | None = None) -> str:
    """Sentences grouped by paper (papers in order of their best sentence; sentences of one
    paper in abstract order, which keeps their own logic), each followed by its [n]. `lead`, the
    sentence that holds what the question asks for ("3.5M decisions" for "how many decisions"),
    comes first, so the answer opens with the answer."""
    groups: dict[str, list[Scored]] = {}
    if lead is not None and lead in chosen:
        groups[lead.paper_id] = []
    for s in chosen:
        groups.setdefault(s.paper_id, []).append(s)
    parts: list[str] = []
    for pid, ss in groups.items():
        ss.sort(key=lambda x: (x is not lead, x.position))
        for s in ss:
            parts.append(f"{cite(s.sentence, number[pid])}")
    return " ".join(parts)


_END = re.compile(r"([.!?][\"')\]]*)$")


def cite(sentence: str, n: int) -> str:
    """The verbatim sentence with [n] placed before its final punctuation."""
    m = _END.search(sentence)
    if m:
        return f"{sentence[: m.start()]} [{n}]{m.group(1)}"
    return f"{sentence} [{n}]"


def theme_label(texts: list[str], corpus: Corpus, exclude: set[str], n: int = 3) -> str:
    """A few words that name what a group of sentences shares and the collection does not: the
    terms found in most of the group's texts (titles and quoted sentences), weighted by their
    IDF, minus the question's own terms (every group shares those), written as they appear."""
    counts: dict[str, int] = {}  # in how many of the texts
    surface: dict[str, dict[str, int]] = {}
    for text in texts:
        seen: set[str] = set()
        for m in re.finditer(r"[A-Za-z][\w-]{3,}", text):
            word = m.group(0)
            found = terms(word)
            if not found or found[0] in exclude:
                continue
            t = found[0]
            if t not in seen:
                seen.add(t)
                counts[t] = counts.get(t, 0) + 1
            form = word if word.isupper() or word[1:].lower() != word[1:] else word.lower()
            surface.setdefault(t, {})[form] = surface.get(t, {}).get(form, 0) + 1
    ranked = sorted(counts, key=lambda t: (-counts[t] * corpus.term_idf(t), t))
    words = [max(surface[t], key=lambda f: surface[t][f]) for t in ranked[:n]]
    label = ", ".join(words)
    return label[:1].upper() + label[1:]


def best_by_paper(scored: list[Scored]) -> dict[str, Scored]:
    out: dict[str, Scored] = {}
    for s in scored:
        if s.paper_id not in out:
            out[s.paper_id] = s
    return out


def hit_prior(hits: list[Hit]) -> dict[str, float]:
    """Retrieval scores scaled to the top hit."""
    if not hits:
        return {}
    top = max(h.score for h in hits) or 1.0
    return {h.paper_id: max(h.score, 0.0) / top for h in hits}
