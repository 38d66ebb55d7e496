"""Corpus text made safe for display: inert Markdown and HTML, highlighted evidence, and the
`[n]` citation chips that open their source in place.

Safety rule: titles, abstracts, questions and answers are data, never markup. Text bound for a
Markdown renderer goes through `escape_markdown` / `answer_markdown`; every HTML string is built
here from `_inert` pieces (each character escaped before our own tags are added). Front ends may
render only these HTML strings as HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from rag.citations import CITE_RE, parse_marker

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~$&#!(){}])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=\.))")
_STRUCTURE = re.compile(r"^(?P<indent>[ \t]{0,6})(?P<marker>#{1,6}|[-*+]|\d{1,3}\.)[ \t]+(?=\S)")
_BOLD_HEAD = re.compile(r"^\\\*\\\*(.+?)\\\*\\\*")


def escape_markdown(text: str) -> str:
    """Make arbitrary text inert in Markdown: shown literally, no links, images, HTML, maths.

    Newlines collapse to spaces (titles/abstracts are one paragraph; a newline could start a
    heading, list or code block)."""
    return _escape_inline(" ".join(str(text).split()))


def _escape_inline(text: str) -> str:
    out = _MD_INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, out)


def _escape_line_start(m: re.Match[str]) -> str:
    """`- x`, `+ x`, `= x` would start a list/heading; `1. x` an ordered list."""
    lead, mark = m.group(1), m.group(2)
    return f"{lead}\\{mark}" if not mark[0].isdigit() else f"{lead}{mark}\\"


def escape_stream(delta: str) -> str:
    """A streamed text delta shown inert (no line-start handling: deltas split lines anywhere)."""
    return _MD_INLINE.sub(r"\\\1", delta)


Chip = Callable[[int], str | None]


def _inline(raw: str, chip: Chip | None) -> str:
    """One line's content escaped for Markdown; with `chip` (HTML allowed), escaped for both
    HTML and Markdown (`_inert`), and each cited number becomes its chip."""
    if chip is None:
        return _escape_inline(raw)
    out: list[str] = []
    pos = 0
    for m in CITE_RE.finditer(raw):
        out.append(_inert(raw[pos : m.start()]))
        out.append("".join(chip(n) or f"[{n}]" for n in parse_marker(m.group(1))))
        pos = m.end()
    out.append(_inert(raw[pos:]))
    return "".join(out)


_BOLD_HEAD_INERT = re.compile(r"^&#42;&#42;(.+?)&#42;&#42;")


def answer_markdown(text: str, chip: Chip | None = None, *, plain: bool = False) -> str:
    """Render an answer's own structure (headings, bullets, numbered lists, a leading **theme**)
    while keeping every piece of quoted content inert.

    Each line keeps at most its list/heading marker; the rest is escaped, so a sentence copied
    from an abstract containing `<script>` or `[x](javascript:..)` shows as text. Indented
    continuation lines stay inside their list item, and every line break of the answer is kept
    (hard breaks). With `chip`, `[n]` markers become the HTML that `chip(n)` returns (render the
    result with HTML allowed; `citation_chip` builds it from escaped pieces only). `plain` escapes
    with `plain_markdown` instead (for a file read as text) and makes any heading a level-3 one."""

    bold = _BOLD_HEAD_INERT if chip is not None and not plain else _BOLD_HEAD

    def esc(t: str) -> str:
        return bold.sub(r"**\1**", plain_markdown(t) if plain else _inline(t, chip))

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
            body = esc(raw[m.end() :].strip())
            marker = m.group("marker")
            heading = marker.startswith("#")
            lines.append(f"{m.group('indent')[:3]}{'###' if plain and heading else marker} {body}")
            in_list = not heading
        else:
            body = esc(raw.strip())
            indented = raw[:1] in (" ", "\t")
            lines.append(("  " if in_list and indented else "") + body)
        structured.append(bool(m))
    for i in range(len(lines) - 1):
        if lines[i] and lines[i + 1] and not structured[i + 1]:
            lines[i] += "  "
    return "\n".join(lines).rstrip()


# --- Markdown that reads well as plain text ---------------------------------------------------
_PLAIN_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_PLAIN_RULES = re.compile(
    rf"\\(?=[{_PLAIN_PUNCT}])"  # a backslash that would escape the next character
    r"|[`*<]"  # code spans, emphasis, HTML and autolinks
    r"|\](?=[(\[:])"  # the end of a link text or reference
    r"|!(?=\[)"  # an image
    r"|&(?=#?\w+;)"  # an entity
    r"|~~"  # strikethrough
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"  # emphasis underscores (snake_case stays as is)
)
_PLAIN_LINE_START = re.compile(r"^(\s*)(#|>|[-+=](?=\s|$)|\[|\d+(?=[.)]\s))")


def plain_markdown(text: str) -> str:
    """Escape only what a Markdown renderer would turn into markup (HTML, links, images,
    emphasis, code, and block markers at a line start), so the file reads like plain text:
    "(re)warm" and "[1]" stay as they are, "<script>" becomes "\\<script>"."""
    out = _PLAIN_RULES.sub(lambda m: "".join("\\" + c for c in m.group(0)), str(text))
    return _PLAIN_LINE_START.sub(
        lambda m: (
            m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2))
        ),
        out,
    )


def plain_line(text: str) -> str:
    """`plain_markdown` on one line (newlines collapse: a title or quote is one paragraph)."""
    return plain_markdown(" ".join(str(text).split()))


# --- HTML ------------------------------------------------------------------------------------
_HTML_MD_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_[]|~$#!(){}+-.:="}


def _inert(text: str) -> str:
    """HTML-escape, then turn Markdown punctuation into numeric entities: safe both as HTML and
    inside a Markdown renderer that allows HTML (it still parses Markdown)."""
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


def _marked(flat: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None) -> str:
    hi = len(flat) if hi is None else hi
    parts: list[str] = []
    pos = lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        parts.append(_inert(flat[pos:s]))
        parts.append(f"<mark>{_inert(flat[s:e])}</mark>")
        pos = e
    parts.append(_inert(flat[pos:hi]))
    return "".join(parts)


def highlight_evidence(abstract: str, evidence: str) -> str:
    """The abstract as safe HTML with the cited evidence wrapped in <mark>.

    Each segment is escaped *before* the tags are added, so nothing from the abstract or the
    evidence can close the <mark> or inject markup."""
    flat = " ".join(str(abstract).split())
    return f'<div class="rag-abstract">{_marked(flat, evidence_spans(flat, evidence))}</div>'


def evidence_excerpt(abstract: str, evidence: str, context: int = 160) -> str:
    """Safe HTML: the marked evidence with up to `context` characters either side (cut at word
    boundaries, with an ellipsis), or the quoted evidence alone when it is not in the abstract."""
    flat = " ".join(str(abstract).split())
    spans = evidence_spans(flat, evidence)
    if not spans:
        return f"“{inert_html(evidence)}”" if evidence.strip() else ""
    lo = max(0, spans[0][0] - context)
    hi = min(len(flat), spans[-1][1] + context)
    if lo > 0:
        lo = flat.find(" ", lo) + 1 or lo
    if hi < len(flat):
        cut = flat.rfind(" ", spans[-1][1], hi)
        hi = cut if cut > 0 else hi
    head = "… " if lo > 0 else ""
    tail = " …" if hi < len(flat) else ""
    return head + _marked(flat, spans, lo, hi) + tail


def citation_chip(n: int, title: str, meta: str, excerpt_html: str, support: float) -> str:
    """`[n]` as inline HTML that shows the source on hover, and on click/tap (focus) until the
    reader clicks elsewhere. `excerpt_html` must come from `evidence_excerpt`; everything else is
    escaped here. One line, so a Markdown renderer keeps it inline."""
    return (
        f'<span class="rag-cite" tabindex="0" role="button" data-n="{int(n)}" '
        f'aria-label="source {int(n)}">[{int(n)}]'
        f'<span class="rag-pop" role="tooltip">'
        f'<span class="rag-pop-title">{inert_html(title)}</span>'
        f'<span class="rag-pop-meta">{inert_html(meta)} · support {float(support):.2f}</span>'
        f'<span class="rag-pop-ev">{excerpt_html}</span>'
        "</span></span>"
    )
