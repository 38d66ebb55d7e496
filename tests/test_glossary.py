"""rag.glossary: a well-known name's words count for the sentence that gives the name."""

from __future__ import annotations

from rag.glossary import described_names, gloss_terms
from rag.pipeline import Pipeline
from rag.sentences import terms


def test_a_name_brings_its_gloss_and_case_matters() -> None:
    got = gloss_terms("In this work, we take StackOverflow (SO) as a domain example.")
    assert set(terms("programming Q&A forum posts")) <= got
    assert gloss_terms("pretrained on RedPajama-V2") == gloss_terms("pretrained on RedPajama")
    assert not gloss_terms("a glue layer between two modules")  # "GLUE" the benchmark only
    assert not gloss_terms("no well-known name here")


def test_a_described_name_is_searched_for_by_name() -> None:
    q = "What are the parameter counts of the models trained only on programming Q&A forum posts?"
    assert "StackOverflow" in described_names(q)
    assert not described_names("What is the StackOverflow model's context size on the forum?")
    assert not described_names("Which programming language was used?")  # one word is no gloss


def test_a_paraphrase_of_a_name_is_answered_not_abstained(seed_pipeline: Pipeline) -> None:
    """Three blind writers described StackOverflow as "a programming Q&A site": no word of it
    is in the abstract, and the answer abstained as off-topic."""
    ans = seed_pipeline.ask(
        "What are the parameter counts of the two encoder models trained only on a programming"
        " Q&A site's posts?"
    )
    assert not ans.abstained, ans.answer
    assert ans.citations[0].title.startswith("Stack Over-Flowing"), ans.answer
    far = seed_pipeline.ask(
        "Which papers study answer quality on a medical Q&A forum for patients?"
    )
    assert all(not c.title.startswith("Stack Over-Flowing") for c in far.citations), far.answer


def test_the_fields_term_for_what_a_criterion_describes_in_everyday_words() -> None:
    """ "losing earlier skills once trained on something new" is catastrophic forgetting and
    "training only a small add-on or a tiny fraction of its weights" parameter-efficient
    fine-tuning; a criterion with only one of a term's word groups gets none."""
    from rag.glossary import field_terms, in_field_words

    assert "catastrophic forgetting" in field_terms(
        "grapple with a model losing earlier skills or knowledge once it gets trained further"
    )
    assert "parameter-efficient" in field_terms(
        "adapt a big pretrained model by training only a small add-on or a tiny fraction of its"
        " weights"
    )
    assert "information retrieval" in field_terms("deal with document search or ranking")
    assert in_field_words("make use of web addresses as a signal") == "make use of URLs as a signal"
    assert (
        in_field_words("learn from online footage of people")
        == "learn from online videos of people"
    )
    assert "language corrections" in field_terms(
        "let a person fix a robot's behaviour just by telling it in words what to do differently"
    )
    assert "language corrections" not in field_terms("correct the labels of a noisy dataset")
    # the input "chopped into pieces", "downloadable weights"
    assert "tokenization" in field_terms(
        "change how the input text is chopped into pieces or what vocabulary the model uses"
    )
    assert "release model weights" in field_terms(
        "make the weights of the models they trained downloadable"
    )
    # "keep pretraining an already-pretrained model", "training it further": continued
    # pretraining; training only a few extra weights of a pretrained model is not
    assert "continual pre-training" in field_terms(
        "take an already-pretrained model and keep pretraining it on new or in-domain text"
    )
    assert "continual pre-training" in field_terms(
        "take a model that has already been pre-trained and train it further on new text"
    )
    assert "continual pre-training" not in field_terms(
        "adapt a big pretrained model by training only a small number of extra weights"
    )
    assert field_terms("study how models are trained on new data") == ""
    assert field_terms("lose accuracy on the new tasks") == ""


def test_compare_reads_a_criterion_in_everyday_words_as_the_fields_term(
    seed_pipeline: Pipeline,
) -> None:
    """No abstract says "grapple", "losing" or "earlier": the criterion was abstained on as
    a property no abstract has; read as "catastrophic forgetting" too, the papers about it
    are listed."""
    ans = seed_pipeline.ask(
        "Which papers grapple with a model losing earlier skills or knowledge once it gets"
        " trained on something new?"
    )
    ids = {p.paper_id for p in ans.papers}
    assert any(pid.startswith("learning-to-modulate-pre-trained") for pid in ids), ids
    assert any(pid.startswith("investigating-continual-pretraining") for pid in ids), ids


def test_compare_lists_the_papers_that_take_language_corrections(seed_pipeline: Pipeline) -> None:
    """ "Fix a robot's behaviour by telling it in words" is what the abstracts call language
    corrections: the two papers that take them are listed, not every robot paper."""
    ans = seed_pipeline.ask(
        "Which papers let a person fix a robot's behaviour mid-task just by telling it in words"
        " what to do differently?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {"RT-H", "Yell At Your Robot"} <= titles and len(titles) <= 3, titles


def test_footage_is_read_as_videos(seed_pipeline: Pipeline) -> None:
    """No abstract says "footage": the criterion was abstained on as a property no abstract
    has ("no abstract uses the words footage or things"); read as "videos", the two papers
    that learn from videos of people are listed."""
    ans = seed_pipeline.ask(
        "Which papers train agents or robots using footage of people doing things?"
    )
    ids = {p.paper_id for p in ans.papers}
    assert not ans.abstained, ans.answer
    assert any(pid.startswith("video-pretraining-vpt") for pid in ids), ids
    assert any(pid.startswith("robotic-offline-rl-from-internet-videos") for pid in ids), ids


def test_everyday_words_for_tokenization_and_releases_are_not_judged_absent(
    seed_pipeline: Pipeline,
) -> None:
    """No abstract says "chopped" or "downloadable": the criteria abstained as properties no
    abstract has; read in the field's terms too, the papers that build their own vocabulary
    or release their weights are listed."""
    ans = seed_pipeline.ask(
        "Which papers change how the input text is chopped into pieces or what vocabulary the"
        " model uses?"
    )
    ids = {p.paper_id for p in ans.papers}
    assert not ans.abstained and ans.mode == "compare", ans.answer
    assert any(pid.startswith("pre-training-technique-to-localize-medical") for pid in ids), ids
    ans = seed_pipeline.ask(
        "Which papers make the weights of the models they trained downloadable?"
    )
    assert not ans.abstained and ans.papers, ans.answer


def test_compare_reads_keep_pretraining_as_continued_pretraining(seed_pipeline: Pipeline) -> None:
    """ "keep training an already pretrained model on fresh data" is what the abstracts call
    continual, continued or further pre-training: the papers that say so are listed, not the
    ten about pretraining data that the words "training", "data" and "scratch" found."""
    ans = seed_pipeline.ask(
        "Which papers look at how to keep training an already pretrained language model on fresh"
        " data rather than starting from scratch?"
    )
    ids = {p.paper_id for p in ans.papers}
    for want in ("investigating-continual", "efficient-continual", "continual-pre-training-of"):
        assert any(pid.startswith(want) for pid in ids), ids
    assert not any(pid.startswith("predictive-data-selection") for pid in ids), ids
