"""Unit tests for the UI helpers: escaping, evidence highlighting, export, sidebar text, upload.

Why these matter: the UI shows titles/abstracts from arbitrary files, so every path into Markdown
or HTML must be inert, and the highlighted evidence must be what the citation actually quoted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from filelock import FileLock

from rag import ui_support as ui
from rag.cli_ui import resolve_port, streamlit_command
from rag.schema import Answer, Citation, ComparedPaper, Hit, Paper, SearchFilters
from rag.settings import Settings

EVIL = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) ![i](http://e/x.png) $x$"


def _unescape_md(s: str) -> str:
    """What a Markdown renderer shows for backslash-escaped text."""
    return re.sub(r"\\(.)", r"\1", s)


# --- escaping --------------------------------------------------------------------------------
def test_escape_markdown_keeps_text_but_no_markup() -> None:
    out = ui.escape_markdown(EVIL)
    assert "<script>" not in out and "](" not in out and "**" not in out
    assert _unescape_md(out) == EVIL  # shown exactly as written


@pytest.mark.parametrize("text", ["- item", "# head", "1. first", "+ plus", "= eq", "> quote"])
def test_escape_markdown_line_starts(text: str) -> None:
    out = ui.escape_markdown(text)
    assert out != text
    assert _unescape_md(out) == text


def test_escape_markdown_collapses_newlines() -> None:
    assert "\n" not in ui.escape_markdown("a\n# b\n\n    code")


def test_answer_markdown_keeps_structure_escapes_content() -> None:
    text = "**Theme A**: it works [1].\n- quoted <b>x</b> [2]\n## Heading\nplain [x](javascript:1)"
    out = ui.answer_markdown(text)
    lines = out.splitlines()
    assert lines[0].startswith("**Theme A**")  # theme stays bold
    assert "\\[1\\]" in lines[0]
    assert lines[1].startswith("- ") and "\\<b\\>" in lines[1]
    assert lines[2].rstrip() == "## Heading"
    assert "](" not in out and "<b>" not in out


def test_answer_markdown_keeps_line_breaks_and_list_continuations() -> None:
    text = "2 papers match:\n- Title one\n  Evidence <i>one</i> [1].\n- Title two\n  Ev two [2]."
    lines = ui.answer_markdown(text).splitlines()
    assert lines[1] == "- Title one  "  # hard break before the indented evidence line
    assert lines[2] == "  Evidence \\<i\\>one\\</i\\> \\[1\\]."  # stays in the item
    assert lines[3].startswith("- Title two")


def test_inert_html_has_no_tags_or_markdown() -> None:
    out = ui.inert_html(EVIL + ' it\'s "q" & done')
    assert "<" not in out and ">" not in out
    for ch in "*[]()!$_`":
        assert ch not in out
    import html

    assert html.unescape(out) == EVIL + ' it\'s "q" & done'


# --- highlighting ----------------------------------------------------------------------------
ABSTRACT = (
    "We study <b>robots</b>. Our method improves success by 43.6% on VirtualHome. "
    "It also *generalises* to new tasks."
)


def test_highlight_marks_the_evidence_and_escapes_everything() -> None:
    out = ui.highlight_evidence(ABSTRACT, "Our method improves success by 43.6% on VirtualHome.")
    assert out.count("<mark>") == 1
    marked = re.search(r"<mark>(.*?)</mark>", out).group(1)  # type: ignore[union-attr]
    import html

    assert html.unescape(marked) == "Our method improves success by 43.6% on VirtualHome."
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "*" not in out  # no markdown emphasis inside unsafe_allow_html


def test_highlight_tolerates_case_and_spacing() -> None:
    out = ui.highlight_evidence(ABSTRACT, "our method improves   success by 43.6%\non virtualhome")
    assert "<mark>" in out


def test_highlight_noncontiguous_sentences() -> None:
    ev = "We study <b>robots</b>. It also *generalises* to new tasks."
    spans = ui.evidence_spans(ABSTRACT, ev)
    assert len(spans) == 2
    assert ui.highlight_evidence(ABSTRACT, ev).count("<mark>") == 2


def test_highlight_missing_evidence_shows_plain_abstract() -> None:
    out = ui.highlight_evidence(ABSTRACT, "a sentence that is not there at all")
    assert "<mark>" not in out and "VirtualHome" in out


def test_highlight_cannot_be_broken_out_of() -> None:
    evil = "Text </mark><script>alert(1)</script> more text here."
    out = ui.highlight_evidence(evil, "</mark><script>alert(1)</script> more text")
    assert "<script>" not in out and out.count("</mark>") == 1


# --- answers, export -------------------------------------------------------------------------
def _answer(**kw: object) -> Answer:
    base: dict[str, object] = dict(
        question="q?",
        standalone_question="standalone q?",
        mode="qa",
        backend="extractive",
        answer="Claim one [1].",
        abstained=False,
        citations=[Citation(1, "p1", EVIL, "Our method improves success", 0.9)],
    )
    base.update(kw)
    return Answer(**base)  # type: ignore[arg-type]


def test_export_has_reference_list_and_is_inert() -> None:
    turn = ui.Turn(
        question="what <i>is</i> it?",
        mode="auto",
        filters=SearchFilters(year_from=2020),
        k=5,
        answer=_answer(flagged=["unsupported <b>claim</b>"]),
        papers={"p1": Paper("p1", EVIL, ABSTRACT, year=2021, venue="NeurIPS")},
    )
    md = ui.export_markdown([turn])
    assert "### References" in md
    assert re.search(r"^1\. .*p1 · 2021 · NeurIPS", md, flags=re.M)
    assert "standalone q?" in md and "year ≥ 2020" in md
    assert "<script>" not in md and "<i>" not in md and "<b>" not in md
    assert "](" not in md
    assert "Not supported" in md


def test_export_compare_table_and_errors() -> None:
    a = _answer(
        mode="compare",
        papers=[ComparedPaper("p1", "A | B", "quote", 0.876, 2020)],
        screened=40,
    )
    md = ui.export_markdown([ui.Turn("q", "compare", answer=a), ui.Turn("q2", "qa", error="boom")])
    assert "1 matching paper of 40 screened" in md
    row = next(line for line in md.splitlines() if "quote" in line)
    assert row.count(" | ") == 3  # the '|' in the title is escaped, not a new column
    assert "0.88" in row
    assert "boom" in md


def test_compare_rows_and_caption() -> None:
    a = _answer(
        mode="compare", papers=[ComparedPaper("p", "T", "ev", 0.5, None)], screened=0, retrieved=[]
    )
    assert ui.compare_rows(a) == [{"paper": "T", "year": "", "evidence": "ev", "confidence": 0.5}]
    assert ui.compare_caption(a) == "1 matching paper of 0 screened"


def test_backend_label_fallback() -> None:
    assert ui.backend_label(_answer(notice="LLM endpoint failed")) == "extractive answer (fallback)"
    assert ui.backend_label(_answer(backend="llm:m")) == "LLM answer (m)"


def test_stream_capture_splits_deltas_and_answer() -> None:
    a = _answer()
    cap = ui.StreamCapture(iter(["Claim ", "", "one [1].", a]))
    assert list(cap) == ["Claim ", "one [1]."]
    assert cap.answer is a


def test_short_error_is_one_line() -> None:
    msg = ui.short_error(ValueError("bad thing\nTraceback (most recent call last):\n  ..."))
    assert "\n" not in msg and "ValueError" in msg and "Traceback" not in msg


# --- sidebar ---------------------------------------------------------------------------------
def test_answerer_description_never_shows_the_key() -> None:
    s = Settings(
        llm_model="gpt-x",
        llm_base_url="http://user:pw@10.0.0.5:8000/v1?token=abc",
        llm_api_key="sk-secret-123",  # type: ignore[arg-type]
    )
    d = ui.answerer_description(s)
    assert d == "LLM gpt-x at 10.0.0.5:8000"
    assert "sk-secret" not in d and "pw" not in d and "token" not in d
    assert "extractive" in ui.answerer_description(Settings())


def test_settings_fingerprint_changes_with_home_and_key(tmp_path: Path) -> None:
    a = ui.settings_fingerprint(Settings(home=tmp_path / "a"))
    b = ui.settings_fingerprint(Settings(home=tmp_path / "b"))
    c = ui.settings_fingerprint(Settings(home=tmp_path / "a", llm_api_key="k"))  # type: ignore[arg-type]
    assert len({a, b, c}) == 3
    assert all(len(x) == 16 for x in (a, b, c))


def test_make_filters_and_describe() -> None:
    assert ui.make_filters(None, None) is None
    f = ui.make_filters(2019, 2023)
    assert f is not None and (f.year_from, f.year_to) == (2019, 2023)
    assert ui.describe_filters(f, 10) == "top-k 10, year ≥ 2019, year ≤ 2023"
    assert ui.describe_filters(None) == "none"


def test_closest_papers_limited() -> None:
    hits = [Hit(f"p{i}", f"T{i}", 1.0 - i / 10, "e") for i in range(8)]
    a = _answer(abstained=True, citations=[], retrieved=hits)
    assert [h.paper_id for h in ui.closest_papers(a)] == ["p0", "p1", "p2", "p3", "p4"]


# --- rag ui ----------------------------------------------------------------------------------
def test_rag_ui_port_and_flags() -> None:
    assert resolve_port(9000, {"STREAMLIT_SERVER_PORT": "8600"}) == 9000
    assert resolve_port(None, {"STREAMLIT_SERVER_PORT": "8600"}) == 8600
    assert resolve_port(None, {}) == 8501
    cmd = " ".join(streamlit_command(8123))
    for flag in (
        "--server.address 127.0.0.1",
        "--server.port 8123",
        "--server.headless true",
        "--browser.gatherUsageStats false",
        "--server.fileWatcherType none",
    ):
        assert flag in cmd
    assert cmd.endswith("none") and "ui/app.py" in cmd.replace("\\", "/")


def test_streamlit_config_is_offline() -> None:
    import tomllib

    cfg = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["fileWatcherType"] == "none"
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"]["headless"] is True


# --- upload ----------------------------------------------------------------------------------
def test_upload_names_keep_compound_suffix() -> None:
    assert ui.upload_suffix("x.JSONL.gz") == ".jsonl.gz"
    assert ui.upload_suffix("x.pdf") is None
    assert ui.safe_upload_name("../../etc/my papers.jsonl.gz") == "my_papers.jsonl.gz"
    assert ui.safe_upload_name("C:\\dir\\a b.csv") == "a_b.csv"


UPLOAD = (
    b'{"id": "u1", "title": "Uploaded paper one", "abstract": "We upload one abstract about '
    b'graph neural networks for molecules.", "year": 2022}\n'
    b"not json at all\n"
    b'{"id": "u2", "title": "Uploaded paper two", "abstract": "A second abstract on protein '
    b'folding with transformers.", "year": 2023}\n'
)


def test_ingest_upload_reports_per_record_issues(fresh_pipeline) -> None:  # noqa: ANN001
    seen: list[tuple[int, int]] = []
    out = ui.ingest_upload(
        fresh_pipeline, "my upload.jsonl", UPLOAD, on_progress=lambda d, t: seen.append((d, t))
    )
    assert not out.error
    assert out.report is not None and out.report.added == 2
    assert out.errors and out.errors[0].where.startswith("my upload.jsonl:2")
    assert seen and seen[-1][0] == seen[-1][1]


def test_ingest_upload_unsupported_and_locked(fresh_pipeline) -> None:  # noqa: ANN001
    assert "unsupported" in ui.ingest_upload(fresh_pipeline, "x.pdf", b"%PDF").error
    home = fresh_pipeline.settings.home
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / "ingest.lock")):
        out = ui.ingest_upload(fresh_pipeline, "a.jsonl", UPLOAD)
    assert out.report is None and "another ingest" in out.error


def test_rag_ui_seeds_only_an_empty_store() -> None:
    from types import SimpleNamespace

    from rag.cli_ui import SEEDS, ensure_seeded

    calls: list[list[Path]] = []

    def stub(count: int) -> SimpleNamespace:
        return SimpleNamespace(
            store=SimpleNamespace(count=lambda: count),
            ingest=lambda paths, progress=True: calls.append(list(paths)) or _report(),
        )

    def _report():  # noqa: ANN202
        from rag.schema import IngestReport

        return IngestReport(added=79)

    msgs: list[str] = []
    ensure_seeded(stub(172), msgs.append)
    assert calls == [] and msgs == []
    ensure_seeded(stub(0), msgs.append)
    assert calls == [[SEEDS]] and "added 79" in msgs[-1]


def test_markdown_rows_escape_cells() -> None:
    rows = ui.markdown_rows([{"paper": "<b>A</b> | *B*", "year": 2020, "confidence": 0.5}])
    assert rows == [{"paper": "\\<b\\>A\\</b\\> \\| \\*B\\*", "year": "2020", "confidence": "0.50"}]
