"""The Streamlit pages driven headlessly with `streamlit.testing.v1.AppTest`, over the real
Pipeline and answerer (the seed store from conftest, or small stores built from fixtures).

Why AppTest: it runs the real scripts with real widgets and session state, fast enough for CI,
and exposes what the page shows. Every assertion compares the page with what the real pipeline
returned or what the store holds (never with the page's own inputs).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
LIBRARY = "views/library.py"
YEARS = ROOT / "tests" / "fixtures" / "ui_years_papers.jsonl"
BAD_CSV = ROOT / "tests" / "fixtures" / "ui_bad_columns.csv"
TIMEOUT = 180  # the first run loads the embedding model and warms the collection

FACTOID = (
    "What does RoboFuME do, and how quickly can it improve on a target task in the real world?"
)
COMPARE = "Which papers evaluate their method on real robots?"
FOLLOW = (
    "Tell me about the open-source 7B vision-language-action model.",
    "Which pretrained visual encoders does it fuse?",
)
CHIP = re.compile(r'<span class="rag-cite" tabindex="0" role="button" data-n="(\d+)"')


def _app(monkeypatch: pytest.MonkeyPatch, home: Path, page: str | None = None) -> AppTest:
    monkeypatch.setenv("RAG_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ask(at: AppTest, question: str, mode: str | None = None) -> AppTest:
    if mode:
        at.segmented_control(key="mode").set_value(mode)
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _last_assistant(at: AppTest) -> Any:
    msgs = [m for m in at.chat_message if m.name == "assistant"]
    assert msgs, "no assistant message"
    return msgs[-1]


def _turn(at: AppTest, index: int = -1) -> Any:
    return at.session_state["turns"][index]


def _answer_html(msg: Any) -> str:
    """The answer body: the one Markdown element rendered with HTML (the citation chips)."""
    bodies = [m.value for m in msg.markdown if m.allow_html and "rag-cite" in m.value]
    assert len(bodies) == 1, [m.value[:80] for m in msg.markdown]
    return bodies[0]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _live_tags(value: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(value)
    return p.tags


def _no_raw_markup(at: AppTest) -> None:
    """Nothing on the page carries a live tag or Markdown link/image built from data: HTML
    markdown holds only our own span/mark/div tags and classes."""
    live_link = re.compile(r"(?<!\\)\]\(")
    for m in list(at.markdown) + list(at.caption):
        assert not live_link.search(m.value), m.value
        if getattr(m, "allow_html", False):
            for tag, attrs in _live_tags(m.value):
                assert tag in {"span", "mark", "div", "style"}, (tag, m.value[:200])
                assert not any(k.startswith("on") or k in {"href", "src"} for k in attrs), attrs
        else:
            assert not re.search(r"(?<!\\)<(script|img)", m.value, re.I), m.value
    for e in at.expander:
        assert not re.search(r"(?<!\\)<(script|img)", e.label) and not live_link.search(e.label)


@pytest.fixture(scope="module")
def years_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 papers with years (two without) and venues, for filters and the year column."""
    home = tmp_path_factory.mktemp("years-store")
    assert Pipeline(Settings(home=home)).ingest([YEARS], progress=False).added == 12
    return home


def _fixture() -> list[dict[str, Any]]:
    return [json.loads(line) for line in YEARS.read_text().splitlines()]


# --- first screen ----------------------------------------------------------------------------
def test_first_screen_shows_the_collection_and_examples(
    seed_home: Path, seed_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home)
    n = seed_pipeline.store.paper_count()
    assert any(m.value.startswith(f"The collection: **{n}** papers") for m in at.markdown)
    terms = [m.value for m in at.markdown if m.value.startswith("Most frequent terms:")]
    assert terms and terms[0].count("·") >= 3
    labels = [b.label for b in at.button if b.key and b.key.startswith("example_")]
    assert [lab.split(" · ")[0] for lab in labels] == ["Q&A", "Summary", "Compare"]
    # the seed pages have no year and no venue, so no such filter is offered
    assert not at.sidebar.number_input and not at.sidebar.selectbox
    assert any("No year or venue filter" in c.value for c in at.sidebar.caption)
    side = "\n".join(m.value for m in at.sidebar.markdown)
    assert f"**papers:** {n}" in side and "extractive" in side


