"""The Streamlit pages driven headlessly with `streamlit.testing.v1.AppTest`, over the real
Pipeline and answerer (the seed store from conftest, or a tiny temp store).

Why AppTest: it runs the real scripts with real widgets and session state, fast enough for CI,
and exposes what the page shows (markdown bodies, expanders, tables, errors, exceptions).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
LIBRARY = str(ROOT / "ui" / "pages" / "1_Library.py")
TIMEOUT = 120  # the first run loads the embedding model

FACTOID = (
    "What does RoboFuME do, and how quickly can it improve on a target task in the real world?"
)
COMPARE = "Which papers evaluate their method on real robots?"
FOLLOW = (
    "Tell me about the open-source 7B vision-language-action model.",
    "Which pretrained visual encoders does it fuse?",
)
CITE = re.compile(r"\\?\[\d+\\?\]")


def _app(monkeypatch: pytest.MonkeyPatch, home: Path, path: str = APP) -> AppTest:
    monkeypatch.setenv("RAG_HOME", str(home))
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _ask(at: AppTest, question: str, mode: str | None = None) -> AppTest:
    if mode:
        at.radio(key="mode").set_value(mode)
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _last_assistant(at: AppTest) -> Any:
    msgs = [m for m in at.chat_message if m.name == "assistant"]
    assert msgs, "no assistant message"
    return msgs[-1]


def _texts(node: Any) -> list[str]:
    return [m.value for m in node.markdown] + [c.value for c in node.caption]


def _no_raw_markup(at: AppTest) -> None:
    """Nothing on the page carries a live <script> or Markdown link/image built from data."""
    live_tag = re.compile(r"(?<!\\)<(script|img)", re.I)
    live_link = re.compile(r"(?<!\\)\]\(")
    for m in list(at.markdown) + list(at.caption):
        assert not live_tag.search(m.value), m.value
        assert not live_link.search(m.value), m.value
        if getattr(m, "allow_html", False):
            assert "<script" not in m.value.lower() and "<img" not in m.value.lower()
    for e in at.expander:
        assert not live_tag.search(e.label) and not live_link.search(e.label), e.label


def test_seed_question_shows_citations_and_references(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    msg = _last_assistant(at)
    body = "\n".join(_texts(msg))
    assert CITE.search(body), body
    refs = [e for e in msg.expander if e.label.startswith("\\[")]
    assert refs, [e.label for e in msg.expander]
    # the reference shows the abstract with the evidence highlighted
    html_bodies = [m.value for m in refs[0].markdown if "<mark>" in m.value]
    assert html_bodies, [m.value for m in refs[0].markdown]
    assert "Searched for:" in body
    # the sidebar describes the collection and the answerer
    side = "\n".join(m.value for m in at.sidebar.markdown)
    assert "**papers:** 79" in side and "extractive" in side
    assert not at.error


def test_compare_shows_table_with_count(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _ask(_app(monkeypatch, seed_home), COMPARE, mode="compare")
    msg = _last_assistant(at)
    assert msg.table, "no compare table"
    df = msg.table[0].value
    assert list(df.columns) == ["paper", "year", "evidence", "confidence"]
    assert len(df) >= 1
    caps = [c.value for c in msg.caption]
    assert any(re.search(r"\d+ matching papers? of \d+ screened", c) for c in caps), caps


def test_follow_up_shows_rewritten_question_and_rerun(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home)
    _ask(at, FOLLOW[0])
    _ask(at, FOLLOW[1])
    turns = at.session_state["turns"]
    assert len(turns) == 2 and turns[1].answer is not None
    standalone = turns[1].answer.standalone_question
    assert standalone and standalone != FOLLOW[1]
    caps = [c.value for c in _last_assistant(at).caption]
    assert any(c.startswith("Searched for:") and "filters:" in c for c in caps), caps
    # edit the rewritten question and re-run it
    at.text_input(key="edit_1").set_value("Which visual encoders does OpenVLA fuse?")
    at.button(key="rerun_1").click().run()
    assert not at.exception
    turns = at.session_state["turns"]
    assert len(turns) == 3 and turns[2].question == "Which visual encoders does OpenVLA fuse?"
    assert turns[2].answer is not None
    assert turns[2].answer.standalone_question == "Which visual encoders does OpenVLA fuse?"


def test_export_button_yields_markdown_with_references(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: list[tuple[bytes, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self: Any, data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        if filename == "conversation.md":
            saved.append((data if isinstance(data, bytes) else str(data).encode(), mimetype))
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    assert at.download_button(key="export").label == "Export conversation"
    assert saved, "the export button carried no file"
    md = saved[-1][0].decode("utf-8")
    assert md.startswith("# Conversation")
    assert "### References" in md
    assert re.search(r"^1\. .+\(.+\)", md, flags=re.M), md
    assert "RoboFuME" in md
    # clear chat empties the conversation
    at.sidebar.button[0].click().run()
    assert at.session_state["turns"] == []


def test_unreachable_llm_falls_back_to_extractive(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_openai import free_port

    _point_llm_at(monkeypatch, f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    assert not at.exception
    msg = _last_assistant(at)
    assert msg.warning, "no notice about the failed endpoint"
    caps = [c.value for c in msg.caption]
    assert any("fallback" in c for c in caps), caps
    assert CITE.search("\n".join(m.value for m in msg.markdown))
    page = json.dumps([m.value for m in at.markdown] + [m.value for m in at.sidebar.markdown])
    assert "sk-test-should-never-show" not in page
    assert "test\\-model" in page or "test-model" in page


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
    evil = [m.value for m in msg.markdown if m.allow_html and "graph neural network" in m.value]
    assert evil, [m.value for m in msg.markdown]
    assert "<mark>" in evil[0] and "&lt;img" in evil[0] and "<img" not in evil[0]


def test_library_lists_searches_and_escapes(
    evil_home: Path, seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, seed_home, LIBRARY)
    assert any(c.value.startswith("79 paper") for c in at.caption)
    at.text_input(key="library_text").set_value("RoboFuME").run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert len(labels) == 1 and labels[0].startswith("Robot Fine-Tuning Made Easy"), labels
    # markup in a stored title stays text on the library page too
    at2 = _app(monkeypatch, evil_home, LIBRARY)
    _no_raw_markup(at2)
    assert any("\\<script\\>" in e.label for e in at2.expander)
    assert any("<img src=x" in t.value for t in at2.text)  # st.text shows it literally


def _point_llm_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("RAG_LLM_MODEL", "test-model")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-should-never-show")
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "10")


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
    caps = [c.value for c in msg.caption]
    assert any("LLM answer \\(test" in c for c in caps), caps
    assert CITE.search("\n".join(m.value for m in msg.markdown))
    assert [e for e in msg.expander if e.label.startswith("\\[1\\]")]
    side = "\n".join(m.value for m in at.sidebar.markdown)
    assert "127.0.0.1:" in side and "sk-test" not in side


def test_failing_endpoint_500_shows_notice(
    seed_home: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    _point_llm_at(monkeypatch, fake_openai.base_url)  # nothing queued: every request is a 500
    at = _ask(_app(monkeypatch, seed_home), FACTOID)
    assert not at.exception and not at.error
    msg = _last_assistant(at)
    assert msg.warning
    assert any("fallback" in c.value for c in msg.caption)
    assert CITE.search("\n".join(m.value for m in msg.markdown))


def test_year_filter_is_passed_and_shown(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, seed_home)
    at.sidebar.number_input(key="year_from").set_value(2020)
    at.sidebar.slider(key="top_k").set_value(5)
    _ask(at, FACTOID)
    turn = at.session_state["turns"][-1]
    assert turn.filters is not None and turn.filters.year_from == 2020 and turn.k == 5
    caps = [c.value for c in _last_assistant(at).caption]
    assert any("year ≥ 2020" in c and "top-k 5" in c for c in caps), caps
