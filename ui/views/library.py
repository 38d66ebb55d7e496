"""Library page: browse and search the collection, add papers from a file (layout only)."""

from __future__ import annotations

import streamlit as st

from rag.display import by_title, short_error
from rag.pipeline import library
from ui.widgets import library as lib
from ui.widgets import session

LIMIT = 200

pipe = session.load_pipeline()
if pipe is None:
    st.stop()
st.title("Library")
# filled last: an ingest blocks the script while it runs, and the list below, drawn first, is
# then current rather than greyed out as stale (the page reruns once the ingest is done)
upload_box = st.container(border=True)
text = st.text_input("Search titles and abstracts", key="library_text")
try:
    found = by_title(library(pipe, text, limit=LIMIT))
except Exception as exc:
    st.error(short_error(exc))
    found = []
st.caption(
    f"{len(found)} paper{'' if len(found) == 1 else 's'}"
    + (f" (first {LIMIT})" if len(found) >= LIMIT else "")
)
for paper in found:
    lib.render_paper(paper)
with upload_box:
    lib.render_upload(pipe)
