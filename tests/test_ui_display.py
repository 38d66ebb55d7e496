"""Unit tests for what the UI shows, computed in rag/ without Streamlit: escaping, evidence
highlighting, citation chips, compare rows, summary themes, filters, the export and the upload.

Why these matter: the UI shows titles/abstracts from arbitrary files, so every path into Markdown
or HTML must be inert, the highlighted evidence must be what the citation actually quoted, and the
export must read as text while rendering nothing from the corpus as markup.
"""

from __future__ import annotations

import ast
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from rag import display, export, markup, overview, upload
from rag.cli_ui import resolve_port, streamlit_command
from rag.pipeline import Pipeline
from rag.schema import Answer, Citation, ComparedPaper, Hit, Paper, SearchFilters
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
YEARS = ROOT / "tests" / "fixtures" / "ui_years_papers.jsonl"
EVIL = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) ![i](http://e/x.png) $x$"


def _unescape_md(s: str) -> str:
    """What a Markdown renderer shows for backslash-escaped text."""
    return re.sub(r"\\(.)", r"\1", s)


def _render(md: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(md)  # raw HTML enabled, like a lax viewer


# --- the library never imports the UI framework ---------------------------------------------
def test_no_module_under_rag_imports_streamlit() -> None:
    for path in sorted((ROOT / "rag").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
    # and importing all of them (and building display data) loads no streamlit either
    mods = [f"rag.{p.stem}" for p in sorted((ROOT / "rag").glob("*.py")) if p.stem != "__init__"]
    code = f"import sys, importlib; [importlib.import_module(m) for m in {mods!r}]; "
    code += "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


# --- escaping --------------------------------------------------------------------------------
def test_escape_markdown_keeps_text_but_no_markup() -> None:
    out = markup.escape_markdown(EVIL)
    assert "<script>" not in out and "](" not in out and "**" not in out
    assert _unescape_md(out) == EVIL  # shown exactly as written


@pytest.mark.parametrize("text", ["- item", "# head", "1. first", "+ plus", "= eq", "> quote"])
def test_escape_markdown_line_starts(text: str) -> None:
    out = markup.escape_markdown(text)
    assert out != text
    assert _unescape_md(out) == text


def test_answer_markdown_keeps_structure_escapes_content() -> None:
    text = "**Theme A**: it works [1].\n- quoted <b>x</b> [2]\n## Heading\nplain [x](javascript:1)"
    lines = markup.answer_markdown(text).splitlines()
    assert lines[0].startswith("**Theme A**") and "\\[1\\]" in lines[0]
    assert lines[1].startswith("- ") and "\\<b\\>" in lines[1]
    assert lines[2].rstrip() == "## Heading"
    assert "](" not in "\n".join(lines) and "<b>" not in "\n".join(lines)


def test_answer_markdown_keeps_line_breaks_and_list_continuations() -> None:
    text = "2 papers match:\n- Title one\n  Evidence <i>one</i> [1].\n- Title two\n  Ev two [2]."
    lines = markup.answer_markdown(text).splitlines()
    assert lines[1] == "- Title one  "  # hard break before the indented evidence line
    assert lines[2] == "  Evidence \\<i\\>one\\</i\\> \\[1\\]."  # stays in the item
    assert lines[3].startswith("- Title two")


def test_inert_html_has_no_tags_or_markdown() -> None:
    out = markup.inert_html(EVIL + ' it\'s "q" & done')
    assert "<" not in out and ">" not in out
    for ch in "*[]()!$_`":
        assert ch not in out
    assert html.unescape(out) == EVIL + ' it\'s "q" & done'


def test_plain_markdown_reads_as_text_and_renders_inert() -> None:
    readable = "Continual Pre-Training: How to (re)warm your model? It helps [1], [2-3]; a_b c."
    assert markup.plain_markdown(readable) == readable  # nothing to escape in ordinary prose
    nasty = EVIL + " <http://x.y> &amp; `code` __u__ ~~s~~ \\<"
    out = markup.plain_markdown(nasty)
    rendered = _render(out)
    assert "<script" not in rendered and "<a " not in rendered and "<img" not in rendered
    assert "<strong>" not in rendered and "<code>" not in rendered and "<del>" not in rendered
    assert html.unescape(re.sub(r"</?p>", "", rendered)).strip() == nasty
    for start in ("# h", "- x", "> q", "1. a", "[1]: http://evil"):
        assert (
            html.unescape(re.sub(r"</?p>", "", _render(markup.plain_line(start)))).strip() == start
        )


# --- highlighting and citation chips ---------------------------------------------------------
ABSTRACT = (
    "We study <b>robots</b>. Our method improves success by 43.6% on VirtualHome. "
    "It also *generalises* to new tasks."
)


def test_highlight_marks_the_evidence_and_escapes_everything() -> None:
    out = markup.highlight_evidence(
        ABSTRACT, "Our method improves success by 43.6% on VirtualHome."
    )
    assert out.count("<mark>") == 1
    marked = re.search(r"<mark>(.*?)</mark>", out).group(1)  # type: ignore[union-attr]
    assert html.unescape(marked) == "Our method improves success by 43.6% on VirtualHome."
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "*" not in out  # no markdown emphasis inside unsafe_allow_html


def test_highlight_tolerates_case_spacing_and_split_quotes() -> None:
    assert "<mark>" in markup.highlight_evidence(
        ABSTRACT, "our method improves   success by 43.6%\non virtualhome"
    )
    ev = "We study <b>robots</b>. It also *generalises* to new tasks."
    assert len(markup.evidence_spans(ABSTRACT, ev)) == 2
    assert markup.highlight_evidence(ABSTRACT, ev).count("<mark>") == 2
    missing = markup.highlight_evidence(ABSTRACT, "a sentence that is not there at all")
    assert "<mark>" not in missing and "VirtualHome" in missing


def test_highlight_cannot_be_broken_out_of() -> None:
    evil = "Text </mark><script>alert(1)</script> more text here."
    out = markup.highlight_evidence(evil, "</mark><script>alert(1)</script> more text")
    assert "<script>" not in out and out.count("</mark>") == 1


def test_evidence_excerpt_keeps_context_and_cuts_at_words() -> None:
    abstract = (
        " ".join(f"word{i}" for i in range(200))
        + ". The key finding is here. "
        + " ".join(f"tail{i}" for i in range(200))
    )
    out = markup.evidence_excerpt(abstract, "The key finding is here.", context=40)
    assert out.startswith("… ") and out.endswith(" …")
    assert "<mark>The key finding is here&#46;</mark>" in out
    assert "word199" in out and "word1 " not in out  # context on each side, not the whole text
    assert markup.evidence_excerpt("short", "not there at all") == "“not there at all”"


def test_citation_chip_escapes_title_and_carries_the_source() -> None:
    chip = markup.citation_chip(3, EVIL, "p1 · 2021", "<mark>ok</mark>", 0.876)
    assert chip.startswith('<span class="rag-cite" tabindex="0"') and 'data-n="3"' in chip
    assert "<script" not in chip and "javascript:alert(1))" not in chip
    assert "support 0.88" in chip and "<mark>ok</mark>" in chip and "\n" not in chip
    text = markup.answer_markdown("**Theme**: a <b>claim</b> [3].\n- Two [1, 3].", {3: chip}.get)
    assert text.count('data-n="3"') == 2 and "[1]" in text  # unknown numbers stay text
    assert text.startswith("**Theme**") and "&lt;b&gt;claim" in text and "<b>" not in text
    assert text.splitlines()[1].startswith("- Two")


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


def test_citation_chips_of_a_real_answer_mark_the_cited_evidence(seed_pipeline: Pipeline) -> None:
    a = seed_pipeline.ask("What does RoboFuME do?", mode="qa")
    assert a.citations, a.answer
    papers = display.fetch_papers(seed_pipeline, a)
    chips = display.citation_chips(a, papers)
    assert sorted(chips) == [c.n for c in a.citations]
    c = a.citations[0]
    marked = re.findall(r"<mark>(.*?)</mark>", chips[c.n])
    assert marked and html.unescape(marked[0]) in papers[c.paper_id].abstract
    assert html.unescape(marked[0]).split()[0] in c.evidence
    assert f"support {c.support:.2f}" in chips[c.n]


# --- compare, summary, labels ----------------------------------------------------------------
def test_compare_rows_carry_citation_numbers_and_years_only_when_known() -> None:
    cites = [Citation(2, "p1", "A", "ev", 0.9), Citation(1, "p2", "B", "ev2", 0.8)]
    rows = [ComparedPaper("p1", "A", "ev", 0.9, None), ComparedPaper("p2", "B", "ev2", 0.4, None)]
    a = _answer(mode="compare", papers=rows, citations=cites, screened=40)
    assert display.compare_rows(a) == [
        {"ref": 2, "paper": "A", "evidence": "ev", "decision": "match"},
        {"ref": 1, "paper": "B", "evidence": "ev2", "decision": "match (borderline)"},
    ]
    rows[1].year = 2020
    assert [r["year"] for r in display.compare_rows(a)] == [None, 2020]
    assert display.compare_caption(a) == "2 matching papers of 40 screened"
    assert display.compare_rest(a) == ""  # a screen of the collection shows the matches only
    a.answer = "1 of the 2 papers screened matches: X.\n- A\n  ev [1]\nNot clearly matching:\n- B\n  no [2]"
    assert display.compare_rest(a) == "Not clearly matching:\n- B\n  no [2]"


def test_summary_gets_a_heading_per_theme_group(seed_pipeline: Pipeline) -> None:
    q = "Summarise how pre-trained models and pre-training data are used for robot learning."
    a = seed_pipeline.ask(q, mode="summary")
    m = re.match(r"^(\d+) (?:papers address|paper addresses) this, in (\d+) themes:", a.answer)
    assert m, a.answer[:200]  # this question is grouped on the seeds
    heads = re.findall(
        r"^\*\*Theme (\d+): ([^*]+)\*\*(?: \((\d+) papers\))?$", a.answer, flags=re.M
    )
    assert [int(n) for n, _, _ in heads] == list(range(1, int(m.group(2)) + 1))
    assert all(label.strip() for _, label, _ in heads)
    # the headings count the papers listed under them, and the listed papers are the cited ones
    items = re.findall(r"^- (.+?):\n", a.answer, flags=re.M)
    assert len(items) == int(m.group(1)) == len(a.citations)
    assert sum(int(c or 1) for _, _, c in heads) == len(items)


def test_backend_label_and_short_error() -> None:
    assert (
        display.backend_label(_answer(notice="LLM endpoint failed"))
        == "extractive answer (fallback)"
    )
    assert display.backend_label(_answer(backend="llm:m")) == "LLM answer (m)"
    msg = display.short_error(ValueError("bad thing\nTraceback (most recent call last):\n  ..."))
    assert "\n" not in msg and "ValueError" in msg and "Traceback" not in msg


def test_answerer_description_never_shows_the_key() -> None:
    s = Settings(
        llm_model="gpt-x",
        llm_base_url="http://user:pw@10.0.0.5:8000/v1?token=abc",
        llm_api_key="sk-secret-123",  # type: ignore[arg-type]
    )
    d = display.answerer_description(s)
    assert d == "LLM gpt-x at 10.0.0.5:8000"
    assert "sk-secret" not in d and "pw" not in d and "token" not in d
    assert "extractive" in display.answerer_description(Settings())


def test_make_filters_and_describe() -> None:
    assert display.make_filters(None, None) is None
    f = display.make_filters(2019, 2023, "ACL")
    assert f is not None and (f.year_from, f.year_to, f.venue) == (2019, 2023, "ACL")
    assert display.describe_filters(f, 10) == "top-k 10, year ≥ 2019, year ≤ 2023, venue = ACL"
    # a compare screens every paper the filters keep: no top-k in what it says was searched
    compare = display.Turn("q", "compare", filters=f, k=10, answer=_answer(mode="compare"))
    assert display.turn_filters(compare) == "year ≥ 2019, year ≤ 2023, venue = ACL"
    qa = display.Turn("q", "qa", filters=f, k=10, answer=_answer(mode="qa"))
    assert display.turn_filters(qa).startswith("top-k 10")
    assert display.describe_filters(None) == "none"
    hits = [Hit(f"p{i}", f"T{i}", 1.0 - i / 10, "e") for i in range(8)]
    a = _answer(abstained=True, citations=[], retrieved=hits)
    assert [h.paper_id for h in display.closest_papers(a)] == ["p0", "p1", "p2", "p3", "p4"]


# --- the overview ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def years_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipe = Pipeline(Settings(home=tmp_path_factory.mktemp("years")))
    assert pipe.ingest([YEARS], progress=False).added == 12
    return pipe


def _fixture_years() -> list[int | None]:
    return [json.loads(line).get("year") for line in YEARS.read_text().splitlines()]


def test_overview_counts_fields_and_filters_from_the_store(years_pipeline: Pipeline) -> None:
    ov = overview.build_overview(years_pipeline)
    years = _fixture_years()
    assert ov.papers == len(years) and ov.with_year == sum(y is not None for y in years)
    assert ov.year_range() == (min(y for y in years if y), max(y for y in years if y))
    kept = sum(1 for y in years if y and y >= 2020)
    f = SearchFilters(year_from=2020)
    assert ov.matching(f) == kept
    assert f"keep {kept} of {len(years)} papers" in ov.filter_note(f)
    assert f"({years.count(None)} without a year are left out)" in ov.filter_note(f)
    none = SearchFilters(year_from=max(y for y in years if y) + 1)
    assert ov.matching(none) == 0 and "leave no paper" in ov.filter_note(none)
    # what the note promises is what the pipeline does
    hits = years_pipeline.search("robot", k=20, filters=f)
    assert len(hits) == kept and all(h.year and h.year >= 2020 for h in hits)
    assert years_pipeline.search("robot", k=20, filters=none) == []


def test_year_and_venue_together_are_counted_jointly(years_pipeline: Pipeline) -> None:
    ov = overview.build_overview(years_pipeline)
    rows = [json.loads(line) for line in YEARS.read_text().splitlines()]
    for venue in {r["venue"] for r in rows if r.get("venue")}:
        for year_from in sorted({r["year"] for r in rows if r.get("year")}):
            f = SearchFilters(year_from=year_from, venue=venue)
            kept = sum(
                1 for r in rows if r.get("venue") == venue and (r.get("year") or 0) >= year_from
            )
            # the count the sidebar shows is what the pipeline searches
            assert ov.matching(f) == kept == len(years_pipeline.search("robot", k=50, filters=f))
            if not kept:  # the reason is the venue's years, not the collection's year range
                note = ov.filter_note(f)
                assert "leave no paper" in note and f"none of its {venue} papers" in note


def test_overview_of_the_seeds_has_terms_and_working_examples(seed_pipeline: Pipeline) -> None:
    ov = overview.build_overview(seed_pipeline)
    assert ov.papers == seed_pipeline.store.paper_count()
    assert not ov.years and not ov.venues  # the seed pages carry neither
    assert "no paper" in ov.filter_note(SearchFilters(year_from=2000))
    assert len(ov.terms) == overview.TERMS
    ids = sorted({md["paper_id"] for _, _, md in seed_pipeline.store.iter_rows()})
    text = " ".join(p.title + " " + p.abstract for p in seed_pipeline.papers(ids).values()).lower()
    for t in ov.terms:  # each shown term occurs in the collection
        assert t in text, t
    assert [e.mode for e in ov.examples] == ["qa", "summary", "compare"]
    for ex in ov.examples:
        a = seed_pipeline.ask(ex.question, mode=ex.mode)
        assert not a.abstained, (ex, a.answer)
        assert a.citations and (ex.mode != "compare" or 2 <= len(a.papers) < a.screened / 2)


# --- the export ------------------------------------------------------------------------------
def test_export_reads_as_text_and_renders_inert() -> None:
    turn = display.Turn(
        question="what <i>is</i> (re)warm?",
        mode="auto",
        filters=SearchFilters(year_from=2020),
        k=5,
        answer=_answer(flagged=["unsupported <b>claim</b>"]),
        papers={"p1": Paper("p1", EVIL, ABSTRACT, year=2021, venue="NeurIPS")},
    )
    md = export.export_markdown([turn])
    assert "## 1. what \\<i>is\\</i> (re)warm?" in md  # parentheses stay readable
    assert "Claim one [1]." in md  # citations read as [1], not \[1\]
    assert re.search(r"^1\. .*\(p1 · 2021 · NeurIPS\), support 0\.90", md, flags=re.M)
    assert "Searched for: standalone q?" in md and "year ≥ 2020" in md
    assert "Not supported" in md
    rendered = _render(md)
    for tag in ("<script", "<a ", "<img", "<i>", "<b>"):
        assert tag not in rendered, tag


def test_export_compare_rows_and_errors() -> None:
    a = _answer(
        mode="compare",
        answer="1 of the 40 papers screened match: x.\n- A | B\n  quote [1]",
        papers=[ComparedPaper("p1", "A | B", "quote", 0.876, 2020)],
        citations=[Citation(1, "p1", "A | B", "quote", 0.9)],
        screened=40,
    )
    turns = [display.Turn("q", "compare", answer=a), display.Turn("q2", "qa", error="boom")]
    md = export.export_markdown(turns)
    assert "1 of the 40 papers screened match: x." in md
    assert "- A | B (2020): match [1]" in md and "Evidence: “quote”" in md
    assert md.count("quote") == 1  # each match once: the references repeat no evidence
    assert "Error: boom" in md
    data = json.loads(export.export_json(turns))
    assert data["turns"][0]["answer"] == json.loads(json.dumps(a.to_json()))
    assert data["turns"][1]["error"] == "boom" and data["turns"][1]["answer"] is None


# --- rag ui ----------------------------------------------------------------------------------
def test_rag_ui_port_and_flags() -> None:
    assert resolve_port(9000, {"STREAMLIT_SERVER_PORT": "8600"}) == 9000
    assert resolve_port(None, {"STREAMLIT_SERVER_PORT": "8600"}) == 8600
    assert resolve_port(None, {}) == 8501
    cmd = streamlit_command(8123)
    assert cmd[1:4] == ["-m", "ui.serve", "run"]  # warms the pipeline, then runs Streamlit
    joined = " ".join(cmd)
    for flag in (
        "--server.address 127.0.0.1",
        "--server.port 8123",
        "--server.headless true",
        "--browser.gatherUsageStats false",
        "--server.fileWatcherType none",
    ):
        assert flag in joined
    assert "ui/app.py" in joined.replace("\\", "/")


def test_streamlit_config_is_offline() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["fileWatcherType"] == "none"
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"]["headless"] is True


def test_rag_ui_seeds_only_an_empty_store() -> None:
    from types import SimpleNamespace

    from rag.cli_ui import SEEDS, ensure_seeded
    from rag.schema import IngestReport

    calls: list[list[Path]] = []

    def stub(count: int) -> SimpleNamespace:
        return SimpleNamespace(
            store=SimpleNamespace(count=lambda: count),
            ingest=lambda paths, progress=True: calls.append(list(paths)) or IngestReport(added=79),
        )

    msgs: list[str] = []
    ensure_seeded(stub(172), msgs.append)
    assert calls == [] and msgs == []
    ensure_seeded(stub(0), msgs.append)
    assert calls == [[SEEDS]] and "added 79" in msgs[-1]


# --- upload ----------------------------------------------------------------------------------
def test_upload_names_keep_compound_suffix() -> None:
    assert upload.upload_suffix("x.JSONL.gz") == ".jsonl.gz"
    assert upload.upload_suffix("x.pdf") is None
    assert upload.safe_upload_name("../../etc/my papers.jsonl.gz") == "my_papers.jsonl.gz"
    assert upload.safe_upload_name("C:\\dir\\a b.csv") == "a_b.csv"


UPLOAD = (
    b'{"id": "u1", "title": "Uploaded paper one", "abstract": "We upload one abstract about '
    b'graph neural networks for molecules.", "year": 2022}\n'
    b"not json at all\n"
    b'{"id": "u2", "title": "Uploaded paper two", "abstract": "A second abstract on protein '
    b'folding with transformers.", "year": 2023}\n'
)


def test_upload_outcome_tone_matches_what_happened(fresh_pipeline: Pipeline) -> None:
    seen: list[tuple[int, int]] = []
    out = upload.ingest_upload(
        fresh_pipeline, "my upload.jsonl", UPLOAD, on_progress=lambda d, t: seen.append((d, t))
    )
    assert (
        out.report is not None and out.report.added == 2 and fresh_pipeline.store.paper_count() == 2
    )
    assert out.errors and out.errors[0].where.startswith("my upload.jsonl:2")
    assert seen and seen[-1][0] == seen[-1][1]
    level, text = out.headline()
    assert level == "warning" and "2 added" in text and "1 skipped" in text
    bad = (ROOT / "tests" / "fixtures" / "ui_bad_columns.csv").read_bytes()
    out = upload.ingest_upload(fresh_pipeline, "bad.csv", bad)
    level, text = out.headline()
    assert level == "error" and "no paper was added" in text and "title" in text
    assert fresh_pipeline.store.paper_count() == 2  # nothing stored was lost
    again = upload.ingest_upload(
        fresh_pipeline, "again.jsonl", UPLOAD.replace(b"not json at all\n", b"")
    )
    level, text = again.headline()  # nothing new: said so, not a green "0 added"
    assert level == "info" and "already in the collection" in text and "2 unchanged" in text


def test_ingest_upload_unsupported_and_locked(fresh_pipeline: Pipeline) -> None:
    out = upload.ingest_upload(fresh_pipeline, "x.pdf", b"%PDF")
    assert "unsupported" in out.error and out.headline()[0] == "error"
    home = fresh_pipeline.settings.home
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / "ingest.lock")):
        out = upload.ingest_upload(fresh_pipeline, "a.jsonl", UPLOAD)
    assert out.report is None and "another ingest" in out.error


# --- pipeline: stages and warming ------------------------------------------------------------
def test_ask_reports_its_stages(seed_pipeline: Pipeline) -> None:
    stages: list[str] = []
    seed_pipeline.ask(
        "Which papers evaluate on real robots?", mode="compare", on_stage=stages.append
    )
    n = seed_pipeline.store.paper_count()
    assert stages[0] == "searching" and f"screening {n} papers" in stages
    assert stages[-1] == "checking citations"
    stages.clear()
    seed_pipeline.ask("What does RoboFuME do?", mode="qa", on_stage=stages.append)
    assert stages[0] == "searching" and stages[-1] == "writing the answer"


def test_warm_fills_the_sentence_cache(seed_home: Path) -> None:
    from rag.sentences import CACHE, split_sentences

    pipe = Pipeline(Settings(home=seed_home))
    pipe.warm()
    papers = pipe.papers(sorted({md["paper_id"] for _, _, md in pipe.store.iter_rows()}))
    sents = [s for p in papers.values() for s in split_sentences(p.abstract)]
    misses = CACHE.misses
    CACHE.embed(pipe.embedder, sents)
    assert CACHE.misses == misses  # every sentence of the collection is already embedded
    pipe.ask("Which papers evaluate on real robots?", mode="compare")
    assert CACHE.misses - misses <= 1  # only the criterion itself is new


def test_each_marker_opens_the_evidence_of_its_own_claim(seed_pipeline: Pipeline) -> None:
    """A source cited by several sentences: its k-th `[n]` opens the k-th sentence's evidence."""
    a = seed_pipeline.ask("What does UL2 achieve?", mode="qa")
    c = next((c for c in a.citations if len(set(display.cited_evidence(c))) >= 2), None)
    assert c is not None, a.answer  # UL2's answer quotes several of its sentences
    papers = display.fetch_papers(seed_pipeline, a)
    rendered = markup.answer_markdown(a.answer, display.citation_chip_maker(a, papers))
    chips = re.findall(rf'data-n="{c.n}".*?<mark>(.*?)</mark>', rendered)
    assert len(chips) == len(c.quotes) >= 2
    for marked, (evidence, _) in zip(chips, c.quotes, strict=True):
        assert html.unescape(marked).split()[0] in evidence
    assert len(set(chips)) >= 2  # not the first sentence behind every marker
    # the export lists every cited sentence under the reference
    md = export.export_markdown([display.Turn(a.question, "qa", answer=a, papers=papers)])
    assert all(e in md for e in display.cited_evidence(c))
