"""What small models get wrong and the LLM path repairs or refuses: citation spellings, reference
lists, paraphrased abstentions, answers given instead of a follow-up rewrite, and the source and
screening budgets. Against the scripted server (tests/fake_openai.py); tests/test_real_llm.py
checks the same contract against a real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

from rag.generation import (
    clean_answer,
    condense_question,
    is_cannot_answer,
    screen_papers,
    select_sources,
)
from rag.llm import LLMClient, LLMError
from rag.pipeline import Pipeline
from rag.schema import Paper
from rag.settings import Settings


def _paper(i: int) -> Paper:
    return Paper(id=f"p{i}", title=f"Paper {i}", abstract=f"Abstract number {i} uses BERT.")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("It reaches 43.6% [Source 1].", "It reaches 43.6% [1]."),
        ('It reaches 43.6% [source id="2"].', "It reaches 43.6% [2]."),
        ("It reaches 43.6% (source 3).", "It reaches 43.6% [3]."),
        ("It reaches 43.6% \u30101\u3011.", "It reaches 43.6% [1]."),
        ("It reaches 43.6%[^1].", "It reaches 43.6%[1]."),
        ('It reaches 43.6% <source id="1">.', "It reaches 43.6% [1]."),
        ("Answer: It reaches 43.6% [1].", "It reaches 43.6% [1]."),
        (
            "It reaches 43.6% [1].\n\nReferences:\n[1] Pre-Trained Language Models\n[2] Other",
            "It reaches 43.6% [1].",
        ),
        ("It reaches 43.6% [1].\n[1] Pre-Trained Language Models", "It reaches 43.6% [1]."),
        # an answer written as cited lines is an answer, not a reference list
        ("[1] reports 43.6% [1].", "[1] reports 43.6% [1]."),
        ("A [1].\nB [2].", "A [1].\nB [2]."),
    ],
)
def test_clean_answer(raw: str, clean: str) -> None:
    assert clean_answer(raw) == clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The provided sources do not contain information about the boiling point.", True),
        ("The abstracts do not mention GPT-5.", True),
        ("There is no information about that in the provided abstracts.", True),
        ("I could not find the answer in the sources.", True),
        ("Sorry, the sources do not provide this.", True),
        # a disclaimer next to a cited answer is an answer
        ("The sources do not say when, but it reaches 43.6% [1].", False),
        ("The model does not contain recurrence [1].", False),
        ("BERT is used [2].", False),
    ],
)
def test_paraphrased_abstentions(text: str, expected: bool) -> None:
    assert is_cannot_answer(text) is expected


def test_select_sources_follows_the_ranking_then_retrieval() -> None:
    papers = [_paper(i) for i in range(6)]
    assert [p.id for p in select_sources(papers, ["p4", "p4", "p1"], 3)] == ["p4", "p1", "p0"]
    assert select_sources(papers, [], None) == papers
    assert len(select_sources(papers, ["p9"], 2)) == 2


def _settings(fake: FakeOpenAI, tmp_path: Path, **kw: object) -> Settings:
    return Settings(
        home=tmp_path, llm_model="m", llm_base_url=fake.base_url, llm_max_retries=0, **kw
    )  # type: ignore[arg-type]


def test_condense_refuses_an_answer_instead_of_a_rewrite(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    s = _settings(fake_openai, tmp_path)
    fake_openai.enqueue("It was trained on 970k demonstrations [1].")
    with pytest.raises(LLMError, match="answered the follow-up instead of rewriting"):
        condense_question(s, [("What is OpenVLA?", "A VLA model [1].")], "How big is it?")
    fake_openai.enqueue("970k")  # an answer, not a question
    with pytest.raises(LLMError, match="answered the follow-up instead of rewriting"):
        condense_question(s, [("What is OpenVLA?", "A VLA model [1].")], "How big is it?")
    fake_openai.enqueue("How many parameters does OpenVLA have?")
    out = condense_question(
        s, [("What is OpenVLA?", "A VLA model [1].")], "How big is it?", LLMClient(s)
    )
    assert out == "How many parameters does OpenVLA have?"


def test_screening_asks_only_for_decisions_in_configured_batches(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    s = _settings(fake_openai, tmp_path, llm_screen_batch=4)
    papers = [_paper(i) for i in range(6)]
    fake_openai.enqueue('{"results": [{"id": 1, "match": true}, {"id": 4, "match": true}]}')
    fake_openai.enqueue('{"results": [{"id": 2, "match": "yes"}]}')
    out = screen_papers(s, "uses BERT", papers, LLMClient(s))
    assert [(pid, ok) for pid, ok, _ in out] == [
        ("p0", True),
        ("p1", False),
        ("p2", False),
        ("p3", True),
        ("p4", False),
        ("p5", True),
    ]
    assert len(fake_openai.chat_requests) == 2
    assert '"evidence"' not in fake_openai.chat_requests[0].messages[0]["content"]


def test_llm_sees_only_its_source_budget(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline, tmp_path: Path
) -> None:
    """With llm_sources=2 the prompt holds two abstracts, and a citation of a source the model was
    never shown ([5]) is removed and counted."""
    s = Settings(
        home=seed_pipeline.settings.home,
        llm_model="m",
        llm_base_url=fake_openai.base_url,
        llm_sources=2,
        llm_max_retries=0,
    )
    pipe = Pipeline(s)
    fake_openai.enqueue("It raised completion by 43.6% [1]. It is also great [5].")
    ans = pipe.ask(
        "By how much did initializing policies with a pre-trained language model raise task "
        "completion rates in VirtualHome?"
    )
    prompt = fake_openai.chat_requests[-1].messages[-1]["content"]
    assert prompt.count("<source id=") == 2
    assert ans.backend == "llm:m" and ans.removed_citations == [5]
    assert [c.n for c in ans.citations] == [1]
    assert "Pre-Trained Language Models for Interactive Decision-Making" in prompt


def test_a_number_no_cited_abstract_states_is_flagged(seed_pipeline: Pipeline) -> None:
    from rag.citations import check_citations, unsupported_numbers

    p = Paper(id="p", title="T", abstract="Completion rose by 43.6% on 1,000 tasks.", year=2022)
    assert unsupported_numbers("It rose by 43.6% on 1000 tasks in 2022 [1].", [p]) == []
    assert unsupported_numbers("It rose by 45% [1].", [p]) == ["45"]
    ok = check_citations(
        "Completion rose by 43.6% on 1,000 tasks [1].", [(1, p)], seed_pipeline.embedder
    )
    bad = check_citations(
        "Completion rose by 45.2% on 1,000 tasks [1].", [(1, p)], seed_pipeline.embedder
    )
    assert ok.flagged == [] and bad.flagged == ["Completion rose by 45.2% on 1,000 tasks."]


def _seed_paper(pipe: Pipeline, title: str) -> Paper:
    papers = pipe.papers(sorted(pipe.store.paper_states())).values()
    return next(p for p in papers if p.title == title)


def _openvla_second(pipe: Pipeline) -> list[tuple[int, Paper]]:
    """Two sources: [1] a paper that neither names OpenVLA nor states 970k, [2] OpenVLA's."""
    vla = _seed_paper(pipe, "OpenVLA: An Open-Source Vision-Language-Action Model")
    other = next(
        p
        for p in pipe.papers(sorted(pipe.store.paper_states())).values()
        if "OpenVLA" not in p.abstract and "970" not in p.abstract
    )
    return [(1, other), (2, vla)]


