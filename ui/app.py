"""Entry point: `rag ui` (or `streamlit run ui/app.py`). Names the pages "Chat" and "Library"
in the navigation; each page is a thin layout over ui.widgets."""

from __future__ import annotations

import streamlit as st

import rag  # noqa: F401  (offline switches before anything else loads)
from ui.widgets import style

st.set_page_config(page_title="Ask the papers", page_icon="📄", layout="centered")
style.inject()
page = st.navigation(
    [
        st.Page("views/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page(
            "views/library.py", title="Library", icon=":material/library_books:", url_path="library"
        ),
    ]
)
page.run()
