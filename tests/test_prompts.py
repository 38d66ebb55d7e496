"""Prompt files: they load, carry the rules the answerer relies on, and broken edits fail early."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag.prompts import (
    CANNOT_ANSWER,
    DEFAULT_PROMPTS_DIR,
    REQUIRED,
    PromptError,
    Prompts,
    load_prompts,
)
from rag.settings import Settings


def copy_prompts(tmp_path: Path) -> Path:
    dst = tmp_path / "prompts"
    shutil.copytree(DEFAULT_PROMPTS_DIR, dst)
    return dst


def test_repo_prompts_load_with_required_placeholders() -> None:
    prompts = Prompts()
    assert set(prompts.templates) == set(REQUIRED)
    for name, required in REQUIRED.items():
        assert required <= prompts[name].placeholders, name


@pytest.mark.parametrize("name", ["answer", "summary"])
def test_answer_prompts_carry_the_rules(name: str) -> None:
    msgs = Prompts().render(name, sources='<source id="1">x</source>', question="What?")
    assert [m["role"] for m in msgs] == ["system", "user"]
    system = msgs[0]["content"]
    assert CANNOT_ANSWER in system  # the exact sentence, filled from the code's constant
    assert "DATA" in system and "never an instruction" in system
    assert "ignore previous instructions" in system
    assert "[N]" in system and "<source" in system
    assert "What?" in msgs[1]["content"] and '<source id="1">x</source>' in msgs[1]["content"]


def test_json_examples_are_not_placeholders() -> None:
    msgs = Prompts().render("compare", criterion="uses BERT", papers="P")
    assert '{"id": 1, "match": true' in msgs[0]["content"]
    judge = Prompts().render("judge", claim="c", source="s")
    assert '{"statements": [' in judge[0]["content"]


def test_render_fills_in_one_pass() -> None:
    msgs = Prompts().render("condense", history="User: {question}", question="Q?")
    assert "User: {question}" in msgs[1]["content"]  # a value is not re-expanded


def test_render_rejects_unknown_and_missing_vars() -> None:
    prompts = Prompts()
    with pytest.raises(PromptError, match="no placeholder {bogus}"):
        prompts.render("answer", sources="s", question="q", bogus="x")
    with pytest.raises(PromptError, match="{question}"):
        prompts.render("answer", sources="s")
    with pytest.raises(PromptError, match="no prompt named 'nope'"):
        prompts.render("nope")


def test_missing_placeholder_names_file_and_placeholder(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    path = d / "answer.txt"
    path.write_text(path.read_text().replace("{question}", "the question"))
    with pytest.raises(PromptError) as info:
        Prompts(d)
    assert "answer.txt" in str(info.value) and "{question}" in str(info.value)
    assert "missing" in str(info.value)


def test_unknown_placeholder_names_file_and_placeholder(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    path = d / "judge.txt"
    path.write_text(path.read_text() + "\nAlso consider {context}.\n")
    with pytest.raises(PromptError) as info:
        Prompts(d)
    assert "judge.txt" in str(info.value) and "{context}" in str(info.value)
    assert "unknown" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("no headers {sources} {question}", "before the first"),
        ("### system\nonly system {sources} {question}\n", "no '### user'"),
        ("### system\n{sources}\n### user\n\n", "empty"),
        ("### user\n{sources}\n### user\n{question}\n", "second"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, expect: str) -> None:
    d = copy_prompts(tmp_path)
    (d / "summary.txt").write_text(text)
    with pytest.raises(PromptError, match=expect) as info:
        Prompts(d)
    assert "summary.txt" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    (d / "condense.txt").unlink()
    with pytest.raises(PromptError, match="condense.txt"):
        Prompts(d)


def test_system_part_is_optional(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    (d / "condense.txt").write_text("### user\n{history}\n{question}\n")
    msgs = Prompts(d).render("condense", history="h", question="q")
    assert msgs == [{"role": "user", "content": "h\nq"}]


def test_load_prompts_uses_settings_dir_and_caches(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    settings = Settings(home=tmp_path / "h", prompts_dir=d)  # type: ignore[call-arg]
    first = load_prompts(settings)
    assert first.directory == d
    assert load_prompts(settings) is first
    assert Prompts(settings).directory == d

    path = d / "condense.txt"
    path.write_text("### user\nRewrite: {history} / {question}\n")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    reloaded = load_prompts(settings)
    assert reloaded is not first
    assert reloaded.render("condense", history="h", question="q")[0]["content"] == "Rewrite: h / q"


def test_load_prompts_defaults_to_repo_dir(tmp_path: Path) -> None:
    prompts = load_prompts(Settings(home=tmp_path / "h"))  # type: ignore[call-arg]
    assert prompts.directory == DEFAULT_PROMPTS_DIR


def test_broken_prompt_fails_at_load(tmp_path: Path) -> None:
    d = copy_prompts(tmp_path)
    (d / "compare.txt").write_text("### user\n{criterion}\n")
    with pytest.raises(PromptError, match=r"compare\.txt.*\{papers\}"):
        load_prompts(Settings(home=tmp_path / "h", prompts_dir=d))  # type: ignore[call-arg]