def test_uncited_sentences_get_the_source_that_supports_them(seed_pipeline: Pipeline) -> None:
    from rag.generation import attribute_uncited

    sources, emb = _openvla_second(seed_pipeline), seed_pipeline.embedder
    text, added = attribute_uncited(
        "OpenVLA was trained on 970k real-world robot demonstrations.", sources, emb
    )
    assert (text, added) == ("OpenVLA was trained on 970k real-world robot demonstrations [2].", 1)
    # a number no source states, an unrelated claim, an already cited one: left as they are
    for claim in (
        "OpenVLA was trained on 123k real-world robot demonstrations.",
        "Bananas are yellow and rich in potassium.",
        "OpenVLA was trained on 970k demonstrations [1].",
    ):
        assert attribute_uncited(claim, sources, emb) == (claim, 0)


def test_a_misplaced_citation_moves_to_the_source_that_states_it(
    seed_pipeline: Pipeline,
) -> None:
    from rag.generation import move_misplaced

    sources, emb = _openvla_second(seed_pipeline), seed_pipeline.embedder
    text, moved = move_misplaced(
        "OpenVLA was trained on 970k real-world robot demonstrations [1].", sources, emb
    )
    assert (text, moved) == ("OpenVLA was trained on 970k real-world robot demonstrations [2].", 1)
    # a right citation, a number no source states, an unrelated claim: left as they are
    for claim in (
        "OpenVLA was trained on 970k real-world robot demonstrations [2].",
        "OpenVLA was trained on 123k real-world robot demonstrations [1].",
        "Bananas are yellow and rich in potassium [1].",
    ):
        assert move_misplaced(claim, sources, emb) == (claim, 0)


