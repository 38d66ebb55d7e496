"""Browse and search the collection, and add papers from a file: layout only."""

from __future__ import annotations

import streamlit as st

import rag  # noqa: F401  (offline switches before anything else loads)
from rag import ui_support as ui
from rag.pipeline import library

st.set_page_config(page_title="Library", page_icon="📚", layout="centered")

pipe = ui.load_pipeline()
if pipe is None:
    st.stop()

st.title("Library")
with st.container(border=True):
    ui.render_upload(pipe)

text = st.text_input("Search titles and abstracts", key="library_text")
try:
    found = ui.by_title(library(pipe, text, limit=ui.LIBRARY_LIMIT))
except Exception as exc:
    st.error(ui.short_error(exc))
    found = []
st.caption(
    f"{len(found)} paper(s)"
    + (f" (first {ui.LIBRARY_LIMIT})" if len(found) >= ui.LIBRARY_LIMIT else "")
)
for paper in found:
    ui.render_paper(paper)
