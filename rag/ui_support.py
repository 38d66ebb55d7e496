"""Everything the Streamlit pages do besides layout: the cached pipeline, turning answers into safe
text/HTML, the compare table, the Markdown export and the upload-ingest step.

Why here and not in `ui/`: these helpers are plain functions that unit tests call without a
browser, and the pages stay thin enough to read at a glance.

Safety rule used throughout: titles, abstracts, questions and answers are data, never markup.
Every string that reaches `st.markdown` goes through `escape_markdown` / `answer_markdown`, and the
only string ever rendered with `unsafe_allow_html=True` is built by `highlight_evidence`, which
escapes every character of the input before adding its own `<mark>` tags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import streamlit as st

from rag.schema import Answer, Citation, Hit, IngestReport, LoadIssue, Paper, SearchFilters
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

log = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("auto", "qa", "summary", "compare")
MAX_UPLOAD_NAME = 120
LIBRARY_LIMIT = 200
MODE_HELP = (
    "auto: decided from the question · qa: a cited answer · summary: grouped by theme · "
    "compare: which papers do X, screened beyond top-k"
)


# --- pipeline --------------------------------------------------------------------------------
def settings_fingerprint(settings: Settings) -> str:
    """A cache key that changes whenever the settings (incl. the secret key) change.

    `st.cache_resource` is process-wide, so two apps (or two tests) with different RAG_HOME or
    LLM settings must not share one Pipeline; the key is hashed so it never shows the secret."""
    data = settings.model_dump(mode="json")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    data["llm_api_key"] = hashlib.sha256(key.encode()).hexdigest()
    raw = repr(sorted(data.items()))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def get_pipeline(settings: Settings | None = None) -> Pipeline:
    """The Pipeline for these settings, built once per process (Streamlit reruns the script on
    every click; loading the embedding model and opening Chroma each time would be far too slow)."""
    settings = settings or Settings()
    return _cached_pipeline(settings_fingerprint(settings), settings)


def _cached_pipeline(fingerprint: str, _settings: Settings) -> Pipeline:
    from rag.pipeline import Pipeline as _Pipeline

    return _Pipeline(_settings)


def cached_stats(pipe: Pipeline) -> dict[str, Any]:
    """`pipeline.stats()` scans all chunk metadata; cache it briefly per store."""
    return _cached_stats(settings_fingerprint(pipe.settings), pipe)


def _cached_stats(fingerprint: str, _pipe: Pipeline) -> dict[str, Any]:
    return _pipe.stats()


def clear_stats_cache() -> None:
    """Called after an ingest so the sidebar counts are current."""
    clear = getattr(_cached_stats, "clear", None)
    if clear:
        clear()


_cached_pipeline = st.cache_resource(show_spinner="Loading the collection...")(_cached_pipeline)
_cached_stats = st.cache_resource(ttl=30, show_spinner=False)(_cached_stats)


# --- escaping --------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~$&#!(){}])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=\.))")


def escape_markdown(text: str) -> str:
    """Make arbitrary text inert in Markdown: shown literally, no links, images, HTML, maths.

    Newlines collapse to spaces (titles/abstracts are one paragraph; a newline could start a
    heading, list or code block)."""
    return _escape_inline(" ".join(str(text).split()))


_STRUCTURE = re.compile(r"^(?P<indent>[ \t]{0,6})(?P<marker>#{1,6}|[-*+]|\d{1,3}\.)[ \t]+(?=\S)")
_BOLD_HEAD = re.compile(r"^\\\*\\\*(.+?)\\\*\\\*")


def _escape_inline(text: str) -> str:
    out = _MD_INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, out)


def _escape_line_start(m: re.Match[str]) -> str:
    """`- x`, `+ x`, `= x` would start a list/heading; `1. x` an ordered list."""
    lead, mark = m.group(1), m.group(2)
    return f"{lead}\\{mark}" if not mark[0].isdigit() else f"{lead}{mark}\\"


def answer_markdown(text: str) -> str:
    """Render an answer's own structure (headings, bullets, numbered lists, a leading **theme**
    in summaries) while keeping every piece of quoted content inert.

    Each line keeps at most its list/heading marker; the rest is escaped, so a sentence copied
    from an abstract containing `<script>` or `[x](javascript:..)` shows as text. Indented
    continuation lines stay inside their list item, and every line break of the answer is kept
    (hard breaks), since Markdown would otherwise join the lines into one paragraph."""
    lines: list[str] = []
    structured: list[bool] = []
    in_list = False
    for raw in str(text).splitlines():
        if not raw.strip():
            lines.append("")
            structured.append(False)
            in_list = False
            continue
        m = _STRUCTURE.match(raw)
        if m:
            body = _BOLD_HEAD.sub(r"**\1**", _escape_inline(raw[m.end() :].strip()))
            lines.append(f"{m.group('indent')[:3]}{m.group('marker')} {body}")
            in_list = not m.group("marker").startswith("#")
        else:
            body = _BOLD_HEAD.sub(r"**\1**", _escape_inline(raw.strip()))
            indented = raw[:1] in (" ", "\t")
            lines.append(("  " if in_list and indented else "") + body)
        structured.append(bool(m))
    for i in range(len(lines) - 1):
        if lines[i] and lines[i + 1] and not structured[i + 1]:
            lines[i] += "  "
    return "\n".join(lines).rstrip()


_HTML_MD_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_[]|~$#!(){}+-.:="}


def _inert(text: str) -> str:
    """HTML-escape, then turn Markdown punctuation into numeric entities: safe both as HTML and
    inside `st.markdown(..., unsafe_allow_html=True)`, which still parses Markdown."""
    return "".join(_HTML_MD_ENTITIES.get(c) or html.escape(c, quote=True) for c in text)


def inert_html(text: str) -> str:
    """`_inert` over the text with whitespace runs collapsed (a newline could end an HTML block)."""
    return _inert(" ".join(str(text).split()))


def _find_span(hay: str, needle: str) -> tuple[int, int] | None:
    """Case- and whitespace-insensitive search (evidence may be re-spaced by chunking)."""
    words = needle.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, hay, flags=re.IGNORECASE)
    return (m.start(), m.end()) if m else None


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\s*(?:\.\.\.|…)\s*")


def evidence_spans(abstract: str, evidence: str) -> list[tuple[int, int]]:
    """Where the evidence lies in the abstract: the whole quote if it is verbatim, else each of
    its sentences/fragments that is (a citation may join non-adjacent sentences)."""
    if not evidence or not evidence.strip():
        return []
    whole = _find_span(abstract, evidence.strip())
    if whole:
        return [whole]
    spans: list[tuple[int, int]] = []
    for part in _SENT_SPLIT.split(evidence):
        part = part.strip().strip('"“”')
        if len(part) < 12:  # tiny fragments would highlight random words
            continue
        span = _find_span(abstract, part)
        if span:
            spans.append(span)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight_evidence(abstract: str, evidence: str) -> str:
    """The abstract as safe HTML with the cited evidence wrapped in <mark>.

    Each segment is escaped *before* the tags are added, so nothing from the abstract or the
    evidence can close the <mark> or inject markup. This is the only string the UI renders
    with unsafe_allow_html."""
    flat = " ".join(str(abstract).split())
    parts: list[str] = []
    pos = 0
    for s, e in evidence_spans(flat, evidence):
        parts.append(_inert(flat[pos:s]))
        parts.append(f"<mark>{_inert(flat[s:e])}</mark>")
        pos = e
    parts.append(_inert(flat[pos:]))
    return f'<div class="rag-abstract">{"".join(parts)}</div>'


# --- per-answer structures -------------------------------------------------------------------
@dataclass
class Turn:
    """One question and its outcome, as kept in `st.session_state`."""

    question: str
    mode: str
    filters: SearchFilters | None = None
    k: int | None = None
    answer: Answer | None = None
    papers: dict[str, Paper] = field(default_factory=dict)
    error: str = ""
    rerun_of: int | None = None  # index of the turn whose rewritten question was edited


def describe_filters(filters: SearchFilters | None, k: int | None = None) -> str:
    """One line for the retrieval-state box."""
    parts: list[str] = []
    if k:
        parts.append(f"top-k {k}")
    if filters and filters.year_from:
        parts.append(f"year ≥ {filters.year_from}")
    if filters and filters.year_to:
        parts.append(f"year ≤ {filters.year_to}")
    if filters and filters.venue:
        parts.append(f"venue = {filters.venue}")
    if filters and filters.ids:
        parts.append(f"{len(filters.ids)} selected papers")
    return ", ".join(parts) if parts else "none"


def make_filters(year_from: int | None, year_to: int | None) -> SearchFilters | None:
    """Sidebar values -> filters (None when nothing is set, so the answerer skips filtering)."""
    f = SearchFilters(
        year_from=int(year_from) if year_from else None,
        year_to=int(year_to) if year_to else None,
    )
    return None if f.is_empty() else f


def paper_meta_line(paper_id: str, year: int | None, venue: str | None) -> str:
    """'id · year · venue' with whatever is known; plain text (escape before Markdown)."""
    bits = [paper_id]
    if year:
        bits.append(str(year))
    if venue:
        bits.append(venue)
    return " · ".join(bits)


def reference_label(c: Citation) -> str:
    """Expander label (Streamlit renders labels as Markdown, so the title is escaped)."""
    return f"\\[{c.n}\\] {escape_markdown(c.title)}"


def compare_rows(answer: Answer) -> list[dict[str, Any]]:
    """Rows of the compare-mode table (plain values; st.dataframe shows them as text)."""
    return [
        {
            "paper": p.title,
            "year": p.year if p.year is not None else "",
            "evidence": p.evidence,
            "confidence": round(float(p.confidence), 2),
        }
        for p in answer.papers
    ]


def markdown_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Table rows for a Markdown-rendering table: every cell escaped, numbers as text."""
    return [{k: _md_table_cell(v) for k, v in r.items()} for r in rows]


