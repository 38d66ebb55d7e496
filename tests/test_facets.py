"""Compare mode screens for kinds of paper (surveys and books, theoretical work) by the words that
say what kind of paper it is, not by topic similarity."""

from __future__ import annotations

from rag.facets import asked_facets, facet_sentence
from rag.pipeline import Pipeline


def test_asked_facets() -> None:
    assert [f.name for f in asked_facets("are surveys, reviews or books")] == ["survey"]
    assert [f.name for f in asked_facets("give proofs or formal guarantees")] == ["theory"]
    assert [f.name for f in asked_facets("evaluate on real robots")] == ["robot"]
    assert [f.name for f in asked_facets("learn robot policies from videos")] == ["video"]
    # a model specialised to a domain: the paper must build one of its own, too
    assert [f.name for f in asked_facets("build a language model specialised for a domain")] == [
        "domain",
        "model",
    ]
    assert [f.name for f in asked_facets("study domain-specific pretraining of LMs")] == ["domain"]
    # "pretrain an already pretrained model on new data" asks no domain: no model facet either
    # (it is continual pretraining)
    assert [
        f.name
        for f in asked_facets("continuing to pretrain an already pretrained model on new data")
    ] == ["continual"]
    # the domain cues are how language-model papers say it: not asked of image encoders (which
    # are vision work)
    assert [
        f.name for f in asked_facets("pre-train image encoders for one specialised visual domain")
    ] == ["vision"]


def test_facet_cues_and_negation() -> None:
    theory, survey = (next(f for f in asked_facets(x)) for x in ("theoretical results", "surveys"))
    assert facet_sentence(
        theory, "T", "Theoretically, we show that DoC yields consistent policies."
    )
    assert facet_sentence(
        theory, "T", "We prove that the algorithm achieves an excess risk of O(1/n)."
    )
    # "cannot guarantee" says the opposite; "lower bound of the performance" is no theory
    assert not facet_sentence(theory, "T", "We cannot guarantee the selected ratio is optimal.")
    assert facet_sentence(survey, "T", "This open access book provides a comprehensive overview.")
    assert not facet_sentence(survey, "T", "We evaluate our method on a benchmark.")
    model = asked_facets("build a language model specialised for a domain")[1]
    assert facet_sentence(model, "T", "We performed adaptive training to develop a model.")
    assert facet_sentence(model, "CySecBERT: A Domain-Adapted Language Model", "No cue here.")
    assert not facet_sentence(model, "T", "Domain-specific continual pre-training is studied.")
    (robot,) = asked_facets("evaluate on physical robots in the real world")
    assert facet_sentence(robot, "T", "Our evaluation on real hardware shows gains.")
    assert facet_sentence(robot, "T", "It improves five policies on multiple robotic platforms.")
    assert not facet_sentence(robot, "T", "We run simulated robotic locomotion benchmarks.")
    assert not facet_sentence(robot, "T", "In real-world booking scenarios, success rises to 81%.")
    language = next(iter(asked_facets("models for languages other than English")))
    assert facet_sentence(language, "T", "Multilingual models fall short on Maltese.")
    assert facet_sentence(language, "T", "We pretrain on a Polish corpus.")
    assert not facet_sentence(language, "T", "We polish the generated text.")


