"""Streamlit building blocks the pages lay out. Every string from the corpus or the user reaches
the page escaped (`rag.markup`); only HTML built there is rendered as HTML."""
