"""Follow-up rewriting: pronoun/short questions carry the previous turn's papers."""

from __future__ import annotations

from rag.conversation import carry_over, needs_context
from rag.pipeline import Pipeline
from rag.schema import Answer, Citation


def _prev(title: str) -> Answer:
    return Answer(
        question="What is CaseHOLD?",
        standalone_question="What is CaseHOLD?",
        mode="qa",
        backend="extractive",
        answer="CaseHOLD is a dataset [1].",
        abstained=False,
        citations=[Citation(1, "p-law", title, "CaseHOLD ...", 1.0)],
    )


def test_needs_context() -> None:
    assert needs_context("What dataset did it use?")
    assert needs_context("How much did the method improve?")
    assert needs_context("And on SuperGLUE?")
    assert not needs_context("Which paper pre-trains BERT models on StackOverflow posts?")


def test_carry_over_adds_previous_paper() -> None:
    rw = carry_over("How much did domain pretraining improve F1 on it?", [_prev("Law Paper")])
    assert "Law Paper" in rw.standalone
    assert rw.focus_ids == ["p-law"]
    assert rw.scoring_question == "How much did domain pretraining improve F1 on it?"


def test_standalone_questions_are_left_alone() -> None:
    q = "Which paper pre-trains BERT models on StackOverflow posts?"
    rw = carry_over(q, [_prev("Law Paper")])
    assert rw.standalone == q and not rw.focus_ids


def test_follow_up_end_to_end(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("What is CaseHOLD?")
    assert not first.abstained
    second = seed_pipeline.ask("How much did domain pretraining improve F1 on it?", [first])
    assert second.standalone_question != second.question
    assert any("CaseHOLD" in c.title for c in second.citations)
    assert "7.2%" in second.answer
