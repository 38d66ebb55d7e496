"""`rag ask --json` and `rag chat --json` through rag.cli.main on the seed store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rag.cli import main


@pytest.fixture
def seed_env(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    return seed_home


KEYS = {
    "question",
    "standalone_question",
    "mode",
    "backend",
    "answer",
    "abstained",
    "citations",
    "papers",
    "retrieved",
    "timings_ms",
    "flagged",
    "removed_citations",
    "attributed",
    "moved_citations",
    "notice",
    "screened",
}


def test_ask_json(seed_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What is CaseHOLD?", "--json", "-k", "5"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == KEYS
    assert obj["mode"] == "qa" and obj["backend"] == "extractive"
    assert obj["citations"] and {"n", "paper_id", "title", "evidence", "support"} <= set(
        obj["citations"][0]
    )
    assert len(obj["retrieved"]) <= 5
    assert {"retrieve", "answer", "total"} <= set(obj["timings_ms"])


def test_ask_plain_text_lists_references(
    seed_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "What is CaseHOLD?"]) == 0
    out = capsys.readouterr().out
    assert "References:" in out and "[1]" in out


def test_chat_json_keeps_and_resets_conversation(
    seed_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = "What is CaseHOLD?\nHow much did domain pretraining improve F1 on it?\n\nWhat is it?\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["chat", "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert len(lines) == 3
    assert all(set(x) == KEYS for x in lines)
    assert lines[1]["standalone_question"] != lines[1]["question"]  # used the history
    assert lines[2]["standalone_question"] == lines[2]["question"]  # new conversation


def test_bad_mode_is_one_line_error(seed_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "x", "--mode", "nope"])
    err = capsys.readouterr().err
    assert "invalid choice" in err and "Traceback" not in err


def test_empty_question(seed_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "  "]) == 2
    assert capsys.readouterr().err.strip() == "rag ask: give a question with words in it"