def test_compare_finds_surveys_and_theory_papers(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask("Which papers are surveys, reviews or books rather than new methods?")
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {"A Comprehensive Survey on Pretrained Foundation Models"} <= titles, titles
    assert any(t.startswith("Foundation Models for Natural Language Processing") for t in titles)
    assert len(titles) <= 4, titles
    ans = seed_pipeline.ask(
        "Which papers back their method with theoretical results such as proofs or guarantees?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert not ans.abstained
    assert {"Supervised Pretraining Can Learn In-Context Reinforcement Learning"} <= titles
    assert "On the Provable Advantage of Unsupervised Pretraining" in titles
    # the kind is in the collection, the topic is not: the compare gate still abstains
    assert seed_pipeline.ask("Which papers are surveys of quantum computing?").abstained


def test_compare_finds_domain_specialised_language_models(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "Which papers build their own language model specialised for a professional or technical"
        " domain?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "CySecBERT",
        "LegalTurk Optimized BERT for Multi-Label Text Classification and NER",
    } <= (titles), titles
    assert "A Comprehensive Survey on Pretrained Foundation Models" not in titles
    # papers about domain-specific data that build no model of their own are not listed
    assert not titles & {"DataMan", "D-CPT Law"}, titles


def test_compare_finds_work_on_languages_other_than_english(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "Which papers train their own language model for a language other than English?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "AfroLM",
        "Chinese MentalBERT",
        "LegalTurk Optimized BERT for Multi-Label Text Classification and NER",
    } <= titles, titles
    assert not any(t.startswith("Domain-Specific Language Model Pretraining") for t in titles)


def test_compare_finds_computer_vision_work(seed_pipeline: Pipeline) -> None:
    """ "computer vision tasks such as image classification, segmentation or image generation"
    is a kind of paper (ImageNet, CIFAR, "semantic segmentation", "diffusion models"); robot
    papers that see camera images, and "vision-language" criteria, are not it."""
    assert [f.name for f in asked_facets("evaluate on image classification or segmentation")] == [
        "vision"
    ]
    assert asked_facets("use pretrained vision-language models for robots") == []
    ans = seed_pipeline.ask(
        "Which papers evaluate on computer vision tasks like image classification, segmentation"
        " or image generation?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "KIND",
        "Learning from Future",
        "Position Prediction as an Effective Pretraining Strategy",
        "Rethinking Supervised Pre-training for Better Downstream Transferring",
    } <= titles, titles
    assert not titles & {"OpenVLA", "Robot Fine-Tuning Made Easy"}, titles


def test_compare_finds_work_on_cheaper_pretraining(seed_pipeline: Pipeline) -> None:
    """ "make pretraining cheaper or more compute-efficient" is a kind of paper ("pre-training
    costs", "accelerates pre-training", "redundant computations"), not every abstract saying
    "efficient"; "cheaper by reusing a smaller model" keeps its means as the property."""
    assert [f.name for f in asked_facets("make pretraining cheaper or faster")] == ["efficiency"]
    assert asked_facets("make pre-training cheaper by reusing a smaller model") == []
    assert asked_facets("speed up inference") == []
    ans = seed_pipeline.ask(
        "Which works propose ways to make pretraining cheaper or more compute-efficient?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "bert2BERT",
        "SPDF",
        "Metadata Conditioning Accelerates Language Model Pre-training",
        "Boosting Distributed Training Performance of the Unpadded BERT Model",
    } <= titles, titles
    assert "OpenVLA" not in titles


def test_compare_finds_work_on_choosing_pretraining_data(seed_pipeline: Pipeline) -> None:
    """ "choose, filter or assess the data used for language model pretraining" is a kind of
    paper ("data selection", "quality filters", "ProX-curated data", "selection of pre-training
    data"), unless the criterion asks for releasing data or a corpus of one's own."""
    assert [f.name for f in asked_facets("select or filter LLM pretraining data by quality")] == [
        "data"
    ]
    assert asked_facets("release a pretraining corpus or curated pretraining data") == []
    assert asked_facets("build their own new corpus specifically to pre-train a model on") == []
    ans = seed_pipeline.ask(
        "Which papers investigate how to choose, filter or assess the data used for language"
        " model pretraining?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {"DataMan", "Predictive Data Selection", "Programming Every Example"} <= titles, titles


def test_compare_finds_agents_that_learn_from_video(seed_pipeline: Pipeline) -> None:
    """ "train agents or robot policies from video data": the papers whose method learns from
    video (VPT, V-PTR), not every robot paper with a "Videos and code are at ..." link."""
    assert [f.name for f in asked_facets("train robot policies from video data")] == ["video"]
    assert asked_facets("generate videos with diffusion") == []
    ans = seed_pipeline.ask("Which papers train agents or robot policies from video data?")
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "Video PreTraining (VPT)",
        "Robotic Offline RL from Internet Videos via Value-Function Pre-Training",
    } <= titles
    assert not titles & {"Yell At Your Robot", "RT-H", "Steering Your Generalists"}, titles


def test_compare_finds_continual_pretraining_work(seed_pipeline: Pipeline) -> None:
    """ "continuing to pretrain an already-pretrained model on new data" is a kind of paper
    ("continual / continued / further pre-training"); "pretrain or further pretrain their own
    model" asks no kind (either way will do)."""
    assert [f.name for f in asked_facets("continuing to pretrain an already-pretrained model")] == [
        "continual"
    ]
    assert "continual" not in {
        f.name for f in asked_facets("pretrain or further pretrain their own model for a domain")
    }
    ans = seed_pipeline.ask(
        "Which papers are mainly about continuing to pretrain an already pretrained model on new"
        " or in-domain data?"
    )
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {
        "D-CPT Law",
        "How Useful is Continued Pre-Training for Generative Unsupervised Domain Adaptation?",
        "Efficient Continual Pre-training by Mitigating the Stability Gap",
    } <= titles, titles
