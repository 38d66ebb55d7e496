"""The page's own CSS: highlighted evidence, and the `[n]` chips whose source opens in place
(on hover, and on click or tap: the chip takes focus and keeps its card open until the reader
clicks elsewhere). Pure CSS, so it works without any script."""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
/* a little wider than Streamlit's centered column, so the compare table's evidence fits */
[data-testid="stMainBlockContainer"], [data-testid="stBottomBlockContainer"] { max-width: 58rem; }
.rag-abstract { line-height: 1.55; }
.rag-abstract mark, .rag-pop mark { background: #fff1a8; color: inherit; padding: 0 .1em; }
[data-testid="stMarkdownContainer"]:has(.rag-cite) { position: relative; }
.rag-cite {
  cursor: pointer; color: #1f5fbf; font-weight: 600; font-size: .85em;
  padding: 0 .12em; border-radius: .25em; outline: none; white-space: nowrap;
}
.rag-cite:hover, .rag-cite:focus { background: #e3ecfb; }
.rag-cite:focus-visible { box-shadow: 0 0 0 2px #1f5fbf; }
.rag-pop {
  display: none; position: absolute; left: 0; right: 0; margin-top: 1.45em; z-index: 1000;
  max-width: 44rem; padding: .65rem .85rem; border: 1px solid #d0d7e2; border-radius: .5rem;
  background: #fff; color: #262730; box-shadow: 0 6px 24px rgba(0, 0, 0, .14);
  font-size: .9rem; font-weight: 400; line-height: 1.45; white-space: normal; cursor: auto;
}
.rag-pop::before {  /* a bridge over the gap, so the pointer can move from chip to card */
  content: ""; position: absolute; left: 0; right: 0; top: -1.2em; height: 1.2em;
}
.rag-cite:hover .rag-pop, .rag-cite:focus .rag-pop, .rag-cite:focus-within .rag-pop {
  display: block;
}
.rag-pop > span { display: block; }
.rag-pop-title { font-weight: 600; margin-bottom: .15rem; }
.rag-pop-meta { color: #6b7080; font-size: .8rem; margin-bottom: .4rem; }
</style>
"""


def inject() -> None:
    """Once per run; `st.html` with only a <style> goes to the event container (no space)."""
    st.html(CSS)
