"""Compare mode counts a property only when the abstract states it as the paper's own
contribution, not when it merely mentions the words."""

from __future__ import annotations

from rag.contribution import contribution_object, states
from rag.pipeline import Pipeline


def test_contribution_object() -> None:
    assert contribution_object("propose a new benchmark or dataset") == {"benchmark", "dataset"}
    assert contribution_object("make their own source code available") == {"code"}
    assert contribution_object("publicly release their trained model weights or checkpoints") == {
        "weight",
        "checkpoint",
    }
    assert contribution_object("propose a new method") is None  # too generic to check
    assert contribution_object("evaluate on real robots") is None  # not a contribution verb


def test_states_versus_mentions() -> None:
    obj = contribution_object("propose a new benchmark or dataset")
    assert obj is not None
    assert states(
        "To address this, we first present CaseHOLD, a new dataset of 53,000 questions.", obj
    )
    assert states("The dataset is publicly available at https://example.org/tape.", obj)
    assert not states("The learning rate must be re-increased when training on a new dataset.", obj)
    assert not states(
        "Our method achieves state-of-the-art performance on several benchmarks.", obj
    )
    assert not states("We propose a framework that makes use of the labeled dataset.", obj)


def test_compare_lists_contributions_not_mentions(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask("Which papers propose a new benchmark or dataset?")
    titles = {p.title for p in ans.papers}
    assert any("CaseHOLD" in t for t in titles)
    # says "when training on a new dataset": a mention, not a contribution
    assert not any(t.startswith("Continual Pre-Training of Large Language Models") for t in titles)
    case = next(p for p in ans.papers if "CaseHOLD" in p.title)
    assert "new dataset" in case.evidence  # the sentence that states it is the evidence
    assert all(p.confidence >= 0.5 for p in ans.papers)