def compare_caption(answer: Answer) -> str:
    n = len(answer.papers)
    screened = answer.screened or len(answer.retrieved)
    return f"{n} matching paper{'s' if n != 1 else ''} of {screened} screened"


def is_llm(answer: Answer) -> bool:
    return answer.backend.startswith("llm")


def backend_label(answer: Answer) -> str:
    """What produced the answer; a fallback says so plainly."""
    if answer.notice and not is_llm(answer):
        return "extractive answer (fallback)"
    if is_llm(answer):
        return f"LLM answer ({answer.backend.split(':', 1)[-1]})"
    return "extractive answer"


def closest_papers(answer: Answer, n: int = 5) -> list[Hit]:
    return list(answer.retrieved[:n])


# --- sidebar ---------------------------------------------------------------------------------
def endpoint_host(url: str | None) -> str:
    """Host[:port] of an endpoint URL: never the path, query or any user:password part."""
    if not url:
        return "api.openai.com (default)"
    try:
        parsed = urlparse(url if "//" in url else f"//{url}")
        host = parsed.hostname or "?"
        port = parsed.port
    except ValueError:
        return "(invalid URL)"
    return f"{host}:{port}" if port else host


def answerer_description(settings: Settings) -> str:
    """Sidebar text for the answerer; built from model and host only, so the key cannot leak."""
    if not settings.llm_model:
        return "extractive (offline: quotes sentences from the abstracts)"
    return f"LLM {settings.llm_model} at {endpoint_host(settings.llm_base_url)}"