def test_an_answer_drawn_from_no_given_source_falls_back(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline
) -> None:
    """A small model that copies the prompt's wording ("trained on 1M images") answers from no
    source it was given: the reader gets the extractive answer, labelled; one grounded sentence
    (a short paraphrase the flagging threshold still flags) keeps the model's answer."""
    s = Settings(
        home=seed_pipeline.settings.home,
        llm_model="m",
        llm_base_url=fake_openai.base_url,
        llm_max_retries=0,
    )
    pipe = Pipeline(s)
    q = (
        "By how much did initializing policies with a pre-trained language model raise task "
        "completion rates in VirtualHome?"
    )
    fake_openai.enqueue("The model was trained on 1M images [1].")
    ans = pipe.ask(q)
    assert ans.backend == "extractive" and "the abstracts do not support" in ans.notice
    assert "43.6%" in ans.answer and "1M images" not in ans.answer
    fake_openai.enqueue("It raised completion by 43.6% [1]. It is also great.")
    ans = pipe.ask(q)
    assert ans.backend == "llm:m" and not ans.notice
    assert ans.answer.startswith("It raised completion by 43.6% [1].")


def test_screening_excerpt_keeps_contribution_and_best_sentence() -> None:
    from rag.generation import screening_excerpt

    p = Paper(
        id="p",
        title="T",
        abstract="Robots are hard. We propose RoboX. It uses a camera. Results are shown on a real arm.",
    )
    ex = screening_excerpt(p, "Results are shown on a real arm.")
    assert ex.abstract == "We propose RoboX. Results are shown on a real arm."
    assert ex.id == p.id and ex.title == p.title
    short = Paper(id="q", title="T", abstract="One. Two.")
    assert screening_excerpt(short, "Two.") is short


def test_small_model_no_answer_falls_back_when_the_gate_passed(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline
) -> None:
    from rag.prompts import CANNOT_ANSWER

    q = (
        "By how much did initializing policies with a pre-trained language model raise task "
        "completion rates in VirtualHome?"
    )
    base = {"home": seed_pipeline.settings.home, "llm_base_url": fake_openai.base_url}
    fake_openai.enqueue(CANNOT_ANSWER, CANNOT_ANSWER)
    small = Pipeline(Settings(llm_model="qwen2.5-coder-1.5b-instruct", **base))
    ans = small.ask(q)
    assert not ans.abstained and ans.backend == "extractive" and ans.citations
    assert "found no answer in the abstracts; showing the extractive answer" in ans.notice
    other = Pipeline(Settings(llm_model="gpt-4o-mini", **base))  # the contract for the rest
    assert other.ask(q).abstained


def test_an_answer_mostly_flagged_falls_back(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline
) -> None:
    """More than half of the model's sentences flagged (unsupported by what they cite, or
    citing nothing): the labelled extractive answer instead. The small models' default; one
    flagged sentence of three keeps the model's answer."""
    from rag.generation import mostly_flagged

    assert mostly_flagged(["b", "c"], ["a", "b", "c"], 0.5)
    assert not mostly_flagged(["c"], ["a", "b", "c"], 0.5)
    assert not mostly_flagged(["a", "b", "c"], ["a", "b", "c"], None)
    q = (
        "By how much did initializing policies with a pre-trained language model raise task "
        "completion rates in VirtualHome?"
    )
    small = Pipeline(
        Settings(
            home=seed_pipeline.settings.home,
            llm_base_url=fake_openai.base_url,
            llm_model="qwen2.5-coder-1.5b-instruct",
        )
    )
    assert small.settings.llm_flagged_fallback == 0.5
    fake_openai.enqueue(
        "It raised completion by 43.6% [1]. Bananas are yellow and rich in potassium [1]. "
        "The moon orbits the earth every 27 days [1]."
    )
    ans = small.ask(q)
    assert ans.backend == "extractive" and "most of whose sentences" in ans.notice, ans.answer
    assert "43.6%" in ans.answer and "Bananas" not in ans.answer
    fake_openai.enqueue(
        "Initializing policies with LMs raised task completion rates by 43.6% in VirtualHome [1]. "
        "Initializing policies with LMs and fine-tuning them via behavior cloning improves task "
        "completion rates [1]. Bananas are yellow [1]."
    )
    ans = small.ask(q)
    assert ans.backend.startswith("llm:") and not ans.notice, ans.notice
