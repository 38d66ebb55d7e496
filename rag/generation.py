"""LLM tasks over numbered sources: answer/summary streams, follow-up condensing, screening, judging.

The orchestration (rag/answering.py, rag/compare.py, rag/conversation.py, rag/citations.py) decides
when to call these; this module only builds the prompts, calls the model and parses its replies.
Every LLM failure surfaces as `rag.llm.LLMError` so callers can fall back to offline answers.

Sources are wrapped in `<source id="N">...</source>` and any look-alike tag inside the paper text is
neutralised, so an abstract cannot close its own block and smuggle in instructions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

from rag.llm import LLMClient, LLMError, get_client
from rag.prompts import CANNOT_ANSWER, load_prompts
from rag.schema import Paper
from rag.settings import Settings

__all__ = [
    "CANNOT_ANSWER",
    "MODE_PROMPTS",
    "condense_question",
    "format_source",
    "format_sources",
    "is_cannot_answer",
    "judge_support",
    "neutralise",
    "parse_json_reply",
    "screen_papers",
    "stream_answer",
]

log = logging.getLogger(__name__)

# compare mode streams a themed summary of the papers that passed screening
MODE_PROMPTS: dict[str, str] = {"qa": "answer", "summary": "summary", "compare": "summary"}

HISTORY_TURNS = 4  # condense: the last few exchanges are enough to resolve references
HISTORY_ANSWER_CHARS = 600

# '<source', '</source', '< / sources' ... in any case; the '<' becomes a look-alike '‹'
_TAG_LIKE = re.compile(r"<(\s*/?\s*sources?\b)", re.IGNORECASE)


def neutralise(text: str) -> str:
    """Make any source-delimiter look-alike in paper text inert (it stays readable)."""
    return _TAG_LIKE.sub(lambda m: "\u2039" + m.group(1), text)


def format_source(n: int, paper: Paper) -> str:
    """One numbered source block: title, byline and abstract inside unforgeable delimiters."""
    lines = [f"Title: {neutralise(_one_line(paper.title))}"]
    byline = []
    if paper.authors:
        names = list(paper.authors[:6]) + (["et al."] if len(paper.authors) > 6 else [])
        byline.append(", ".join(names))
    if paper.year is not None:
        byline.append(str(paper.year))
    if paper.venue:
        byline.append(paper.venue)
    if byline:
        lines.append(f"Published: {neutralise(_one_line('; '.join(byline)))}")
    lines.append(f"Abstract: {neutralise(paper.abstract.strip())}")
    body = "\n".join(lines)
    return f'<source id="{int(n)}">\n{body}\n</source>'


def format_sources(sources: list[tuple[int, Paper]]) -> str:
    """All sources, numbered as given (the numbers are what the model cites as [n])."""
    return "\n\n".join(format_source(n, p) for n, p in sources)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _client(settings: Settings, client: LLMClient | None) -> LLMClient:
    return client if client is not None else get_client(settings)


# --- answers -----------------------------------------------------------------------------------
def stream_answer(
    settings: Settings,
    mode: str,
    question: str,
    sources: list[tuple[int, Paper]],
    client: LLMClient | None = None,
) -> Iterator[str]:
    """Text deltas of a cited answer (qa), themed summary (summary) or summary of matches (compare).

    No sources -> CANNOT_ANSWER without calling the model. An empty stream yields nothing (the
    caller treats that as cannot-answer). LLMError propagates, also mid-stream (`partial=True`).
    """
    try:
        prompt = MODE_PROMPTS[mode]
    except KeyError:
        raise ValueError(
            f"unknown mode {mode!r} (expected one of {sorted(MODE_PROMPTS)})"
        ) from None
    messages = load_prompts(settings).render(
        prompt, sources=format_sources(sources), question=question.strip()
    )
    if not sources:
        yield CANNOT_ANSWER
        return
    yield from _client(settings, client).stream_chat(messages)


_CANON = re.sub(r"[^a-z0-9 ]", "", CANNOT_ANSWER.lower())


# how small models paraphrase the cannot-answer sentence: "The sources do not provide information
# about X.", "There is no information on X in the provided abstracts."
_NO_INFO = re.compile(
    r"^(?:(?:i am |i'm )?sorry,?\s*)?(?:the (?:provided |given )?(?:sources?|abstracts?|papers?|"
    r"documents?|context)\s+(?:do|does)\s+not\s+(?:contain|provide|mention|include|say|state|"
    r"specify|give|discuss)|there is no (?:information|mention)|no (?:information|answer) "
    r"(?:is|was) (?:given|provided|found)|i (?:could|can)\s*not find)\b",
    re.IGNORECASE,
)
NO_INFO_MAX_CHARS = 200  # longer replies carry an answer besides the disclaimer


def is_cannot_answer(text: str) -> bool:
    """True for an empty reply or the fixed cannot-answer sentence (tolerating case, punctuation,
    stray citations and a short preamble such as "Sorry,"), or a short paraphrase of it that cites
    nothing ("The sources do not provide information about X.")."""
    norm = re.sub(r"\[\s*\d+(?:\s*[,-]\s*\d+)*\s*\]", " ", text.lower())
    norm = " ".join(re.sub(r"[^a-z0-9 ]", " ", norm).split())
    if not norm:
        return True
    if _CANON in norm and len(norm) <= len(_CANON) + 40:
        return True
    plain = text.strip()
    return (
        len(plain) <= NO_INFO_MAX_CHARS
        and not re.search(r"\[\s*\d", plain)
        and bool(_NO_INFO.match(plain))
    )


# --- cleaning a small model's reply ------------------------------------------------------------
# citation spellings small models use for source N: [Source 1], [source id="1"], (Source 1),
# 【1】, [^1], [ 1 ], <source id="1"> ... all become [1]
_CITE_VARIANTS = (
    re.compile(
        r"[\[(]\s*(?:source|src|abstract|paper|doc(?:ument)?)s?\s*(?:id\s*=?\s*)?[\"']?(\d+)[\"']?\s*[\])]",
        re.IGNORECASE,
    ),
    re.compile(
        r"<\s*source\s+id\s*=\s*[\"']?(\d+)[\"']?\s*/?>(?:\s*</\s*source\s*>)?", re.IGNORECASE
    ),
    re.compile(r"\u3010\s*(\d+)\s*\u3011"),
    re.compile(r"\[\^(\d+)\]"),
)
_ANSWER_LEAD = re.compile(r"^\s*(?:\*\*)?(?:answer|response)\s*:(?:\*\*)?\s*", re.IGNORECASE)
_REFS_HEAD = re.compile(
    r"^\s*(?:#+\s*)?(?:\*\*)?(?:references|sources|citations|bibliography)(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
_REF_LINE = re.compile(r"^\s*(?:[-*]\s*)?\[\d+\]\s*[:.-]?\s*\S")


def clean_answer(text: str) -> str:
    """Normalise a model's citation spellings to [n] and drop what the prompt asked it to leave out
    (an "Answer:" lead, a trailing reference list), so the citation check sees plain [n] markers."""
    for pat in _CITE_VARIANTS:
        text = pat.sub(lambda m: f"[{m.group(1)}]", text)
    text = _ANSWER_LEAD.sub("", text, count=1)
    lines = text.rstrip().splitlines()
    # a trailing block of "[n] Title ..." lines, with or without a "References:" header
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or _REF_LINE.match(lines[end - 1])):
        end -= 1
    if end < len(lines) and end > 0:
        tail = [ln for ln in lines[end:] if ln.strip()]
        if tail and all(
            _REF_LINE.match(ln) and not re.search(r"[.!?]\s*\[\d+\]\s*$", ln) for ln in tail
        ):
            lines = lines[:end]
    if lines and _REFS_HEAD.match(lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines).strip()


# a sentence the model left uncited gets the source that supports it at least this well (support
# as in rag.citations: cosine/word-overlap blend; a close paraphrase scores ~0.6+, an unrelated
# sentence of the same field ~0.3-0.45) and states all its numbers; otherwise it stays uncited
ATTRIBUTE_MIN_SUPPORT = 0.6
ATTRIBUTE_MIN_WORDS = 4


def _supports(body: str, paper: Paper, embedder: Any) -> float:
    """How well `paper` supports a sentence (rag.citations' support), 0 when the sentence states a
    number the paper does not: the invention small models make most, which similarity misses."""
    from rag.citations import support_scores, unsupported_numbers

    if unsupported_numbers(body, [paper]):
        return 0.0
    return support_scores(embedder, body, paper)[0]


def _best_source(
    body: str, sources: list[tuple[int, Paper]], embedder: Any, skip: frozenset[int] = frozenset()
) -> tuple[int, float]:
    """The given source (not in `skip`) that supports the sentence best, and that support."""
    best_n, best = 0, 0.0
    for n, paper in sources:
        if n not in skip and (sup := _supports(body, paper, embedder)) > best:
            best_n, best = n, sup
    return best_n, best


def _rewrite_sentences(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with each sentence of each line passed through `rewrite` (lines kept)."""
    from rag.sentences import split_sentences

    out_lines = []
    for line in text.split("\n"):
        parts = [rewrite(sent) for sent in (split_sentences(line) if line.strip() else [])]
        out_lines.append(" ".join(p.strip() for p in parts) if parts else line)
    return "\n".join(out_lines)


def _claim_sized(body: str) -> bool:
    return len(_WORD.findall(body.lower())) >= ATTRIBUTE_MIN_WORDS


def attribute_uncited(
    text: str,
    sources: list[tuple[int, Paper]],
    embedder: Any,
    min_support: float = ATTRIBUTE_MIN_SUPPORT,
) -> tuple[str, int]:
    """Small models often answer right but cite nothing ("It was trained on 970k demonstrations.").
    Each uncited sentence of real length gets `[n]` of the source that best supports it, when that
    support is high and the source states every number of the sentence. Returns the text and how
    many citations were added (reported, like removed ones)."""
    from rag.citations import CITE_RE

    if not sources or not _has_uncited(text):
        return text, 0
    added = 0

    def rewrite(sent: str) -> str:
        nonlocal added
        body = sent.rstrip()
        if CITE_RE.search(body) or not _claim_sized(body):
            return sent
        best_n, best = _best_source(body, sources, embedder)
        if not best_n or best < min_support:
            return sent
        m = re.search(r"[.!?]+[\"')\]]*$", body)
        cut = m.start() if m else len(body)
        added += 1
        return f"{body[:cut]} [{best_n}]{body[cut:]}"

    return _rewrite_sentences(text, rewrite), added


def move_misplaced(
    text: str,
    sources: list[tuple[int, Paper]],
    embedder: Any,
    min_support: float = ATTRIBUTE_MIN_SUPPORT,
) -> tuple[str, int]:
    """Small models often state a source's fact right but put another source's number on it
    ("970k robot demonstrations [1]" where [3] says it). A cited sentence that none of its cited
    sources supports (support below the flagging threshold, or a number they do not state) gets
    the one given source that does: support >= `min_support` and every number stated. Returns
    the text and how many sentences had their citation moved (reported, like removed ones)."""
    from rag.citations import (
        CITE_RE,
        SUPPORT_THRESHOLD,
        parse_citations,
        parse_marker,
        strip_citations,
    )

    by_n = dict(sources)
    moved = 0

    def rewrite(sent: str) -> str:
        nonlocal moved
        cited = [n for n in dict.fromkeys(parse_citations(sent)) if n in by_n]
        body = strip_citations(sent)
        if not cited or not _claim_sized(body):
            return sent
        if max(_supports(body, by_n[n], embedder) for n in cited) >= SUPPORT_THRESHOLD:
            return sent
        best_n, best = _best_source(body, sources, embedder, frozenset(cited))
        if not best_n or best < min_support:
            return sent
        first = [best_n]

        def repl(m: re.Match[str]) -> str:
            # numbers of no given source stay, for the citation check to remove and count
            nums = first + [n for n in parse_marker(m.group(1)) if n not in by_n]
            first.clear()
            return "[" + ", ".join(map(str, nums)) + "]" if nums else ""

        moved += 1
        return re.sub(r"\s+([.!?,;])", r"\1", CITE_RE.sub(repl, sent))

    return _rewrite_sentences(text, rewrite), moved


# a sentence of the same field that says something else scores ~0.3-0.45 (see above); below this
# against every source the model was given, a sentence is not drawn from them at all
GROUNDED_MIN_SUPPORT = 0.3


def ungrounded(claims: list[str], sources: list[tuple[int, Paper]], embedder: Any) -> bool:
    """True when no sentence of an answer comes from any source the model was given: each states
    a number none of them states, or is far from all of them (a small model that copies the
    prompt's wording, or answers from its own memory)."""
    return bool(claims) and all(
        _best_source(c, sources, embedder)[1] < GROUNDED_MIN_SUPPORT for c in claims
    )


def mostly_flagged(flagged: list[str], claims: list[str], share: float | None) -> bool:
    """True when more than `share` of an answer's sentences are flagged: a small model that
    states the right fact under the wrong source, or facts no source gives, most of the time
    (`llm_flagged_fallback`; None: never)."""
    return share is not None and bool(claims) and len(flagged) / len(claims) > share


def uncited_claims(text: str) -> list[str]:
    """Sentences of real length that cite nothing: claims no cited abstract supports (flagged)."""
    from rag.citations import CITE_RE
    from rag.sentences import split_sentences

    return [
        sent.strip()
        for line in text.splitlines()
        for sent in split_sentences(line)
        if not CITE_RE.search(sent) and len(_WORD.findall(sent.lower())) >= ATTRIBUTE_MIN_WORDS
    ]


def _has_uncited(text: str) -> bool:
    return bool(uncited_claims(text))


def screening_excerpt(paper: Paper, best_sentence: str = "") -> Paper:
    """The paper as the screening prompt shows it: its contribution statement ("we ...", "this
    paper ...") and the sentence most relevant to the criterion, in abstract order, instead of the
    whole abstract: a third of the prompt tokens, which is what a CPU model spends its time on.
    Both are verbatim sentences, so any quoted evidence stays checkable against the abstract."""
    from dataclasses import replace

    from rag.sentences import split_sentences

    sents = split_sentences(paper.abstract)
    if len(sents) <= 2:
        return paper
    claim = next(
        (s for s in sents if re.search(r"\b(?:we|our|this (?:paper|work))\b", s, re.I)), sents[0]
    )
    keep = [s for s in sents if s == claim or s == best_sentence.strip()]
    return replace(paper, abstract=" ".join(keep))


def answer_excerpt(paper: Paper, ranked: list[str], k: int | None) -> Paper:
    """The paper as the answer prompt shows it: its `k` sentences that score best for the
    question (`ranked`: its sentences, best first), in abstract order, instead of the whole
    abstract. A CPU model spends most of an answer reading the prompt (~60 tokens/s on 2 cores),
    and fewer sentences also leave a small model less to confuse. Verbatim sentences, so the
    citation check against the whole abstract is unchanged."""
    from dataclasses import replace

    from rag.sentences import split_sentences

    sents = split_sentences(paper.abstract)
    if not k or len(sents) <= k:
        return paper
    best = set(list(dict.fromkeys(s.strip() for s in ranked))[:k])
    keep = [s for s in sents if s.strip() in best]
    if not keep:
        return paper
    return replace(paper, abstract=" ".join(keep))


def select_sources(papers: list[Paper], ranked_ids: list[str], n: int | None) -> list[Paper]:
    """The `n` papers the LLM sees: in the order of `ranked_ids` (the answerer's best-sentence
    ranking, which already weighs retrieval and follow-up focus), then the rest in retrieval
    order. Fewer, better sources make a small model both faster and less distracted."""
    if not n or n >= len(papers):
        return list(papers)
    by_id = {p.id: p for p in papers}
    order = [pid for pid in dict.fromkeys(ranked_ids) if pid in by_id]
    order += [p.id for p in papers if p.id not in set(order)]
    return [by_id[pid] for pid in order[: max(1, n)]]


# --- follow-ups --------------------------------------------------------------------------------
def format_history(history: list[tuple[str, str]]) -> str:
    """The last few (question, answer) turns as a plain transcript."""
    lines: list[str] = []
    for q, a in history[-HISTORY_TURNS:]:
        answer = _one_line(a)
        if len(answer) > HISTORY_ANSWER_CHARS:
            answer = answer[:HISTORY_ANSWER_CHARS].rsplit(" ", 1)[0] + " ..."
        lines.append(f"User: {_one_line(q)}")
        lines.append(f"Assistant: {answer}")
    return "\n".join(lines)


_LEADS = re.compile(r"^(?:standalone question|rewritten question|question)\s*:\s*", re.IGNORECASE)


def condense_question(
    settings: Settings,
    history: list[tuple[str, str]],
    question: str,
    client: LLMClient | None = None,
) -> str:
    """A standalone rewrite of a follow-up; the question itself when there is no history or the
    model's reply is empty. LLMError propagates (callers fall back to offline carry-over)."""
    question = question.strip()
    if not history:
        return question
    messages = load_prompts(settings).render(
        "condense", history=format_history(history), question=question
    )
    llm = _client(settings, client)
    reply = llm.chat(messages)
    for line in reply.splitlines():
        line = _LEADS.sub("", line.strip()).strip().strip("\"'`\u201c\u201d").strip()
        if line:
            shared = set(_WORD.findall(line.lower())) & set(_WORD.findall(question.lower()))
            if (
                re.search(r"\[\s*\d", line)
                or len(line) > max(300, 3 * len(question))
                or len(line.split()) < 3
                or not shared
            ):
                # small models sometimes answer (with citations) instead of rewriting
                raise LLMError(
                    f"LLM call failed: {llm.describe()} answered the follow-up instead of "
                    "rewriting it"
                )
            return line
    return question


# --- JSON replies ------------------------------------------------------------------------------
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def parse_json_reply(text: str) -> Any:
    """The first JSON value in a model reply, tolerating code fences and chatter around it.

    Raises ValueError when there is none."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for cand in candidates:
        cand = cand.strip()
        try:
            return json.loads(cand)
        except ValueError:
            pass
        for i, ch in enumerate(cand):
            if ch in "[{":
                try:
                    value, _ = decoder.raw_decode(cand, i)
                except ValueError:
                    continue
                if isinstance(value, list | dict):
                    return value
    raise ValueError("no JSON value in the reply")


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in {"yes", "true", "y", "1", "match", "supported"}:
            return True
        if v in {"no", "false", "n", "0", "no match", "unsupported", "not supported"}:
            return False
    return None


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        m = re.search(r"\d+", value)
        return int(m.group()) if m else None
    return None


def _items_of(value: Any) -> list[Any]:
    """The per-paper objects in a screening reply: a list, or a dict wrapping one."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in ("results", "papers", "sources", "items", "decisions", "data"):
            if isinstance(value.get(key), list):
                return value[key]
        if "id" in value:
            return [value]
        # {"1": {...}, "2": {...}} or {"1": true}
        out = []
        for k, v in value.items():
            if isinstance(v, dict):
                out.append({"id": k, **v})
            elif _as_bool(v) is not None:
                out.append({"id": k, "match": v})
        return out
    return []


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_WORD = re.compile(r"[a-z0-9]+")


def _grounded_evidence(quote: str, abstract: str) -> str:
    """The quote if it is in the abstract; else the abstract sentence it best matches; else ''.

    The evidence column must be checkable against the abstract, so paraphrases are mapped back to
    the real sentence and inventions are dropped."""
    quote = _one_line(quote).strip(" \"'\u201c\u201d")
    if not quote:
        return ""
    flat = _one_line(abstract)
    if quote.lower() in flat.lower():
        start = flat.lower().index(quote.lower())
        return flat[start : start + len(quote)]
    qwords = set(_WORD.findall(quote.lower()))
    if not qwords:
        return ""
    best, best_score = "", 0.0
    for sent in _SENT_SPLIT.split(flat):
        swords = set(_WORD.findall(sent.lower()))
        if not swords:
            continue
        score = len(qwords & swords) / len(qwords | swords)
        if score > best_score:
            best, best_score = sent.strip(), score
    return best if best_score >= 0.5 else ""


def screen_papers(
    settings: Settings,
    criterion: str,
    papers: list[Paper],
    client: LLMClient | None = None,
    batch_size: int | None = None,
    on_malformed: Literal["raise", "false"] = "raise",
) -> list[tuple[str, bool, str]]:
    """(paper_id, matches, evidence sentence) for every paper, in the given order.

    Papers go to the model in batches (`batch_size`, default `settings.llm_screen_batch`),
    numbered 1..n inside each batch (numbers survive a model's copying better than ids). The
    prompt asks only for a yes/no per id (a few tokens each: generating is what costs on a CPU);
    an "evidence" quote, when a model adds one, is kept if it is grounded in the abstract, and the
    caller supplies the evidence sentence otherwise. The JSON reply may sit in a code fence or among chatter. A paper the
    reply leaves out, or whose decision cannot be read, gets (id, False, ""). A batch whose reply
    holds no JSON at all raises LLMError (`on_malformed="raise"`, the default, so the caller can
    fall back and say so) or marks the whole batch (id, False, "") with a warning logged
    (`on_malformed="false"`). Evidence is always a sentence of the paper's own abstract or "".
    """
    if not papers:
        return []
    prompts = load_prompts(settings)
    llm = _client(settings, client)
    size = max(1, int(batch_size or settings.llm_screen_batch))
    out: list[tuple[str, bool, str]] = []
    for start in range(0, len(papers), size):
        batch = papers[start : start + size]
        messages = prompts.render(
            "compare",
            criterion=_one_line(criterion),
            papers=format_sources([(i + 1, p) for i, p in enumerate(batch)]),
        )
        reply = llm.chat(messages)
        try:
            items = _items_of(parse_json_reply(reply))
        except ValueError:
            where = f"papers {start + 1}-{start + len(batch)} of {len(papers)}"
            if on_malformed == "raise":
                raise LLMError(
                    f"LLM call failed: the screening reply for {where} from {llm.describe()} "
                    "was not JSON; the model may be too small to follow the format"
                ) from None
            log.warning("screening reply for %s was not JSON; marking them as no match", where)
            items = []
        decided: dict[int, tuple[bool, str]] = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            n = _as_id(item.get("id", item.get("source", item.get("n"))))
            if n is None or not 1 <= n <= len(batch) or n in decided:
                continue
            match = _as_bool(
                item.get("match", item.get("matches", item.get("answer", item.get("decision"))))
            )
            quote = item.get("evidence", item.get("quote", ""))
            evidence = (
                _grounded_evidence(quote, batch[n - 1].abstract)
                if match and isinstance(quote, str)
                else ""
            )
            decided[n] = (bool(match), evidence)
        for i, paper in enumerate(batch, 1):
            match, evidence = decided.get(i, (False, ""))
            out.append((paper.id, match, evidence))
    return out


# --- faithfulness ------------------------------------------------------------------------------
_CITES = re.compile(r"\s*\[\s*\d+(?:\s*[,-]\s*\d+)*\s*\]")


def judge_support(
    settings: Settings,
    claim: str,
    source: Paper,
    client: LLMClient | None = None,
) -> float:
    """Share (0..1) of the claim's atomic statements the abstract supports, RAGAS-faithfulness style.

    Accepts {"statements": [{"supported": ...}]}, a bare list of those, or {"score": x}. A reply with
    no readable verdict raises LLMError so the caller can use its offline support score instead."""
    clean = _one_line(_CITES.sub("", claim))
    if not clean:
        return 0.0
    messages = load_prompts(settings).render("judge", claim=clean, source=format_source(1, source))
    llm = _client(settings, client)
    reply = llm.chat(messages)
    try:
        value = parse_json_reply(reply)
    except ValueError:
        value = None
    score = _score_of(value)
    if score is None:
        raise LLMError(
            f"LLM call failed: the support judgement from {llm.describe()} could not be read "
            "(expected JSON with statements and supported true/false)"
        )
    return min(1.0, max(0.0, score))


def _score_of(value: Any) -> float | None:
    if isinstance(value, dict):
        for key in ("score", "faithfulness", "support"):
            v = value.get(key)
            if isinstance(v, int | float) and not isinstance(v, bool):
                return float(v)
        statements = value.get("statements", value.get("verdicts"))
    else:
        statements = value
    if not isinstance(statements, list):
        return None
    verdicts = []
    for s in statements:
        if isinstance(s, dict):
            b = _as_bool(s.get("supported", s.get("verdict", s.get("support"))))
        else:
            b = _as_bool(s)
        if b is not None:
            verdicts.append(b)
    if not verdicts:
        return None
    return sum(verdicts) / len(verdicts)
