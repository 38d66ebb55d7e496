"""The chat's sidebar: the collection, the answerer (model @ host, never the key), retrieval
controls with filters only for fields the collection has, clear and export."""

from __future__ import annotations

import logging

import streamlit as st

from rag.display import answerer_description, collection_lines, make_filters, short_error
from rag.export import export_json, export_markdown
from rag.llm import endpoint_status
from rag.markup import escape_markdown
from rag.overview import Overview
from rag.pipeline import Pipeline
from ui.widgets.chat import Controls, clear_chat, turns
from ui.widgets.session import cached_stats

log = logging.getLogger(__name__)
ANY_VENUE = "(any venue)"


def _filters(ov: Overview) -> Controls:
    """Year and venue filters, each offered only when some paper has that field; the line below
    says how many papers they keep."""
    sb = st.sidebar
    y_from = y_to = venue = None
    if ov.years:
        lo, hi = ov.year_range() or (1900, 2100)
        sb.caption(f"Years in the collection: {lo}–{hi}")
        c1, c2 = sb.columns(2)
        y_from = c1.number_input("Year from", 1900, 2100, value=None, step=1, key="year_from")
        y_to = c2.number_input("Year to", 1900, 2100, value=None, step=1, key="year_to")
    if ov.venues:
        choice = sb.selectbox("Venue", [ANY_VENUE, *ov.venues], key="venue")
        venue = None if choice == ANY_VENUE else choice
    filters = make_filters(y_from, y_to, venue)
    if filters is not None:
        note = ov.filter_note(filters)
        if ov.matching(filters) == 0:
            sb.warning(escape_markdown(note))
        else:
            sb.caption(escape_markdown(note))
    if not (ov.years or ov.venues):
        sb.caption("No year or venue filter: the collection's papers have neither.")
    return Controls(k=None, filters=filters)


def render(pipe: Pipeline, ov: Overview) -> Controls:
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
    down = endpoint_status(pipe.settings)
    if down:  # a refused endpoint is not retried on every question: say so, and until when
        sb.warning(f"LLM endpoint down: {escape_markdown(down)}. Answers are extractive meanwhile.")
    sb.subheader("Retrieval")
    k = sb.slider("Top-k papers", 1, 50, int(pipe.settings.top_k), key="top_k")
    controls = _filters(ov)
    controls.k = int(k)
    sb.divider()
    sb.button("Clear chat", on_click=clear_chat, width="stretch", key="clear")
    ts = turns()
    exports = (
        ("Export .md", export_markdown, "conversation.md", "text/markdown", "export"),
        ("Export .json", export_json, "conversation.json", "application/json", "export_json"),
    )
    for col, (label, make, name, mime, key) in zip(sb.columns(2), exports, strict=True):
        col.download_button(label, make(ts), name, mime, key=key, disabled=not ts, width="stretch")
    sb.caption("Markdown reads as plain text; JSON keeps every answer's full record.")
    return controls