def test_each_example_question_gets_a_real_answer(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home)
    examples = [b for b in at.button if b.key and b.key.startswith("example_")]
    for i in range(len(examples)):
        label = at.button(key=f"example_{i}").label
        at.button(key=f"example_{i}").click().run()
        assert not at.exception, [e.value for e in at.exception]
        turn = _turn(at)
        assert label.endswith(turn.question) and turn.answer is not None, label
        a = turn.answer
        assert (
            a.mode
            == {"Q&A": "qa", "Summary": "summary", "Compare": "compare"}[label.split(" · ")[0]]
        )
        assert not a.abstained and a.citations, a.answer
        msg = _last_assistant(at)
        if a.mode == "compare":
            df = msg.dataframe[0].value
            assert list(df["paper"]) == [p.title for p in a.papers]
        else:
            assert {int(n) for n in CHIP.findall(_answer_html(msg))} == {c.n for c in a.citations}
        at.button(key="clear").click().run()  # back to the first screen for the next example
        assert at.session_state["turns"] == []


# --- answers ---------------------------------------------------------------------------------
def test_citation_chips_open_the_cited_source(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    turn = _turn(at)
    a = turn.answer
    assert a is not None and a.citations, a
    body = _answer_html(_last_assistant(at))
    chips = re.findall(r'(<span class="rag-cite".*?</span></span>)', body)
    assert {int(n) for n in CHIP.findall(body)} == {c.n for c in a.citations}
    for c in a.citations:
        chip = next(ch for ch in chips if f'data-n="{c.n}"' in ch)
        assert html.unescape(re.search(r'rag-pop-title">(.*?)</span>', chip).group(1)) == c.title  # type: ignore[union-attr]
        marked = html.unescape(re.search(r"<mark>(.*?)</mark>", chip).group(1))  # type: ignore[union-attr]
        assert marked in turn.papers[c.paper_id].abstract and marked.split()[0] in c.evidence
        assert f"support {c.support:.2f}" in chip
    # the reference list stays below the answer, one expander per citation
    refs = [e for e in _last_assistant(at).expander if e.label.startswith("\\[")]
    assert [e.label.split("\\] ", 1)[0] for e in refs] == [f"\\[{c.n}" for c in a.citations]
    assert any("<mark>" in m.value for m in refs[0].markdown)
    caps = [c.value for c in _last_assistant(at).caption]
    assert any(c.startswith("Searched for:") for c in caps)
    assert not at.error


def test_compare_is_one_sortable_table_with_the_count(
    seed_home: Path, seed_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _ask(_app(monkeypatch, seed_home), COMPARE, mode="compare")
    a = _turn(at).answer
    assert a is not None and a.mode == "compare" and a.papers, a
    msg = _last_assistant(at)
    assert len(msg.dataframe) == 1 and not msg.table
    df = msg.dataframe[0].value
    assert list(df.columns) == ["ref", "paper", "evidence", "decision"]  # no year on the seeds
    assert list(df["paper"]) == [p.title for p in a.papers]
    assert list(df["evidence"]) == [p.evidence for p in a.papers]
    assert list(df["ref"]) == [{c.paper_id: c.n for c in a.citations}[p.paper_id] for p in a.papers]
    screened = seed_pipeline.store.paper_count()
    assert a.screened == screened
    shown = "\n".join(m.value for m in msg.markdown) + "\n".join(c.value for c in msg.caption)
    assert f"{len(a.papers)} of the {screened} papers screened" in shown
    # listed once: no bullet list of the matches and no wall of reference expanders
    assert not any(a.papers[0].title in m.value for m in msg.markdown)
    assert [e.label for e in msg.expander] == ["Edit the search question and re-run"]


def test_which_of_these_shows_the_papers_that_do_not_match(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compare scoped to the papers the reader named shows, below its table, the named paper
    that does not match and the sentence that says why."""
    at = _ask(_app(monkeypatch, seed_home), "Tell me about Chinese MentalBERT and CySecBERT.")
    at = _ask(at, "Which of these made their training data public?")
    a = _turn(at).answer
    assert a is not None and a.mode == "compare" and len(a.papers) == 1, a
    msg = _last_assistant(at)
    assert len(msg.dataframe) == 1
    shown = "\n".join(m.value for m in msg.markdown)
    assert "Not clearly matching" in shown and "will not be made publicly available" in shown
    assert not at.exception


def test_summary_shows_its_theme_headings(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    q = "Summarise what the papers say about reinforcement learning."
    at = _ask(_app(monkeypatch, seed_home), q, mode="summary")
    a = _turn(at).answer
    groups = re.match(r"^\d+ (?:papers address|paper addresses) this, in (\d+) themes:", a.answer)
    assert groups, a.answer[:200]
    body = _answer_html(_last_assistant(at))
    heads = re.findall(r"^\*\*Theme (\d+)", body, flags=re.M)
    assert [int(h) for h in heads] == list(range(1, int(groups.group(1)) + 1))


def test_follow_up_is_rewritten_and_can_be_edited(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home)
    _ask(at, FOLLOW[0])
    _ask(at, FOLLOW[1])
    first, second = at.session_state["turns"]
    cited = first.answer.citations[0]
    # the follow-up reached the pipeline rewritten towards the paper the first answer cited
    assert second.answer.standalone_question != FOLLOW[1]
    assert cited.paper_id in [h.paper_id for h in second.answer.retrieved]
    assert cited.paper_id in [c.paper_id for c in second.answer.citations]
    caps = [c.value for c in _last_assistant(at).caption]
    shown = next(c for c in caps if c.startswith("Searched for:"))
    assert re.sub(r"\\(.)", r"\1", shown).startswith(
        f"Searched for: “{second.answer.standalone_question}”"
    )
    # edit the rewritten question and re-run it: the edited text is what gets searched
    edited = "Which visual encoders does OpenVLA fuse?"
    at.text_input(key="edit_1").set_value(edited)
    at.button(key="rerun_1").click().run()
    assert not at.exception
    third = _turn(at)
    assert third.rerun_of == 1 and third.answer.standalone_question == edited


def test_export_carries_the_answers_and_reads_as_text(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self: Any, data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        if filename:
            saved[filename] = data if isinstance(data, bytes) else str(data).encode()
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    a = _turn(at).answer
    md = saved["conversation.md"].decode("utf-8")
    assert md.startswith("# Conversation")
    for c in a.citations:  # every cited paper, with its evidence, from the real answer
        assert re.search(rf"^{c.n}\. {re.escape(c.title)} \(", md, flags=re.M), c.title
        assert c.evidence.split()[0] in md
    assert a.answer.splitlines()[0] in md  # the answer text itself, unescaped
    assert "\\[" not in md and "\\(" not in md  # no Markdown escapes in ordinary text
    data = json.loads(saved["conversation.json"])
    assert data["turns"][0]["answer"] == json.loads(json.dumps(a.to_json()))
    at.button(key="clear").click().run()
    assert at.session_state["turns"] == []


# --- filters ---------------------------------------------------------------------------------
def test_year_filter_reaches_the_pipeline(
    years_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = "Which robot learning method transfers grasping from simulation to a real robot?"
    unfiltered = Pipeline(Settings(home=years_home)).search(q, k=1)[0]
    assert unfiltered.year and unfiltered.year < 2020  # the best match is filtered out below
    at = _app(monkeypatch, years_home)
    venues = {r["venue"] for r in _fixture() if r.get("venue")}
    assert set(at.sidebar.selectbox(key="venue").options) - {"(any venue)"} == venues
    at.sidebar.number_input(key="year_from").set_value(2020)
    at.sidebar.slider(key="top_k").set_value(5)
    _ask(at, q, mode="qa")
    a = _turn(at).answer
    assert a.retrieved and len(a.retrieved) <= 5
    assert unfiltered.paper_id not in [h.paper_id for h in a.retrieved]
    years = {r["id"]: r.get("year") for r in _fixture()}
    assert all(years[h.paper_id] and years[h.paper_id] >= 2020 for h in a.retrieved)
    kept = sum(1 for y in years.values() if y and y >= 2020)
    caps = [c.value for c in _last_assistant(at).caption]
    assert any(f"keep {kept} of {len(years)} papers" in c for c in caps), caps


def test_compare_table_shows_years_from_the_store(
    years_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _ask(_app(monkeypatch, years_home), "Which papers use machine translation?", "compare")
    a = _turn(at).answer
    df = _last_assistant(at).dataframe[0].value
    assert list(df.columns) == ["ref", "paper", "year", "evidence", "decision"]
    years = {r["title"]: r.get("year") for r in _fixture()}
    assert len(df) >= 2 and [int(y) for y in df["year"]] == [years[t] for t in df["paper"]]
    assert list(df["paper"]) == [p.title for p in a.papers]


def test_a_filter_that_leaves_no_paper_says_so(
    years_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, years_home)
    latest = max(r["year"] for r in _fixture() if r.get("year"))
    at.sidebar.number_input(key="year_from").set_value(latest + 1).run()
    side = [w.value for w in at.sidebar.warning]
    assert side and "leave no paper" in side[0]
    _ask(at, "Which papers evaluate on a real robot?")
    turn = _turn(at)
    assert turn.answer is None and "leave no paper" in turn.note
    warn = [w.value for w in _last_assistant(at).warning]
    assert warn and "Nothing was searched" in warn[0] and f"–{latest}" in warn[0]


# --- LLM -------------------------------------------------------------------------------------
def _point_llm_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("RAG_LLM_MODEL", "test-model")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-should-never-show")
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "10")


def test_unreachable_llm_falls_back_to_extractive(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_openai import free_port

    _point_llm_at(monkeypatch, f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    msg = _last_assistant(at)
    a = _turn(at).answer
    assert (
        a.notice
        and msg.warning
        and a.notice.split(";")[0][:20] in msg.warning[0].value.replace("\\", "")
    )
    assert any("fallback" in c.value for c in msg.caption)
    assert CHIP.search(_answer_html(msg))
    page = json.dumps([m.value for m in at.markdown] + [m.value for m in at.sidebar.markdown])
    assert "sk-test-should-never-show" not in page
    assert "LLM test-model at 127.0.0.1:" in page
    # the refused endpoint is marked down, and the sidebar says so (it is not retried meanwhile)
    down = [w.value for w in at.sidebar.warning]
    assert any("LLM endpoint down" in w and "refused" in w for w in down), down


def test_llm_answer_streams_and_cites(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    fake_openai.default = (
        "RoboFuME is a reset-free fine-tuning system that pre-trains a multi-task manipulation "
        "policy and self-improves online [1]."
    )
    _point_llm_at(monkeypatch, fake_openai.base_url)
    at = _ask(_app(monkeypatch, seed_home), FACTOID, mode="qa")
    msg = _last_assistant(at)
    assert fake_openai.chat_requests, "the LLM was not called"
    assert fake_openai.chat_requests[-1].body.get("stream") is True
    assert any("LLM answer \\(test" in c.value for c in msg.caption)
    a = _turn(at).answer
    assert a.backend == "llm:test-model" and a.citations
    body = _answer_html(msg)
    assert "RoboFuME is a reset-free fine-tuning system" in html.unescape(body)
    assert CHIP.search(body)
    assert [e for e in msg.expander if e.label.startswith("\\[1\\]")]


def test_failing_endpoint_500_shows_notice(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    _point_llm_at(monkeypatch, fake_openai.base_url)  # nothing queued: every request is a 500
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    assert not at.exception and not at.error
    msg = _last_assistant(at)
    assert fake_openai.chat_requests and msg.warning
    assert any("fallback" in c.value for c in msg.caption)
    assert CHIP.search(_answer_html(msg))


# --- markup from the corpus stays text -------------------------------------------------------
@pytest.fixture(scope="module")
def evil_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny store whose only paper has markup in its title and abstract."""
    home = tmp_path_factory.mktemp("evil-store")
    src = home / "evil.jsonl"
    rec = {
        "id": "evil-1",
        "title": "<script>alert(1)</script> Graph **networks** [click](javascript:alert(2))",
        "abstract": (
            "We train a graph neural network on molecules <img src=x onerror=alert(3)>. "
            "The model reaches 97% accuracy on the toxicity benchmark."
        ),
        "year": 2021,
    }
    other = {
        "id": "plain-2",
        "title": "Transformers for translation",
        "abstract": "A transformer translates low-resource languages with back-translation.",
        "year": 2019,
    }
    src.write_text(json.dumps(rec) + "\n" + json.dumps(other) + "\n", encoding="utf-8")
    report = Pipeline(Settings(home=home / "store")).ingest([src], progress=False)
    assert report.added == 2
    return home / "store"


def test_markup_in_titles_is_shown_inert(evil_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _ask(
        _app(monkeypatch, evil_home), "What accuracy does the graph neural network reach?", "qa"
    )
    msg = _last_assistant(at)
    _no_raw_markup(at)
    labels = [e.label for e in msg.expander if e.label.startswith("\\[")]
    assert labels and "\\<script\\>" in labels[0], labels
    body = _answer_html(msg)
    assert "&lt;script&gt;alert" in body and "<script" not in body
    refs = [m.value for m in msg.markdown if m.allow_html and "rag-abstract" in m.value]
    assert refs and "<mark>" in refs[0] and "&lt;img" in refs[0] and "<img" not in refs[0]


# --- library ---------------------------------------------------------------------------------
def test_library_lists_searches_and_escapes(
    evil_home: Path, seed_home: Path, seed_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home, LIBRARY)
    n = seed_pipeline.store.paper_count()
    assert any(c.value.startswith(f"{n} paper") for c in at.caption)
    at.text_input(key="library_text").set_value("RoboFuME").run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    hits = [
        p
        for p in seed_pipeline.papers(
            [h.paper_id for h in seed_pipeline.search("RoboFuME", k=n)]
        ).values()
        if "robofume" in (p.title + p.abstract).lower()
    ]
    assert len(labels) == len(hits) == 1 and labels[0].startswith(hits[0].title.split(":")[0])
    at2 = _app(monkeypatch, evil_home, LIBRARY)
    _no_raw_markup(at2)
    assert any("\\<script\\>" in e.label for e in at2.expander)
    assert any("<img src=x" in t.value for t in at2.text)  # st.text shows it literally


def test_library_upload_messages_match_what_happened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "lib-store"
    at = _app(monkeypatch, home, LIBRARY)
    at.file_uploader(key="upload").set_value((BAD_CSV.name, BAD_CSV.read_bytes(), "text/csv"))
    at.run()
    at.button(key="ingest").click().run()
    assert not at.exception
    assert not at.success, [s.value for s in at.success]
    assert at.error and "no paper was added" in at.error[0].value and "title" in at.error[0].value
    assert Pipeline(Settings(home=home)).store.paper_count() == 0
    # a good file next: its outcome replaces the error, and the list shows what the store holds
    at.file_uploader(key="upload").set_value((YEARS.name, YEARS.read_bytes(), "application/json"))
    at.run()
    at.button(key="ingest").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = Pipeline(Settings(home=home)).store.paper_count()
    assert stored == len(_fixture())
    assert at.success and f"{stored} added" in at.success[0].value
    assert any(c.value.startswith(f"{stored} paper") for c in at.caption)
