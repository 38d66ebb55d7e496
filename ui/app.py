"""Chat over the paper abstracts: layout only; the logic lives in `rag.ui_support`.

Run with `rag ui` (or `streamlit run ui/app.py`).
"""

from __future__ import annotations

import streamlit as st

import rag  # noqa: F401  (offline switches before anything else loads)
from rag import ui_support as ui

st.set_page_config(page_title="Ask the papers", page_icon="📄", layout="centered")

pipe = ui.load_pipeline()
if pipe is None:
    st.stop()

controls = ui.render_sidebar(pipe)
st.title("Ask the papers")
st.caption("Answers cite abstracts as [n]; open a reference to see the quoted evidence.")

for i, turn in enumerate(ui.turns()):
    ui.render_turn(turn, i)

mode = st.radio("Mode", ui.MODES, horizontal=True, key="mode", help=ui.MODE_HELP)
question = st.chat_input("Ask about the papers...")
request = ui.take_request(question, mode, controls)
if request is not None:
    ui.answer_turn(pipe, request)
    st.rerun()  # redraw from history: the final, checked answer replaces the streamed text
