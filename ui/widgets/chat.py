"""The chat: first screen, turns (answer with citation chips, compare table, summary themes,
references, what was searched), the fixed mode selector, and asking with named stages."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from rag.display import (
    MODE_HELP,
    MODES,
    Turn,
    backend_label,
    citation_chip_maker,
    citation_meta,
    cited_evidence,
    closest_papers,
    compare_caption,
    compare_lead,
    compare_rest,
    compare_rows,
    fetch_papers,
    history_answers,
    paper_meta_line,
    short_error,
    turn_filters,
)
from rag.markup import answer_markdown, escape_markdown, escape_stream, highlight_evidence
from rag.overview import Example, Overview
from rag.pipeline import Pipeline
from rag.schema import Answer, Citation, Paper, SearchFilters

log = logging.getLogger(__name__)

TURNS = "turns"
PENDING = "pending"
EXAMPLE = "example"
MODE_LABELS = {"auto": "Auto", "qa": "Q&A", "summary": "Summary", "compare": "Compare"}
POLL_S = 0.15  # how often the stage line and streamed text are redrawn while answering


@dataclass
class Controls:
    k: int | None
    filters: SearchFilters | None


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


def queue_example(ex: Example) -> None:
    st.session_state[EXAMPLE] = ex


# --- first screen ----------------------------------------------------------------------------
def render_welcome(ov: Overview) -> None:
    """What the collection holds and example questions (one per mode) to start from."""
    facts = [f"**{ov.papers}** papers"]
    if ov.years:
        lo, hi = ov.year_range() or (0, 0)
        facts.append(
            f"{lo}–{hi}" + (f" ({ov.with_year} with a year)" if ov.with_year < ov.papers else "")
        )
    if ov.venues:
        facts.append(f"{len(ov.venues)} venue{'s' if len(ov.venues) != 1 else ''}")
    st.markdown("The collection: " + " · ".join(facts))
    if ov.terms:
        st.markdown(
            "Most frequent terms: " + " · ".join(f"*{escape_markdown(t)}*" for t in ov.terms)
        )
    if not ov.examples:
        return
    st.markdown("**Try one of these:**")
    for i, ex in enumerate(ov.examples):
        st.button(
            f"{MODE_LABELS[ex.mode]} · {ex.question}",
            key=f"example_{i}",
            on_click=queue_example,
            args=(ex,),
        )


# --- rendering -------------------------------------------------------------------------------
def render_reference(c: Citation, paper: Paper | None) -> None:
    with st.expander(f"\\[{c.n}\\] {escape_markdown(c.title)}"):
        st.caption(escape_markdown(f"{citation_meta(c, paper)} · support {float(c.support):.2f}"))
        if paper is not None:
            st.markdown(
                highlight_evidence(paper.abstract, " ".join(cited_evidence(c))),
                unsafe_allow_html=True,
            )
        else:
            st.markdown(f"Evidence: “{escape_markdown(c.evidence)}”")


def render_compare(a: Answer, papers: dict[str, Paper], index: int) -> None:
    """One sortable table (click a header to sort); selecting a row opens its abstract with
    the evidence marked below the table."""
    lead = compare_lead(a)
    count = "" if f" {a.screened} " in lead else escape_markdown(compare_caption(a)) + " · "
    st.markdown(answer_markdown(lead))
    st.caption(count + "click a column header to sort; select a row to read its abstract")
    rows = compare_rows(a)
    rest = compare_rest(a)  # "which of these ...": the named papers that do not match, and why
    # its [n] open the same citation chips as a QA answer's
    shown_rest = answer_markdown(rest, citation_chip_maker(a, papers)) if rest else ""
    if not rows:
        if shown_rest:
            st.markdown(shown_rest, unsafe_allow_html=True)
        return
    cfg: dict[str, Any] = {
        "ref": st.column_config.NumberColumn("[n]", width=45, format="[%d]"),
        "paper": st.column_config.TextColumn("paper", width=200),
        "year": st.column_config.NumberColumn("year", width=55, format="%d"),
        "decision": st.column_config.TextColumn("decision", width=105),
        "evidence": st.column_config.TextColumn("evidence", width=420),
    }
    event = st.dataframe(
        rows,
        hide_index=True,
        column_config=cfg,
        column_order=[c for c in ("ref", "paper", "year", "decision", "evidence") if c in rows[0]],
        row_height=88,
        on_select="rerun",
        selection_mode="single-row",
        key=f"compare_{index}",
    )
    if shown_rest:
        st.markdown(shown_rest, unsafe_allow_html=True)
    chosen = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if chosen and 0 <= chosen[0] < len(a.papers):
        row = a.papers[chosen[0]]
        paper = papers.get(row.paper_id)
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(row.title)}**")
            st.caption(
                escape_markdown(
                    paper_meta_line(row.paper_id, row.year, paper.venue if paper else None)
                )
            )
            if paper is not None:
                st.markdown(
                    highlight_evidence(paper.abstract, row.evidence), unsafe_allow_html=True
                )


def render_answer_body(a: Answer, papers: dict[str, Paper], question: str, index: int) -> None:
    """Notice, answer with citation chips, flagged sentences, compare table or references."""
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
    elif a.mode == "compare" and (a.papers or a.screened):
        render_compare(a, papers, index)
    elif a.answer.strip():
        chip = citation_chip_maker(a, papers)
        st.markdown(answer_markdown(a.answer, chip), unsafe_allow_html=True)
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
    if a.citations and a.mode != "compare":
        st.markdown("**References**")
        for c in a.citations:
            render_reference(c, papers.get(c.paper_id))


def render_retrieval_state(turn: Turn, index: int, ov: Overview | None) -> None:
    """What was searched (the rewritten question) and with which filters; editable."""
    a = turn.answer
    if a is None:
        return
    standalone = a.standalone_question or turn.question
    filters = turn_filters(turn)
    st.caption(
        f"Searched for: “{escape_markdown(standalone)}” · filters: {escape_markdown(filters)}"
        + (f" · {turn.seconds:.1f} s" if turn.seconds else "")
    )
    note = ov.filter_note(turn.filters) if ov else ""
    if turn.filters and not a.retrieved:
        st.warning(escape_markdown(note or "The filters left no paper to search."))
    elif note:
        st.caption(escape_markdown(note))
    with st.expander("Edit the search question and re-run"):
        st.text_input("Standalone question", value=standalone, key=f"edit_{index}")
        st.button("Re-run", key=f"rerun_{index}", on_click=queue_rerun, args=(index,))


def render_turn(turn: Turn, index: int, ov: Overview | None = None) -> None:
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
        if turn.rerun_of is not None:
            st.caption(f"edited search question from turn {turn.rerun_of + 1}")
    with st.chat_message("assistant"):
        if turn.error:
            st.error(turn.error)
            return
        if turn.note and turn.answer is None:
            st.warning(
                escape_markdown(turn.note)
                + " Nothing was searched: change or clear the filters in the sidebar."
            )
            st.caption(f"filters: {escape_markdown(turn_filters(turn))}")
            return
        if turn.answer is not None:
            try:
                render_answer_body(turn.answer, turn.papers, turn.question, index)
            except Exception as exc:  # a malformed answer costs this turn, not the page
                log.exception("rendering turn %d failed", index)
                st.error(short_error(exc))
            render_retrieval_state(turn, index, ov)


# --- input -----------------------------------------------------------------------------------
def mode_selector() -> str:
    """Pinned above the chat input (st.bottom), so it stays put however long the chat grows."""
    with st.bottom:
        mode = st.segmented_control(
            "Mode",
            MODES,
            default="auto",
            key="mode",
            format_func=MODE_LABELS.get,
            help=MODE_HELP,
        )
    return mode or "auto"


def take_request(question: str | None, mode: str, controls: Controls) -> Turn | None:
    """The next thing to answer: a re-run or example queued by a button, else the chat input."""
    pending = st.session_state.pop(PENDING, None)
    if isinstance(pending, Turn):
        return pending
    ex = st.session_state.pop(EXAMPLE, None)
    if isinstance(ex, Example):
        return Turn(question=ex.question, mode=ex.mode, filters=controls.filters, k=controls.k)
    if question and question.strip():
        return Turn(question=question.strip(), mode=mode, filters=controls.filters, k=controls.k)
    return None


FOLLOW = "follow"


def follow(index: int) -> None:
    """Scroll turn `index`'s question to the top of the view, even when the reader had scrolled
    up (each turn draws two chat messages). The turn number makes each script a new element, so
    the browser runs it once per new question."""
    st.html(
        f"<script>/* turn {index} */ (() => {{ const m = document.querySelectorAll("
        "'[data-testid=\"stChatMessage\"]'); "
        f"const t = m[{2 * index}] || m[m.length - 1]; "
        "if (t) t.scrollIntoView({block: 'start', behavior: 'instant'}); })();</script>",
        unsafe_allow_javascript=True,
    )


def follow_new_turn() -> None:
    """After the redraw that follows an answer, bring its question into view once."""
    index = st.session_state.pop(FOLLOW, None)
    if isinstance(index, int):
        follow(index)


class _Progress:
    """What the answering thread reports: the stage, streamed text, the result."""

    def __init__(self) -> None:
        self.stage = "starting"
        self.deltas: list[str] = []
        self.answer: Answer | None = None
        self.error: BaseException | None = None

    def set_stage(self, stage: str) -> None:
        self.stage = stage


def _ask(pipe: Pipeline, turn: Turn, history: list[Answer], prog: _Progress) -> None:
    try:
        kw: dict[str, Any] = {
            "mode": turn.mode,
            "filters": turn.filters,
            "k": turn.k,
            "on_stage": prog.set_stage,
        }
        if pipe.settings.llm_model:
            for item in pipe.ask_stream(turn.question, history, **kw):
                if isinstance(item, Answer):
                    prog.answer = item
                elif item:
                    prog.deltas.append(str(item))
        else:
            prog.answer = pipe.ask(turn.question, history, **kw)
        if prog.answer is None:
            raise RuntimeError("the answerer returned no answer")
    except BaseException as exc:  # re-raised on the page's thread
        prog.error = exc


def answer_turn(pipe: Pipeline, turn: Turn, ov: Overview | None) -> Turn:
    """Ask on a worker thread while the page shows the stage and the elapsed time (and streamed
    LLM text); errors become `turn.error` (one line, no traceback). When the filters leave no
    paper, nothing is asked and the turn says so."""
    ts = turns()
    history = [] if turn.rerun_of is not None else history_answers(ts)
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
    follow(len(ts))
    st.session_state[FOLLOW] = len(ts)
    with st.chat_message("assistant"):
        if ov is not None and turn.filters and ov.matching(turn.filters) == 0:
            turn.note = ov.filter_note(turn.filters)
            ts.append(turn)
            return turn
        status, text = st.empty(), st.empty()
        prog = _Progress()
        worker = threading.Thread(target=_ask, args=(pipe, turn, history, prog), daemon=True)
        t0 = time.perf_counter()
        worker.start()
        shown = 0
        while worker.is_alive():
            worker.join(POLL_S)
            stage = escape_markdown(prog.stage[:1].upper() + prog.stage[1:])
            status.caption(f"{stage}... {time.perf_counter() - t0:.1f} s")
            if len(prog.deltas) > shown:
                shown = len(prog.deltas)
                text.markdown(escape_stream("".join(prog.deltas[:shown])))
        turn.seconds = time.perf_counter() - t0
        status.empty()
        if prog.error is not None:
            log.error("answering %r failed", turn.question, exc_info=prog.error)
            turn.error = short_error(prog.error)
            st.error(turn.error)
        else:
            assert prog.answer is not None
            turn.answer = prog.answer
            turn.papers = fetch_papers(pipe, prog.answer)
    ts.append(turn)
    return turn
