"""Citation bookkeeping shared by both answerers: number the sources, parse `[n]` markers, drop
citations to sources that were never given, score how well each cited abstract supports the
sentence citing it, and renumber the cited sources by first use.

Every answer passes through `check_citations`, so a reader can trust that `[n]` names a source
the system actually showed the model, and can see which sentences are weakly supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rag.schema import Citation, Paper
from rag.sentences import embed_sentences, split_sentences, terms

# a cited sentence whose best support is below this is flagged; support blends cosine and word
# overlap (both 0..1), so a paraphrase of an abstract sentence scores ~0.6+, a verbatim quote 1.0
SUPPORT_THRESHOLD = 0.45
SUPPORT_W_COS = 0.5

# [3], [1, 2], [1,2;4], [1-3], [1–3]; adjacent groups like [1][2] are parsed one by one
CITE_RE = re.compile(r"\[(\s*\d+\s*(?:(?:[-–,;]|and)\s*\d+\s*)*)\]")
_MARKERS_RE = re.compile(r"\s*" + CITE_RE.pattern)


def number_sources(papers: list[Paper]) -> list[tuple[int, Paper]]:
    """Sources numbered 1..N in retrieval order, one number per paper."""
    seen: set[str] = set()
    out: list[tuple[int, Paper]] = []
    for p in papers:
        if p.id in seen:
            continue
        seen.add(p.id)
        out.append((len(out) + 1, p))
    return out


def parse_marker(body: str) -> list[int]:
    """Numbers named inside one bracket: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", body.strip()):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= b and b - a <= 50:
                out.extend(range(a, b + 1))
            else:
                out.extend([a, b])
        elif part.isdigit():
            out.append(int(part))
    return out


def parse_citations(text: str) -> list[int]:
    """Every cited number in order of appearance (with repeats)."""
    out: list[int] = []
    for m in CITE_RE.finditer(text):
        out.extend(parse_marker(m.group(1)))
    return out


def strip_citations(text: str) -> str:
    """The text without its [n] markers (an extractive sentence becomes its verbatim quote)."""
    return _MARKERS_RE.sub("", text).strip()


@dataclass
class Claim:
    """One sentence of an answer with the (renumbered) sources it cites."""

    text: str
    cited: list[int]


@dataclass
class Checked:
    text: str
    citations: list[Citation] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def renumber(text: str, valid: set[int]) -> tuple[str, dict[int, int], list[int]]:
    """Drop numbers not in `valid`, renumber the rest by first use, rewrite markers as
    "[a, b]". Returns the new text, old->new map and the removed numbers (first-seen order)."""
    mapping: dict[int, int] = {}
    removed: list[int] = []

    def repl(m: re.Match[str]) -> str:
        nums = parse_marker(m.group(1))
        kept: list[int] = []
        for n in nums:
            if n not in valid:
                if n not in removed:
                    removed.append(n)
                continue
            if n not in mapping:
                mapping[n] = len(mapping) + 1
            if mapping[n] not in kept:
                kept.append(mapping[n])
        if not kept:
            return "\x00"
        return "[" + ", ".join(str(k) for k in kept) + "]"

    out = CITE_RE.sub(repl, text)
    out = re.sub(r"\[(\d+(?:, \d+)*)\]\[(\d+(?:, \d+)*)\]", r"[\1, \2]", out)
    out = re.sub(r"[ \t]*\x00", "", out)  # "claim [9]." -> "claim."
    return out.strip(), mapping, removed


def claims_of(text: str) -> list[Claim]:
    """Split an answer into sentences; markers right after a sentence's end ("... done. [2]")
    belong to that sentence, not to the next one."""
    out: list[Claim] = []
    for line in text.splitlines():
        for sent in split_sentences(line):
            lead = re.match(r"^(\s*\[[^\]]*\])+", sent)
            if lead and out:
                out[-1].cited.extend(parse_citations(lead.group(0)))
                sent = sent[lead.end() :]
            body = strip_citations(sent)
            cited = parse_citations(sent)
            if body:
                out.append(Claim(body, cited))
    return out


Judge = Callable[[str, Paper], float]

