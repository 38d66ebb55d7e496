"""Chat page: layout only (the parts are in ui.widgets, the logic in rag)."""

from __future__ import annotations

import streamlit as st

from ui.widgets import chat, session, sidebar

pipe = session.load_pipeline()
if pipe is None:
    st.stop()
ov = session.overview(pipe)
controls = sidebar.render(pipe, ov)
st.title("Ask the papers")
history = chat.turns()
if not history:
    chat.render_welcome(ov)
for i, turn in enumerate(history):
    chat.render_turn(turn, i, ov)
chat.follow_new_turn()
mode = chat.mode_selector()
question = st.chat_input("Ask about the papers...")
request = chat.take_request(question, mode, controls)
if request is not None:
    chat.answer_turn(pipe, request, ov)
    st.rerun()  # redraw from history: the final, checked answer replaces the streamed text
