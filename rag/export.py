"""A conversation as a file: Markdown that reads well as plain text (and renders inert: no
link, image, HTML or emphasis comes from corpus text), or JSON with every answer's full record.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from rag.display import (
    Turn,
    backend_label,
    citation_meta,
    cited_evidence,
    closest_papers,
    compare_lead,
    compare_rows,
    turn_filters,
)
from rag.markup import answer_markdown, plain_line


def _answer_lines(t: Turn) -> list[str]:
    a = t.answer
    assert a is not None
    out = [f"Mode: {a.mode} · {backend_label(a)}  "]
    if a.standalone_question and a.standalone_question != t.question:
        out.append(f"Searched for: {plain_line(a.standalone_question)}  ")
    out += [f"Filters: {plain_line(turn_filters(t))}", ""]
    if a.notice:
        out += [f"> Notice: {plain_line(a.notice)}", ""]
    if a.mode == "compare" and a.papers:
        out += [plain_line(compare_lead(a)), ""]
        for r in compare_rows(a):
            year = f" ({r['year']})" if r.get("year") else ""
            ref = f" [{r['ref']}]" if r.get("ref") else ""
            out.append(f"- {plain_line(r['paper'])}{year}: {r['decision']}{ref}  ")
            if r["evidence"]:
                out.append(f"  Evidence: “{plain_line(r['evidence'])}”")
        out.append("")
    else:
        out += [answer_markdown(a.answer, plain=True), ""]
    if a.flagged:
        out.append("Not supported by the cited abstracts:")
        out += [f"- {plain_line(s)}" for s in a.flagged]
        out.append("")
    extra = closest_papers(a) if a.abstained else []
    if extra and not any(h.title in a.answer for h in extra):
        out.append("Closest papers:")
        out += [f"- {plain_line(h.title)} ({plain_line(h.paper_id)})" for h in extra]
        out.append("")
    table = a.mode == "compare" and bool(a.papers)  # its rows already carry the evidence
    if a.citations:
        out += ["### References", ""]
        for c in a.citations:
            meta = citation_meta(c, t.papers.get(c.paper_id))
            support = "" if table else f", support {c.support:.2f}"
            out.append(f"{c.n}. {plain_line(c.title)} ({plain_line(meta)}){support}  ")
            for evidence in [] if table else cited_evidence(c):
                out.append(f"   Evidence: “{plain_line(evidence)}”")
        out.append("")
    return out


def export_markdown(turns: Sequence[Turn]) -> str:
    """The conversation with a numbered reference list under each answer."""
    out: list[str] = ["# Conversation", ""]
    for i, t in enumerate(turns, 1):
        out += [f"## {i}. {plain_line(t.question)}", ""]
        if t.error:
            out += [f"Error: {plain_line(t.error)}", ""]
        elif t.note and t.answer is None:
            out += [f"Not searched: {plain_line(t.note)}", ""]
        elif t.answer is not None:
            out += _answer_lines(t)
    return "\n".join(out).rstrip() + "\n"


def turn_json(t: Turn) -> dict[str, Any]:
    return {
        "question": t.question,
        "mode": t.mode,
        "k": t.k,
        "filters": dataclasses.asdict(t.filters) if t.filters else None,
        "error": t.error or None,
        "note": t.note or None,
        "answer": t.answer.to_json() if t.answer else None,
        "papers": {
            pid: {"title": p.title, "year": p.year, "venue": p.venue, "url": p.url}
            for pid, p in t.papers.items()
        },
    }


def export_json(turns: Sequence[Turn]) -> str:
    return json.dumps({"turns": [turn_json(t) for t in turns]}, ensure_ascii=False, indent=2)