# a magnitude suffix belongs to its number: "1M images" states 1M, not the "1" of "1) we ..."
_NUM = re.compile(r"\d+(?:[.,]\d+)*(?:[kmb](?![a-z]))?", re.IGNORECASE)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".").lower() for n in _NUM.findall(text)}


def unsupported_numbers(claim: str, papers: list[Paper]) -> list[str]:
    """Numbers in the claim that none of the cited papers states (title, abstract or year): the
    invention small models make most, and one a similarity score cannot see (43.6% vs 45%)."""
    have: set[str] = set()
    for p in papers:
        have |= _numbers(f"{p.title} {p.abstract} {p.year or ''}")
    return sorted(_numbers(strip_citations(claim)) - have)


def support_scores(
    embedder,  # noqa: ANN001 - rag.embedding.Embedder
    claim: str,
    paper: Paper,
) -> tuple[float, str]:
    """Best (support, abstract sentence): max over sentences of cosine/overlap blend."""
    sents = split_sentences(paper.abstract) or [paper.abstract]
    vecs = embed_sentences(embedder, sents)
    cvec = embed_sentences(embedder, [claim])[0]
    cos = np.clip(vecs @ cvec, 0.0, 1.0)
    c_terms = set(terms(claim))
    best, best_s = -1.0, sents[0]
    for s, c in zip(sents, cos, strict=True):
        if c_terms:
            overlap = len(c_terms & set(terms(s))) / len(c_terms)
        else:
            overlap = 0.0
        v = SUPPORT_W_COS * float(c) + (1 - SUPPORT_W_COS) * overlap
        if claim in paper.abstract and claim.strip() == s.strip():
            v = 1.0
        if v > best:
            best, best_s = v, s
    return max(best, 0.0), best_s


def check_citations(
    text: str,
    sources: list[tuple[int, Paper]],
    embedder,  # noqa: ANN001 - rag.embedding.Embedder
    judge: Judge | None = None,
    threshold: float = SUPPORT_THRESHOLD,
) -> Checked:
    """Remove invalid citations, renumber by first use, score support, list weak sentences.

    `judge(claim, paper)` (an LLM) replaces the embedding/overlap support score when given; the
    evidence sentence is still the abstract sentence closest to the claim."""
    by_n = {n: p for n, p in sources}
    new_text, mapping, removed = renumber(text, set(by_n))
    inv = {new: by_n[old] for old, new in mapping.items()}
    claims = claims_of(new_text)
    best: dict[int, tuple[float, str]] = {}
    quotes: dict[int, list[tuple[str, float]]] = {}
    # a sentence that cited only sources that were never given now stands uncited: flag it
    flagged: list[str] = [
        cl.text for cl in claims_of(text) if cl.cited and not any(n in by_n for n in cl.cited)
    ]
    for cl in claims:
        nums = [n for n in dict.fromkeys(cl.cited) if n in inv]
        if not nums:
            continue
        claim_best = 0.0
        for n in nums:
            sup, ev = support_scores(embedder, cl.text, inv[n])
            if judge is not None:
                try:
                    sup = float(judge(cl.text, inv[n]))
                except Exception:  # noqa: BLE001 - the judge is optional; keep the local score
                    pass
            claim_best = max(claim_best, sup)
            quotes.setdefault(n, []).append((ev, sup))
            if n not in best or sup > best[n][0]:
                best[n] = (sup, ev)
        if claim_best < threshold or unsupported_numbers(cl.text, [inv[n] for n in nums]):
            flagged.append(cl.text)
    citations = [
        Citation(n, inv[n].id, inv[n].title, ev, sup, quotes.get(n, []))
        for n, (sup, ev) in sorted(best.items())
    ]
    # a source cited only in a fragment that is no sentence still counts as cited
    for n in sorted(set(inv) - set(best)):
        p = inv[n]
        first = (split_sentences(p.abstract) or [p.abstract])[0]
        citations.append(Citation(n, p.id, p.title, first, 0.0))
    citations.sort(key=lambda c: c.n)
    return Checked(new_text, citations, flagged, removed, claims)