def collection_lines(stats: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for the sidebar's collection box."""
    return [
        ("papers", str(stats.get("papers", "?"))),
        ("chunks", str(stats.get("chunks", "?"))),
        ("embedding model", str(stats.get("embed_model") or "(none yet)")),
        ("store", str(stats.get("store", "?"))),
    ]


# --- export ----------------------------------------------------------------------------------
def _md_table_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return escape_markdown(str(value))


def export_markdown(turns: Sequence[Turn]) -> str:
    """The conversation as Markdown with a numbered reference list under each answer.

    Every user- or corpus-provided string is escaped, so opening the file in any Markdown viewer
    shows titles like `<script>` literally and follows no links."""
    out: list[str] = ["# Conversation", ""]
    for i, t in enumerate(turns, 1):
        out.append(f"## {i}. {escape_markdown(t.question)}")
        out.append("")
        if t.error:
            out += [f"*Error:* {escape_markdown(t.error)}", ""]
            continue
        a = t.answer
        if a is None:
            continue
        out.append(f"*Mode:* {a.mode} · *{escape_markdown(backend_label(a))}*")
        if a.standalone_question and a.standalone_question != t.question:
            out.append(f"*Searched for:* {escape_markdown(a.standalone_question)}")
        out.append(f"*Filters:* {escape_markdown(describe_filters(t.filters, t.k))}")
        out.append("")
        if a.notice:
            out += [f"> **Notice:** {escape_markdown(a.notice)}", ""]
        out += [answer_markdown(a.answer), ""]
        if a.flagged:
            out.append("**⚠ Not supported by the cited abstracts:**")
            out += [f"- {escape_markdown(s)}" for s in a.flagged]
            out.append("")
        if a.mode == "compare" and a.papers:
            out += [f"*{compare_caption(a)}*", ""]
            out.append("| paper | year | evidence | confidence |")
            out.append("| --- | --- | --- | --- |")
            for r in compare_rows(a):
                out.append(
                    "| "
                    + " | ".join(
                        _md_table_cell(r[c]) for c in ("paper", "year", "evidence", "confidence")
                    )
                    + " |"
                )
            out.append("")
        extra = closest_papers(a) if a.abstained else []
        if extra and not any(h.title in a.answer for h in extra):
            out.append("**Closest papers:**")
            for h in extra:
                out.append(f"- {escape_markdown(h.title)} ({escape_markdown(h.paper_id)})")
            out.append("")
        if a.citations:
            out.append("### References")
            out.append("")
            for c in a.citations:
                p = t.papers.get(c.paper_id)
                meta = paper_meta_line(c.paper_id, p.year if p else None, p.venue if p else None)
                out.append(f"{c.n}. {escape_markdown(c.title)} ({escape_markdown(meta)})  ")
                out.append(f"   Evidence: “{escape_markdown(c.evidence)}”")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- asking ----------------------------------------------------------------------------------
def short_error(exc: BaseException) -> str:
    """One line for st.error: the user's own problems verbatim, anything else by type only
    plus its first line (the traceback goes to the log, never to the page)."""
    from rag.errors import is_user_error

    first = (str(exc).strip().splitlines() or [""])[0][:300]
    if is_user_error(exc):
        return first or type(exc).__name__
    return (
        f"Something went wrong ({type(exc).__name__}: {first})"
        if first
        else (f"Something went wrong ({type(exc).__name__})")
    )


class StreamCapture:
    """Iterate `ask_stream`, yielding the str deltas (for st.write_stream) and keeping the final
    Answer, which arrives as the last item."""

    def __init__(self, stream: Iterable[str | Answer]) -> None:
        self._stream = stream
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for item in self._stream:
            if isinstance(item, Answer):
                self.answer = item
            elif item:
                yield str(item)


def fetch_papers(pipe: Pipeline, answer: Answer) -> dict[str, Paper]:
    """The full records behind an answer's citations/table/closest papers (for abstracts,
    year and venue in the reference list)."""
    ids = [c.paper_id for c in answer.citations]
    ids += [p.paper_id for p in answer.papers]
    ids += [h.paper_id for h in answer.retrieved[:5]] if answer.abstained else []
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return {}
    try:
        return dict(pipe.papers(ids))
    except Exception:  # the reference list degrades to evidence only
        log.exception("could not fetch papers %s", ids)
        return {}


def history_answers(turns: Sequence[Turn], upto: int | None = None) -> list[Answer]:
    """Earlier answers (the conversation context for follow-up rewriting)."""
    chosen = turns if upto is None else turns[:upto]
    return [t.answer for t in chosen if t.answer is not None]


# --- library upload --------------------------------------------------------------------------
def upload_suffix(name: str) -> str | None:
    """The supported (possibly compound, e.g. .jsonl.gz) suffix of an uploaded file name."""
    from rag.loading import SUPPORTED_SUFFIXES

    low = name.lower()
    for suf in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if low.endswith(suf):
            return suf
    return None


def safe_upload_name(name: str) -> str:
    """A file name usable on disk that keeps the original suffix (the loader picks the format by
    suffix) and readable issue locations."""
    base = Path(name.replace("\\", "/")).name or "upload"
    suffix = upload_suffix(base) or ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "upload"
    return stem[:MAX_UPLOAD_NAME] + suffix


@dataclass
class UploadOutcome:
    report: IngestReport | None = None
    error: str = ""  # set when nothing was ingested (lock held, unsupported file, failure)

    @property
    def errors(self) -> list[LoadIssue]:
        return [i for i in (self.report.issues if self.report else []) if i.level == "error"]

    @property
    def warnings(self) -> list[LoadIssue]:
        return [i for i in (self.report.issues if self.report else []) if i.level != "error"]


def ingest_upload(
    pipe: Pipeline,
    name: str,
    data: bytes,
    on_progress: Callable[[int, int], None] | None = None,
) -> UploadOutcome:
    """Save an upload under its own name (keeping the suffix) in a temp dir and ingest it.

    A second writer gets the lock message as `error` instead of an exception, so the page can
    show it with st.error."""
    from rag.indexing import IngestLockedError

    if upload_suffix(name) is None:
        from rag.loading import SUPPORTED_SUFFIXES

        return UploadOutcome(
            error=f"unsupported file type: {name!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        path = Path(tmp) / safe_upload_name(name)
        path.write_bytes(data)
        try:
            report = pipe.ingest([path], progress=False, on_progress=on_progress)
        except IngestLockedError as exc:
            return UploadOutcome(error=str(exc))
        except Exception as exc:  # shown as one line; the traceback goes to the log
            log.exception("ingest of upload %s failed", name)
            return UploadOutcome(error=short_error(exc))
    clear_stats_cache()
    report.issues = [_rename_issue(i, str(path), name) for i in report.issues]
    return UploadOutcome(report=report)


def _rename_issue(issue: LoadIssue, tmp_path: str, name: str) -> LoadIssue:
    """Issue locations name the user's file, not our temp copy."""
    if tmp_path in issue.where:
        return dataclasses.replace(issue, where=issue.where.replace(tmp_path, name))
    return issue


# --- Streamlit rendering ---------------------------------------------------------------------
# These call st.*; the pages only lay them out. Every text argument is escaped here.

TURNS = "turns"
PENDING = "pending"


def turns() -> list[Turn]:
    """The conversation (created on first use); survives reruns in session state."""
    return st.session_state.setdefault(TURNS, [])


def clear_chat() -> None:
    st.session_state[TURNS] = []
    st.session_state.pop(PENDING, None)
    for key in [k for k in st.session_state if str(k).startswith("edit_")]:
        del st.session_state[key]


def queue_rerun(index: int) -> None:
    """Button callback: ask the edited standalone question of turn `index` as a new turn."""
    ts = turns()
    if not 0 <= index < len(ts):
        return
    old = ts[index]
    edited = str(st.session_state.get(f"edit_{index}", "")).strip()
    if not edited:
        return
    st.session_state[PENDING] = Turn(
        question=edited, mode=old.mode, filters=old.filters, k=old.k, rerun_of=index
    )


def load_pipeline() -> Pipeline | None:
    """The cached pipeline, or None after showing why it could not be opened."""
    try:
        return get_pipeline(Settings())
    except Exception as exc:
        log.exception("could not open the pipeline")
        st.error(f"Could not open the collection: {short_error(exc)}")
        return None


@dataclass
class Controls:
    k: int | None
    filters: SearchFilters | None


def render_sidebar(pipe: Pipeline) -> Controls:
    """Collection, answerer, retrieval controls, clear and export."""
    sb = st.sidebar
    sb.subheader("Collection")
    try:
        stats = cached_stats(pipe)
        sb.markdown(
            "  \n".join(f"**{k}:** {escape_markdown(v)}" for k, v in collection_lines(stats))
        )
        if not stats.get("chunks"):
            st.info("The collection is empty: add papers on the Library page or run `rag ingest`.")
    except Exception as exc:
        log.exception("stats failed")
        sb.error(short_error(exc))
    sb.subheader("Answerer")
    sb.markdown(escape_markdown(answerer_description(pipe.settings)))
    sb.subheader("Retrieval")
    k = sb.slider("Top-k papers", 1, 50, int(pipe.settings.top_k), key="top_k")
    c1, c2 = sb.columns(2)
    y_from = c1.number_input("Year from", 1900, 2100, value=None, step=1, key="year_from")
    y_to = c2.number_input("Year to", 1900, 2100, value=None, step=1, key="year_to")
    sb.divider()
    sb.button("Clear chat", on_click=clear_chat, width="stretch")
    ts = turns()
    sb.download_button(
        "Export conversation",
        data=export_markdown(ts),
        file_name="conversation.md",
        mime="text/markdown",
        disabled=not ts,
        width="stretch",
        key="export",
    )
    return Controls(k=int(k), filters=make_filters(y_from, y_to))


def render_reference(c: Citation, paper: Paper | None) -> None:
    with st.expander(reference_label(c)):
        st.markdown(f"**{escape_markdown(c.title)}**")
        meta = paper_meta_line(
            c.paper_id, paper.year if paper else None, paper.venue if paper else None
        )
        st.caption(escape_markdown(meta))
        if paper is not None:
            st.markdown(highlight_evidence(paper.abstract, c.evidence), unsafe_allow_html=True)
        else:
            st.markdown(f"Evidence: “{escape_markdown(c.evidence)}”")
        st.caption(f"support {float(c.support):.2f}")


def render_answer_body(a: Answer, papers: dict[str, Paper]) -> None:
    """Notice, answer text, flagged sentences, compare table, closest papers, references."""
    if a.notice:
        st.warning(f"⚠ {escape_markdown(a.notice)}")
    st.caption(f"{escape_markdown(backend_label(a))} · mode: {escape_markdown(a.mode)}")
    if a.abstained:
        st.info(answer_markdown(a.answer) or "No abstract in the collection answers this.")
        hits = closest_papers(a)
        if hits and not any(h.title in a.answer for h in hits):
            st.markdown("**Closest papers:**")
            st.markdown(
                "\n".join(
                    f"- {escape_markdown(h.title)} "
                    f"({escape_markdown(paper_meta_line(h.paper_id, h.year, h.venue))})"
                    for h in hits
                )
            )
    elif a.answer.strip():
        st.markdown(answer_markdown(a.answer))
    if a.flagged:
        st.warning(
            "⚠ Not supported by the cited abstracts:\n"
            + "\n".join(f"- {escape_markdown(s)}" for s in a.flagged)
        )
    if a.removed_citations:
        st.caption(
            "Removed citations that named no source: "
            + ", ".join(f"\\[{n}\\]" for n in a.removed_citations)
        )
    if a.mode == "compare" and (a.papers or a.screened):
        st.caption(escape_markdown(compare_caption(a)))
        if a.papers:
            # st.table wraps the evidence quotes (st.dataframe cuts them off) and renders cells
            # as Markdown, hence the escaped copy
            st.table(markdown_rows(compare_rows(a)), hide_index=True)
    if a.citations:
        st.markdown("**References**")
        for c in a.citations:
            render_reference(c, papers.get(c.paper_id))


def render_retrieval_state(turn: Turn, index: int) -> None:
    """What was searched (the rewritten question) and with which filters; editable."""
    a = turn.answer
    if a is None:
        return
    standalone = a.standalone_question or turn.question
    st.caption(
        f"Searched for: “{escape_markdown(standalone)}” · "
        f"filters: {escape_markdown(describe_filters(turn.filters, turn.k))}"
    )
    with st.expander("Edit the search question and re-run"):
        st.text_input("Standalone question", value=standalone, key=f"edit_{index}")
        st.button("Re-run", key=f"rerun_{index}", on_click=queue_rerun, args=(index,))


def render_turn(turn: Turn, index: int) -> None:
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
        if turn.rerun_of is not None:
            st.caption(f"edited search question from turn {turn.rerun_of + 1}")
    with st.chat_message("assistant"):
        if turn.error:
            st.error(turn.error)
            return
        if turn.answer is not None:
            try:
                render_answer_body(turn.answer, turn.papers)
            except Exception as exc:  # a malformed answer costs this turn, not the page
                log.exception("rendering turn %d failed", index)
                st.error(short_error(exc))
            render_retrieval_state(turn, index)


def _escaped_deltas(stream: Iterable[str]) -> Iterator[str]:
    """Streamed text is shown inert too (links/images/HTML); the final render restores the
    answer's own list and heading structure."""
    for delta in stream:
        yield _MD_INLINE.sub(r"\\\1", delta)


def take_request(question: str | None, mode: str, controls: Controls) -> Turn | None:
    """The next thing to answer: a re-run queued by a button, else the chat input."""
    pending = st.session_state.pop(PENDING, None)
    if isinstance(pending, Turn):
        return pending
    if question and question.strip():
        return Turn(question=question.strip(), mode=mode, filters=controls.filters, k=controls.k)
    return None


def answer_turn(pipe: Pipeline, turn: Turn) -> Turn:
    """Ask, streaming LLM deltas into the page; errors become `turn.error` (no traceback)."""
    ts = turns()
    history = [] if turn.rerun_of is not None else history_answers(ts)
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
    with st.chat_message("assistant"):
        try:
            if pipe.settings.llm_model:
                cap = StreamCapture(
                    pipe.ask_stream(
                        turn.question, history, mode=turn.mode, filters=turn.filters, k=turn.k
                    )
                )
                with st.spinner("Searching the abstracts..."):
                    st.write_stream(_escaped_deltas(cap))
                answer = cap.answer
                if answer is None:
                    raise RuntimeError("the answerer returned no answer")
            else:
                with st.spinner("Searching the abstracts..."):
                    answer = pipe.ask(
                        turn.question, history, mode=turn.mode, filters=turn.filters, k=turn.k
                    )
            turn.answer = answer
            turn.papers = fetch_papers(pipe, answer)
        except Exception as exc:
            log.exception("answering %r failed", turn.question)
            turn.error = short_error(exc)
            st.error(turn.error)
    ts.append(turn)
    return turn


# --- library page ----------------------------------------------------------------------------
def by_title(papers: Iterable[Paper]) -> list[Paper]:
    """Browsing order (the store returns records in its own order)."""
    return sorted(papers, key=lambda p: (p.title.casefold(), p.id))


def render_paper(p: Paper) -> None:
    label = escape_markdown(p.title) + (f" ({p.year})" if p.year else "")
    with st.expander(label):
        st.caption(escape_markdown(paper_meta_line(p.id, p.year, p.venue)))
        if p.authors:
            st.caption(escape_markdown(", ".join(p.authors)))
        st.text(p.abstract)


def render_upload(pipe: Pipeline) -> None:
    """Upload one file in any format `rag ingest` reads and ingest it with a progress bar."""
    from rag.indexing import summarise
    from rag.loading import SUPPORTED_SUFFIXES

    up = st.file_uploader(
        "Add papers (" + ", ".join(SUPPORTED_SUFFIXES) + ")",
        type=list(SUPPORTED_SUFFIXES),
        key="upload",
    )
    if up is None or not st.button("Ingest this file", key="ingest"):
        return
    bar = st.progress(0.0, text="Reading the file...")

    def on_progress(done: int, total: int) -> None:
        frac = min(1.0, done / total) if total else 1.0
        bar.progress(frac, text=f"Embedded {done} of {total} papers")

    outcome = ingest_upload(pipe, up.name, up.getvalue(), on_progress=on_progress)
    if outcome.error:
        bar.empty()
        st.error(outcome.error)
        return
    bar.progress(1.0, text="Done")
    assert outcome.report is not None
    st.success(escape_markdown(f"{up.name}: {summarise(outcome.report)}"))
    render_issues(outcome)


def render_issues(outcome: UploadOutcome, limit: int = 100) -> None:
    """Per-record problems from the IngestReport, as plain text."""
    if outcome.errors:
        st.error(f"{len(outcome.errors)} record(s) skipped:")
        st.text("\n".join(str(i) for i in outcome.errors[:limit]))
    if outcome.warnings:
        st.warning(f"{len(outcome.warnings)} warning(s):")
        st.text("\n".join(str(i) for i in outcome.warnings[:limit]))
