"""Compare mode: criterion extraction, screening the whole small collection, the gold set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import compare as cmp
from rag.answering import route
from rag.compare import asked_topic, core_of, criterion_of, excluded_terms, slots
from rag.pipeline import Pipeline

EVAL = Path(__file__).resolve().parent.parent / "eval" / "seed_questions.jsonl"


def test_an_instruction_after_the_question_is_no_criterion() -> None:
    """ "Are there any papers on X? List them all." asks for papers on X: "List" was read as a
    word of the topic that no abstract uses, and the question abstained."""
    q = "Are there any papers on pre-training or prompting graph neural networks? List them all."
    assert asked_topic(q) == "pre-training or prompting graph neural networks"
    assert criterion_of("Which papers release a benchmark? Please list every one.") == (
        "release a benchmark"
    )


def test_criterion_of() -> None:
    assert criterion_of("Which papers evaluate on the SuperGLUE benchmark?") == (
        "evaluate on the SuperGLUE benchmark"
    )
    assert criterion_of("List the papers that study in-context learning") == (
        "study in-context learning"
    )
    # the words before "papers" say what kind of paper is asked for: part of the property
    assert criterion_of("What robot papers use language?") == "robot use language"
    assert criterion_of("Which robotics papers are there?") == "robotics"
    assert criterion_of("What legal-domain pretraining papers are in here?") == (
        "legal-domain pretraining"
    )
    assert criterion_of("Which of these papers use MCTS?") == "use MCTS"
    # a count after "which of those" is no part of the property
    assert criterion_of("Which of those three modified the masking, and how?") == (
        "modified the masking"
    )
    assert criterion_of("Which of the two papers uses more data?") == "uses more data"
    # that the papers are there is the asking ("no abstract uses the words appear"), unless a
    # clause of the property says it
    assert criterion_of(
        "Which two papers about graph neural networks appear in the collection, and what do they"
        " propose?"
    ) == ("graph neural networks")
    assert criterion_of("Which papers about offline RL exist in this collection?") == "offline RL"
    assert criterion_of(
        "Which papers study settings where only a few labelled examples are available?"
    ) == ("study settings where only a few labelled examples are available")
    assert criterion_of("Which two papers pretrain BERT on legal text?") == (
        "pretrain BERT on legal text"
    )
    # "papers work with": "work" is the verb here, not a second "papers" word
    assert (
        criterion_of("Which papers work with multilingual text?") == "work with multilingual text"
    )
    # "name"/"give" lead in too; "whose" is no "who"
    assert criterion_of("Name the papers that use MCTS, and in which domains?") == "use MCTS"
    assert criterion_of("Name all studies whose main subject is law.") == (
        "whose main subject is law"
    )
    assert criterion_of("Find papers that use MCTS and explain what it searches.") == "use MCTS"
    # routing calls "abstracts" papers; so does the criterion
    assert criterion_of("Which abstracts report results on SuperGLUE?") == (
        "report results on SuperGLUE"
    )
    # "are there (papers on) X", and where the question asks, are no part of the property
    assert criterion_of("Are there papers on pretraining LiDAR detectors?") == (
        "pretraining LiDAR detectors"
    )
    assert criterion_of("Are there surveys of pretrained models in the collection?") == (
        "surveys of pretrained models"
    )
    assert criterion_of("New question: which papers in the collection study RL?") == "study RL"
    assert criterion_of("Are there any surveys, reviews or books in here?") == (
        "surveys, reviews or books"
    )


def test_the_second_part_keeps_its_preposition() -> None:
    from rag.compare import split_question

    assert split_question("Which papers use MCTS, and in which domains?") == (
        "Which papers use MCTS",
        "in which domains?",
    )
    assert split_question("Which papers use MCTS and explain what it searches?")[1] == (
        "what it searches?"
    )
    assert split_question("Which papers do X and Y?")[1] == ""
    # "when and how" is one ask: no second question starts at its "and how"
    assert split_question("Which papers analyse when and how transformers learn in context?") == (
        "Which papers analyse when and how transformers learn in context?",
        "",
    )
    # a second wh-clause of what the papers look at ("what goes wrong, and what works best")
    # is part of the property; "what gains do they report" asks of the papers
    assert (
        split_question(
            "Which papers look at what goes wrong, and what works best, when you keep pretraining"
            " an LLM on new text?"
        )[1]
        == ""
    )
    assert (
        split_question(
            "Which papers propose fixes to masked language modeling, and what gains do they report?"
        )[1]
        == "what gains do they report?"
    )
    assert split_question("Which papers look at what goes wrong, and how?")[1] == "how?"
    # a second question after the first one's question mark is what is asked of each match
    assert split_question("Which papers use MCTS? What hardware did they test on?") == (
        "Which papers use MCTS",
        "What hardware did they test on?",
    )


def test_a_slash_offers_alternatives() -> None:
    assert cmp.slots("pretraining for people / pedestrians")[-1] == frozenset(
        {"peopl", "pedestrian"}
    )


def test_core_and_slots() -> None:
    assert core_of("study continual pre-training, i.e. further pre-training on new data") == (
        "study continual pre-training"
    )
    assert core_of("pre-train on text from a domain (e.g. medicine, law)") == (
        "pre-train on text from a domain"
    )
    # one part for each of two papers: neither paper has both
    assert (
        core_of(
            "adapt BERT pretraining to legal text, one for US court decisions and one for Turkish"
        )
        == "adapt BERT pretraining to legal text"
    )
    assert core_of("evaluate on one robot") == "evaluate on one robot"
    assert slots("are surveys, reviews or books") == [frozenset({"survey", "review", "book"})]
    assert frozenset({"benchmark", "dataset"}) in slots("propose a new benchmark or dataset")


def test_compare_returns_gold_set(seed_pipeline: Pipeline) -> None:
    items = {json.loads(x)["id"]: json.loads(x) for x in EVAL.read_text().splitlines() if x}
    it = items["compare-008"]  # graph neural networks / graph pre-training
    ans = seed_pipeline.ask(it["turns"][0])
    assert ans.mode == "compare"
    assert ans.screened == 79  # every paper of a small collection is screened
    found = {p.title for p in ans.papers}
    assert set(it["gold"]) <= found
    assert not (found - set(it["gold"]) - set(it["acceptable"]))
    assert f"{len(ans.papers)} of the 79 papers" in ans.answer
    assert {c.title for c in ans.citations} == found
    for row in ans.papers:
        assert row.evidence and 0.0 <= row.confidence <= 1.0


def test_names_in_reads_word_starts_and_camel_case() -> None:
    from rag.compare import names_in

    assert names_in("Llama", "we fine-tune Llama-3 70B")
    assert names_in("Llama", "reproduced OpenLLaMA-3B")  # a capital inside a word starts a name
    assert names_in("Pile", "pre-trained on the Pile")
    assert not names_in("Pile", "we compile a corpus")


def test_a_criterion_naming_something_matches_the_papers_that_name_it(
    seed_pipeline: Pipeline,
) -> None:
    """ "use Llama-family models": every paper naming a Llama model (Llama-3 70B, OpenLLaMA, ...),
    whatever its best sentence is about; "Internet-scale" is no name."""
    from rag.compare import criterion_names
    from rag.extractive import corpus_for

    corpus = corpus_for(seed_pipeline)
    assert criterion_names("use Llama-family models", corpus) == ["Llama"]
    assert criterion_names("pre-train on Internet-scale data", corpus) == []
    # a capitalised word inside the criterion is a name unless the abstracts use it commonly
    assert criterion_names("use or train a model from the Llama family", corpus) == ["Llama"]
    assert criterion_names("evaluate on Transformer models", corpus) == []
    # "a BERT-style encoder" is of BERT's kind, named or not; "Chinese NLP tasks" names Chinese
    assert criterion_names("build their own BERT-style encoder for a domain", corpus) == []
    assert criterion_names("involve Chinese-language models or Chinese NLP tasks", corpus) == [
        "Chinese"
    ]
    # "Meta's Llama family": Meta makes what is named; no abstract need name it
    assert criterion_names("use models from Meta's Llama family", corpus) == ["Llama"]
    items = {json.loads(x)["id"]: json.loads(x) for x in EVAL.read_text().splitlines() if x}
    it = items["compare-009"]  # Which papers report experiments with Llama-family models?
    ans = seed_pipeline.ask(it["turns"][0])
    found = {p.title for p in ans.papers}
    assert set(it["gold"]) <= found and not (found - set(it["gold"]) - set(it["acceptable"]))
    for row in ans.papers:
        assert "llama" in row.evidence.lower(), row.evidence  # quoted where it names Llama


def test_topical_wording_is_not_part_of_the_topic() -> None:
    from rag.compare import topical

    assert topical("make continual pre-training of language models their central topic") == (
        "continual pre-training of language models",
        True,
    )
    assert topical("are mainly about in-context learning") == ("in-context learning", True)
    assert topical("whose main subject is continued pre-training") == (
        "continued pre-training",
        True,
    )
    assert topical("study in-context learning as their main topic") == (
        "study in-context learning",
        True,
    )
    assert topical("evaluate on real robots") == ("evaluate on real robots", False)


def test_the_papers_that_x_make_x_the_property() -> None:
    from rag.compare import split_question

    q = "What do the papers that tackle negative transfer from pre-trained models propose?"
    assert split_question(q) == ("tackle negative transfer from pre-trained models propose", q)
    assert criterion_of("Across the papers that state their compute budget, what is it?") == (
        "state their compute budget"
    )
    # "among the papers that X, which ones Y": X only narrows the papers; Y is the property
    assert split_question("Among the papers that use robots, which ones release code?")[1] == ""


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Are there any papers on speculative decoding?", True),
        ("Anything about watermarking LLM text in the collection?", True),
        ("Which papers work on information retrieval?", True),
        ("Which papers evaluate on real robots?", False),
        ("Which papers propose a benchmark, and what is it about?", False),
    ],
)
def test_a_question_for_the_papers_on_a_topic(question: str, topic: bool) -> None:
    assert cmp.asks_topic(question) is topic


def test_a_link_sentence_is_no_evidence_for_a_content_property(seed_pipeline: Pipeline) -> None:
    """ "Videos and code for our approach can be found on our website" is about where things
    are, not about learning from video: the papers that learn from video match, the ones with a
    video link do not (unless the criterion asks for code or releases)."""
    from rag.extractive import corpus_for, is_boilerplate

    corpus = corpus_for(seed_pipeline)
    papers = list(seed_pipeline.papers(list(corpus.paper_ids)).values())
    got = {
        d.paper.title: d
        for d in cmp.screen_offline(seed_pipeline.embedder, corpus, "learn from video data", papers)
    }
    assert got["Robotic Offline RL from Internet Videos via Value-Function Pre-Training"].matches
    linked = [
        t
        for t, d in got.items()
        if "http" in next(p.abstract for p in papers if p.title == t)
        and "video" in next(p.abstract for p in papers if p.title == t).lower()
    ]
    assert linked  # the seeds hold such papers
    for title in linked:
        assert not is_boilerplate(got[title].evidence), (title, got[title].evidence)
    grif = "Goal Representations for Instruction Following: A Semi-Supervised Language Interface"
    assert not next(d for t, d in got.items() if t.startswith(grif)).matches


def test_a_question_asked_of_each_matching_paper_lists_borderline_ones_too(
    seed_pipeline: Pipeline,
) -> None:
    """ "Which papers X, and how much do they save?" asks something of every paper that does X:
    the screen's cutoff sits lower (ASKED_OF_EACH_RELATIVE), so the list is a superset of the
    one "Which papers X?" gets, with the borderline papers at lower confidence."""
    assert cmp.ASKED_OF_EACH_RELATIVE < cmp.COMPARE_RELATIVE
    q = "Which papers make language model pre-training cheaper"
    plain = seed_pipeline.ask(q + "?")
    asked = seed_pipeline.ask(q + ", and how much do they save?")
    assert plain.mode == asked.mode == "compare"
    found = {r.paper_id for r in plain.papers}
    more = {r.paper_id for r in asked.papers}
    assert found < more, (found, more)
    conf = {r.paper_id: r.confidence for r in asked.papers}
    assert max(conf[p] for p in more - found) <= min(conf[p] for p in found)


def test_a_name_many_abstracts_use_is_a_kind_not_a_name(seed_pipeline: Pipeline) -> None:
    """ "Which biomedical BERT pretraining papers ...": BERT (in about a quarter of the seed
    abstracts) says what kind of paper, so the papers are not all the ones naming BERT; a name
    few use (Llama) still decides by itself."""
    from rag.extractive import corpus_for

    corpus = corpus_for(seed_pipeline)
    assert cmp.criterion_names("biomedical BERT pretraining on medical text", corpus) == []
    assert cmp.criterion_names("use Llama-family models", corpus) == ["Llama"]
    ans = seed_pipeline.ask(
        "Which biomedical BERT pretraining papers weigh in on whether to mix general-domain"
        " text with medical text, and which benchmarks do they report on?"
    )
    titles = {r.title for r in ans.papers}
    assert "Domain-Specific Language Model Pretraining for Biomedical Natural Language" in " ".join(
        titles
    )
    assert len(titles) <= 8, titles


def test_names_given_as_examples_each_suffice(seed_pipeline: Pipeline) -> None:
    """ "corpora like C4, RefinedWeb, ..., or the Pile": a paper naming any one of them has the
    property (none names them all), and a paper naming none is still judged by similarity."""
    assert cmp.examples_named("corpora like C4, FineWeb or the Pile", ["C4", "FineWeb", "Pile"])
    assert not cmp.examples_named("use Llama models", ["Llama"])
    # a parenthesised list after the kind names examples too
    assert cmp.examples_named(
        "use a model from the Llama family (Llama, OpenLLaMA, CodeLlama...)",
        ["OpenLLaMA", "CodeLlama", "Llama"],
    )
    assert not cmp.examples_named("use Llama (Meta's model)", ["Llama", "Meta"])
    q = "Which papers pretrain on web corpora like C4, RefinedWeb, FineWeb, SlimPajama or the Pile?"
    found = {r.paper_id for r in seed_pipeline.ask(q).papers}
    for paper in ("programming-every-example", "continual-pre-training-of-large-language-models"):
        assert any(pid.startswith(paper) for pid in found), (paper, found)


@pytest.mark.parametrize(
    ("criterion", "restated"),
    [
        (
            "are about search and ranking of documents, i.e. information retrieval",
            "information retrieval",
        ),
        (
            "deal with a model losing learned abilities (catastrophic forgetting)",
            "catastrophic forgetting",
        ),
        ("pre-train on text from a domain (e.g. medicine, law)", ""),  # examples
        ("evaluate on physical robots (not just simulation)", ""),  # an exclusion
        ("study continual (continued) pre-training of language models", ""),  # not at the end
        # an aside too long to be a term; its words are the field's term for continued pretraining
        (
            "study continual pre-training, i.e. further pre-training an already pretrained model",
            "continual pre-training continued further domain-adaptive pre-training",
        ),
    ],
)
def test_a_closing_aside_restates_the_criterion(criterion: str, restated: str) -> None:
    assert cmp.restatement(criterion) == restated


def test_either_wording_of_a_restated_criterion_counts(seed_pipeline: Pipeline) -> None:
    """ "search and ranking of documents, i.e. information retrieval": the retrieval papers say
    "ad-hoc retrieval" / "information retrieval", not "search and ranking"; the paraphrase alone
    matched DataMan's "document sources" and a model-selection "ranking"."""
    ans = seed_pipeline.ask(
        "Which papers are about search and ranking of documents, i.e. information retrieval?"
    )
    ids = {r.paper_id for r in ans.papers}
    for paper in ("prop-pre-training", "b-prop-", "regulatory-compliance-through-doc2doc"):
        assert any(pid.startswith(paper) for pid in ids), (paper, ids)
    assert not any(pid.startswith(("dataman", "validate-on-sim")) for pid in ids), ids


@pytest.mark.parametrize(
    ("criterion", "core"),
    [
        (
            "run experiments on image data, leaving aside robot control",
            "run experiments on image data",
        ),
        ("propose a new objective, as opposed to a new data recipe", "propose a new objective"),
        ("study vision models excluding robotics", "study vision models"),
        ("work with languages other than English", "work with languages other than English"),
    ],
)
def test_a_trailing_exclusion_is_no_part_of_the_criterion(criterion: str, core: str) -> None:
    assert cmp.core_of(criterion) == core


def test_an_excluded_field_is_not_what_is_screened_for(seed_pipeline: Pipeline) -> None:
    """ ", leaving aside robot control" excludes the robot papers; scored as part of the
    criterion it made them the matches."""
    ans = seed_pipeline.ask(
        "Which papers run experiments on image data (classification, segmentation, generation"
        " or person images), leaving aside robot control?"
    )
    ids = {r.paper_id for r in ans.papers}
    assert any(pid.startswith("plip-") for pid in ids), ids
    assert not any(pid.startswith(("openvla-", "rt-h-", "yell-at-your-robot")) for pid in ids), ids


def test_a_survey_proposes_no_method(seed_pipeline: Pipeline) -> None:
    """ "Which papers propose a new pretraining method for image encoders?": the survey of
    pretrained foundation models reviews such methods ("The review covers ... existing
    pretraining methods") and proposes none; nor is it one of the papers that "deal with
    knowledge graphs" because it mentions them. Asked for surveys, it is listed."""
    from rag.facets import leaves_out_surveys

    assert leaves_out_surveys("propose a new pretraining method for image or visual encoders")
    assert leaves_out_surveys("bring knowledge graphs into language models")
    assert not leaves_out_surveys("are surveys that propose a taxonomy")
    assert not leaves_out_surveys("are books or broad overviews rather than new methods")
    ans = seed_pipeline.ask(
        "Which papers propose a new pretraining method for image or visual encoders?"
    )
    ids = {r.paper_id for r in ans.papers}
    assert any(pid.startswith("rad-dino") for pid in ids), ids
    assert not any(pid.startswith("a-comprehensive-survey") for pid in ids), ids
    ans = seed_pipeline.ask(
        "Which papers bring structured knowledge such as knowledge graphs into language models?"
    )
    ids = {r.paper_id for r in ans.papers}
    assert any(pid.startswith("ernie-3-0") for pid in ids), ids
    assert not any(pid.startswith("foundation-models-for-natural") for pid in ids), ids


def test_a_leading_verb_that_only_says_the_paper_has_it_is_no_term(
    seed_pipeline: Pipeline,
) -> None:
    """ "include a contrastive objective": as a term of its own, "include" lifted PASTA's "Key
    highlights of our study include tokenization ..." over the papers whose method is
    contrastive, and none of those was listed."""
    assert cmp._LIGHT_LEAD.sub("", "include a contrastive objective") == "a contrastive objective"
    assert cmp._LIGHT_LEAD.sub("", "rely on tree search") == "tree search"
    assert cmp._LIGHT_LEAD.sub("", "build a language model") == "build a language model"
    assert cmp._LIGHT_LEAD.sub("", "apply their work to medicine") == "medicine"
    assert cmp._LIGHT_LEAD.sub("", "apply RL to robots") == "apply RL to robots"
    ans = seed_pipeline.ask(
        "Which papers include a contrastive objective in the pre-training method they propose?"
    )
    ids = {r.paper_id for r in ans.papers}
    for prefix in ("urlbert-", "b-prop-", "plip-"):
        assert any(pid.startswith(prefix) for pid in ids), (prefix, ids)
    # the gate still reads the criterion as written: dropping the verb ranks the papers, it does
    # not make the collection cover the property less
    from rag.extractive import corpus_for

    papers = list(seed_pipeline.papers(list(seed_pipeline.store.paper_states())).values())
    ds = cmp.screen_offline(
        seed_pipeline.embedder,
        corpus_for(seed_pipeline),
        "include a contrastive objective in the method they propose",
        papers,
    )
    assert any(abs(d.worded - d.sentence) > 1e-6 for d in ds)
    plain = cmp.screen_offline(
        seed_pipeline.embedder, corpus_for(seed_pipeline), "a contrastive objective", papers
    )
    assert all(abs(d.worded - d.sentence) < 1e-9 for d in plain if d.evidence)


def test_a_preface_before_the_asking_sentence_is_no_part_of_the_criterion(
    seed_pipeline: Pipeline,
) -> None:
    """ "I want broad overviews rather than new methods. Which entries are surveys ...?": the
    criterion was both sentences, and "want" and "overviews" (in no abstract) made it a property
    no abstract has."""
    q = (
        "I want broad overviews rather than new methods. Which entries are surveys, review"
        " articles or textbooks?"
    )
    assert criterion_of(q) == "are surveys, review articles or textbooks"
    assert criterion_of("Which papers X? I mean Y.") == "X? I mean Y"  # asked first: unchanged
    # an asking sentence that points back ("use them") needs the preface
    back = "I'm interested in contrastive objectives. Which papers use them?"
    assert "contrastive" in criterion_of(back)
    ans = seed_pipeline.ask(q)
    assert not ans.abstained, ans.answer
    ids = {r.paper_id for r in ans.papers}
    assert any(pid.startswith("a-comprehensive-survey") for pid in ids), ids


def test_a_short_aside_inside_the_criterion_is_the_readers_other_wording(
    seed_pipeline: Pipeline,
) -> None:
    """ "when a text was written (its date or age)": the aside restates the words before it; the
    compare gate reads it too (it abstained: no abstract says "written ... matters"), while a
    list, an example or an exclusion inside the criterion is no restatement."""
    assert cmp.with_aside("use a scoring model (a reward model) to judge outputs") == (
        "use a scoring model a reward model to judge outputs"
    )
    assert cmp.with_aside("pre-train on text (e.g. medicine, law) from one field") == ""
    assert cmp.with_aside("are overviews (surveys, books) of pretraining") == ""
    ans = seed_pipeline.ask(
        "Which papers find that when a text was written (its date or age) matters for how well"
        " models do?"
    )
    assert not ans.abstained, ans.answer
    assert any(p.title.startswith("A Pretrainer's Guide") for p in ans.papers), ans.answer


def test_papers_asked_for_in_everyday_words_are_listed_by_the_questions_own_cutoff(
    seed_pipeline: Pipeline,
) -> None:
    """Every medical paper scores under COMPARE_THRESHOLD for "have anything to do with
    medicine, doctors or health care" (the best at 0.42): the question's own cutoff decides, so
    more than the one best paper is listed; the threshold alone had left one."""
    from rag.extractive import corpus_for

    corpus = corpus_for(seed_pipeline)
    papers = list(seed_pipeline.papers(corpus.paper_ids).values())
    crit = criterion_of("Which papers have anything to do with medicine, doctors or health care?")
    ds = cmp.screen_offline(seed_pipeline.embedder, corpus, crit, papers)
    matched = [d.paper.title for d in ds if d.matches]
    assert len(matched) >= 3, matched
    assert sum("Medical" in t or "MedS" in t for t in matched) >= 2, matched
    assert max(d.relevance for d in ds) < 2 * cmp.COMPARE_THRESHOLD


def test_a_closing_restatement_in_everyday_words_is_the_fields_term(
    seed_pipeline: Pipeline,
) -> None:
    """ "..., i.e. the offline flavour of reinforcement learning": the article and "flavour of"
    are the reader's phrasing; the restatement is "offline reinforcement learning", which the
    compare gate and the ranking read beside the everyday description."""
    crit = criterion_of(
        "Which papers learn behaviour from an already-collected log of experience instead of"
        " purely live trial and error, i.e. the offline flavour of reinforcement learning?"
    )
    assert cmp.restatement(crit) == "offline reinforcement learning"
    assert cmp.restatement("deal with forgetting (catastrophic forgetting)") == (
        "catastrophic forgetting"
    )
    ans = seed_pipeline.ask(f"Which papers {crit}?")
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    assert any("Dichotomy of Control" in p.title for p in ans.papers), ans.answer


def test_names_offered_as_alternatives_are_met_by_naming_one_of_them(
    seed_pipeline: Pipeline,
) -> None:
    """ "put their own model up against ChatGPT or GPT-4": the property is about those models,
    so a paper naming neither is not listed for being about language models in general (it
    was: 11 papers listed for 3 that name one); names given as examples of a wider property
    ("corpora like C4 or the Pile") still leave the others to similarity."""
    ans = seed_pipeline.ask(
        "Which papers put their own model up against ChatGPT or GPT-4 and report how it compares?"
    )
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    listed = seed_pipeline.papers([p.paper_id for p in ans.papers])
    for p in listed.values():
        text = f"{p.title}\n{p.abstract}"
        assert "ChatGPT" in text or "GPT-4" in text, p.title
    assert len(ans.papers) >= 2
    assert cmp.given_as_examples("use corpora like C4 or the Pile", ["C4", "Pile"])
    assert not cmp.given_as_examples("compare against ChatGPT or GPT-4", ["ChatGPT", "GPT-4"])


def test_names_listed_in_an_aside_are_the_criterions_names(seed_pipeline: Pipeline) -> None:
    """ "against an OpenAI GPT model (GPT-3, ChatGPT, GPT-4 or GPT-4o-mini)": core_of drops the
    aside, which left "OpenAI" the only name and the papers naming GPT-3 or ChatGPT out; a list
    of things that are no names ("(fewer FLOPs, less data, higher throughput)") gives none."""
    from rag.extractive import corpus_for

    corpus = corpus_for(seed_pipeline)
    crit = criterion_of(
        "Which papers compare their model's performance against an OpenAI GPT model"
        " (GPT-3, ChatGPT, GPT-4 or GPT-4o-mini)?"
    )
    assert {"GPT-3", "ChatGPT", "GPT-4"} <= set(cmp.examples_listed(crit, corpus))
    assert cmp.examples_listed("make pretraining cheaper (fewer FLOPs, less data)", corpus) == []
    papers = list(seed_pipeline.papers(corpus.paper_ids).values())
    matched = {
        d.paper.title
        for d in cmp.screen_offline(seed_pipeline.embedder, corpus, crit, papers)
        if d.matches
    }
    gpt3 = [p.title for p in papers if "GPT-3" in p.abstract and "OpenAI" not in p.abstract]
    assert gpt3 and set(gpt3) <= matched, (gpt3, matched)


def test_a_concession_and_a_contraction_are_no_words_the_collection_must_have() -> None:
    """ "Which papers teach agents to act by watching recordings of people, even though those
    recordings don't say which keys were pressed ...?" abstained: "don" (of "don't"), "pressed",
    "motor", "commands" were words no abstract uses. A concession says what the papers manage
    without, and "don't" is one word, a stop word."""
    c = "teach agents to act by watching recordings, even though they don't say which keys"
    assert cmp.gate_core(c) == "teach agents to act by watching recordings"
    assert frozenset({"don"}) not in slots(c)
    assert not any("don" in s for s in slots("recordings that don\u2019t say which keys"))
    assert cmp.gate_core("learn from videos (unlabelled)") == "learn from videos"


def test_a_concession_does_not_close_the_collection(seed_pipeline: Pipeline) -> None:
    q = (
        "Which papers teach agents to act by watching recordings of people, even though those"
        " recordings don't say which keys were pressed or which motor commands were sent?"
    )
    ans = seed_pipeline.ask(q)
    assert not ans.abstained, ans.answer
    assert any(p.title.startswith("Video PreTraining") for p in ans.papers)


def test_names_after_for_example_are_examples(seed_pipeline: Pipeline) -> None:
    """ "Which papers fine-tune only a small fraction of parameters, for example with adapters,
    LoRA or other PEFT methods, ...?" abstained ("none of them mentions LoRA"): names after
    "for example" are examples of the property, not a name every paper must give."""
    assert cmp.examples_named("fine-tune a few parameters, for example with LoRA or PEFT", ["LoRA"])
    ans = seed_pipeline.ask(
        "Which papers fine-tune only a small fraction of parameters, for example with adapters,"
        " LoRA or other PEFT methods, as part of what they propose?"
    )
    assert not ans.abstained, ans.answer
    assert any(r.paper_id.startswith("towards-a-unified-view") for r in ans.papers)


_IE_CORES = {
    "are about search, i.e. ranking documents for a query": "are about search ranking documents"
    " for a query",
    "look at forgetting, i.e. losing what was learned": "look at forgetting losing what was learned",
    "use offline reinforcement learning, i.e. RL from logged data": "use offline reinforcement"
    " learning",
}


def test_an_ie_after_a_one_word_head_says_what_the_word_means(seed_pipeline: Pipeline) -> None:
    """ "about search, i.e. ranking documents in response to a query": without the "i.e." part,
    "search" matched Monte Carlo tree search and grid search; a head of two words or more keeps
    dropping it."""
    assert {c: core_of(c) for c in _IE_CORES} == _IE_CORES
    ans = seed_pipeline.ask(
        "Which papers are about search, i.e. ranking documents in response to a query?"
    )
    titles = [p.title for p in ans.papers]
    assert any(t.startswith("PROP") for t in titles) and any(t.startswith("B-PROP") for t in titles)
    assert not any(t.startswith(("Agent Q", "D-CPT Law", "MedS")) for t in titles), titles


def test_a_textbook_is_a_kind_of_overview(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "Which entries are overviews — surveys, reviews or a textbook — rather than papers"
        " proposing a new method?"
    )
    assert not ans.abstained, ans.answer
    assert any(p.title.startswith("Foundation Models for Natural Language") for p in ans.papers)


def test_anything_in_here_on_a_topic_lists_its_papers(seed_pipeline: Pipeline) -> None:
    """ "anything in here on legal text — court cases, legislation, that sort of thing?": the
    papers on the topic named before the reader's examples (a longer topic, "pretrained models
    for electricity demand time-series forecasting", describes one paper and is asked as one)."""
    q = "anything in here on legal text — court cases, legislation, that sort of thing?"
    assert criterion_of(q) == "legal text — court cases, legislation"
    assert criterion_of("Is there anything here about graph pretraining?") == "graph pretraining"
    ans = seed_pipeline.ask(q)
    assert ans.mode == "compare" and not ans.abstained
    assert {p.title.split(" ")[0] for p in ans.papers} >= {"LegalTurk", "Regulatory"}
    long = "Is there anything here about pretrained models for electricity demand forecasting?"
    assert seed_pipeline.ask(long).abstained


def test_a_kind_of_method_is_stated_under_any_word_for_a_method(seed_pipeline: Pipeline) -> None:
    """ "Which papers introduce contrastive objectives?": B-PROP's "we introduce a novel
    contrastive method" and URLBERT's "we propose two novel pre-training tasks: (1) ...
    contrastive learning tasks" state one, though neither says "objective"."""
    ans = seed_pipeline.ask("Which papers introduce contrastive objectives?")
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {"B-PROP", "URLBERT"} <= titles, titles


def test_which_ones_and_who_lead_no_criterion() -> None:
    """ "Which ones use a contrastive loss?" and "Who reports SuperGLUE numbers?" ask for the
    papers that do; the lead is no part of the property."""
    assert criterion_of("Which ones use a contrastive loss?") == "use a contrastive loss"
    assert criterion_of("Who reports SuperGLUE numbers?") == "reports SuperGLUE numbers"


def test_anything_related_to_a_topic_asks_for_its_papers() -> None:
    """ "anything related to cybersecurity?", "anything involving speech or audio?": the topic
    after "related to" or "involving", as after "on" or "about"."""
    assert asked_topic("anything related to cybersecurity?") == "cybersecurity"
    assert asked_topic("anything involving speech or audio?") == "speech or audio"
    assert asked_topic("Which papers are related to CaseHOLD?") == ""


@pytest.mark.parametrize(
    ("question", "field_papers"),
    [
        # CySecBERT's own field scores far above URLBERT's "phishing URL detection"
        ("anything about cybersecurity?", {"CySecBERT", "URLBERT"}),
        (
            "Is there anything in here related to law - court cases, legislation, legal texts?",
            {"LegalTurk", "Regulatory", "When"},
        ),
    ],
)
def test_a_field_asked_alone_lists_every_paper_that_says_it_is_in_it(
    seed_pipeline: Pipeline, question: str, field_papers: set[str]
) -> None:
    """A field of application as the whole criterion: each paper that says it works in it
    matches, not only those scoring near the field's own paper."""
    ans = seed_pipeline.ask(question)
    assert ans.mode == "compare" and not ans.abstained
    assert {p.title.split(" ")[0].split(":")[0] for p in ans.papers} >= field_papers


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("What do we have on graph neural networks?", "graph neural networks"),
        ("what is there on offline RL?", "offline RL"),
        ("anything touching speech?", "speech"),
        ("Anything that deals with protein sequences?", "protein sequences"),
    ],
)
def test_what_do_we_have_on_a_topic_asks_for_its_papers(question: str, topic: str) -> None:
    """ "What do we have on X?", "anything touching X?": the collection asked what it covers,
    as "anything on X?"; routed to the papers on X, with X the whole criterion."""
    assert asked_topic(question) == topic
    assert criterion_of(question) == topic
    assert route(question) == "compare"


def test_what_do_we_have_on_lists_each_paper_on_the_topic(seed_pipeline: Pipeline) -> None:
    """Both graph papers (RELIEF's graph prompts and W2PGNN's when-to-pretrain), not the one
    answer sentence that a question read as a lookup quotes; and not the two that say
    "transformer neural networks" (the rare-phrase rule only takes papers away: it does not
    lower the cutoff for the papers it leaves)."""
    ans = seed_pipeline.ask("What do we have on graph neural networks?")
    assert ans.mode == "compare" and not ans.abstained
    assert {p.paper_id for p in ans.papers} == {
        "relief-reinforcement-learning-empowered-graph-feature-prompt-tuning",
        "when-to-pre-train-graph-neural-networks-from-data-generation-perspective",
    }


def test_an_aside_that_leaves_a_topic_out_names_its_terms() -> None:
    """ "leaving robotics aside", "(not counting robot papers)": what the reader leaves out,
    without the words for papers; no aside, nothing left out."""
    assert excluded_terms("run experiments on images, leaving robotics aside") == {"robot"}
    assert excluded_terms("computer vision (not counting robot papers)") == {"robot"}
    assert excluded_terms("leaving aside robot control") == {"robot", "control"}
    assert excluded_terms("run experiments on images") == set()


def test_papers_on_what_the_aside_leaves_out_are_not_listed(seed_pipeline: Pipeline) -> None:
    """ "Which papers experiment with images, setting robotics aside?": the robot papers that
    see camera images (VPT, V-PTR, GRIF, ...) are left out; the vision papers stay."""
    ans = seed_pipeline.ask("Which papers experiment with images, setting robotics aside?")
    assert ans.mode == "compare" and not ans.abstained
    listed = {p.paper_id for p in ans.papers}
    assert not any("robot" in pid for pid in listed), listed
    assert "rad-dino-exploring-scalable-medical-image-encoders-beyond-text-supervision" in listed


def test_a_paper_with_none_of_the_criterions_rare_phrases_is_marked() -> None:
    """ "in-context learning" is a phrase a few abstracts have: a paper with "visual context" and
    "learns" apart lacks it; words on either side of an "or" make no phrase, and words only one
    abstract has side by side are its own wording, no phrase of the field."""
    from rag.schema import Paper

    papers = [
        Paper("icl", "Task diversity", "Transformers show in-context learning of regression."),
        Paper("dpt", "DPT", "In-context learning of bandits, with image or vision inputs."),
        Paper("rth", "RT-H", "It learns to predict actions, using visual context at all stages."),
        Paper("img", "Vision", "We pretrain image or vision encoders on image data."),
    ]
    assert cmp.unphrased_papers("study in-context learning", papers) == {2, 3}
    assert cmp.unphrased_papers("image vision", papers) == {0, 2}
    assert cmp.unphrased_papers("image or vision", papers) == set()  # no phrase across "or"
    assert cmp.unphrased_papers("run experiments on image data", papers) == set()  # one has it


def test_a_rare_phrase_written_with_initials_counts() -> None:
    """ "offline RL" is "offline reinforcement learning" and "GNNs" "graph neural networks" as
    the papers write them: neither paper is marked; a paper with neither form is."""
    from rag.schema import Paper

    papers = [
        Paper("a", "Offline", "We study offline reinforcement learning from logged data."),
        Paper("b", "Value", "Our offline RL method learns a value function."),
        Paper("c", "Online", "An online agent explores the world for rewards."),
        Paper("d", "Offline b", "Offline reinforcement learning for robots."),
        Paper("e", "Graphs", "We pretrain GNNs on molecules."),
        Paper("f", "Graph nets", "Graph neural networks for molecules."),
        Paper("g", "More graphs", "Graph neural networks pretrained on citation graphs."),
    ]
    assert cmp.unphrased_papers("use offline reinforcement learning", papers) == {2, 4, 5, 6}
    assert cmp.unphrased_papers("graph neural networks", papers) == {0, 1, 2, 3}


def test_name_the_papers_on_in_context_learning_leaves_out_one_with_the_words_apart(
    seed_pipeline: Pipeline,
) -> None:
    """RT-H's abstract has "visual context" and "learns", not "in-context learning"."""
    ans = seed_pipeline.ask("Name the papers that investigate in-context learning.")
    titles = {c.title.split(":")[0] for c in ans.citations}
    assert "Supervised Pretraining Can Learn In-Context Reinforcement Learning" in titles
    assert "RT-H" not in titles, titles


def test_a_question_asked_of_each_matching_paper_keeps_papers_without_the_rare_phrase(
    seed_pipeline: Pipeline,
) -> None:
    """ "Which papers ..., and what kind of corrections do they use?" asks something of every
    paper that matches: the rare-phrase rule, which only takes borderline papers away, is not
    applied (it dropped RT-H, which has none of the criterion's rare word pairs)."""
    ans = seed_pipeline.ask(
        "Which robot learning papers let people correct the robot mid-task with spoken language,"
        " and what kind of corrections do they use?"
    )
    assert ans.mode == "compare"
    assert {p.paper_id for p in ans.papers} >= {
        "yell-at-your-robot-improving-on-the-fly-from-language-corrections",
        "rt-h-action-hierarchies-using-language",
    }


def test_a_list_set_off_by_a_dash_gives_examples(seed_pipeline: Pipeline) -> None:
    """ "cheaper - fewer FLOPs, less data or faster training" (two blind writers, with "-" and
    "--"): the dash sets off examples, as "e.g." does, so "FLOPs" is one way of being cheaper,
    not a name every matching paper must write (bert2BERT saves "computational cost")."""
    assert cmp.given_as_examples("make pretraining cheaper - fewer FLOPs or less data", ["FLOPs"])
    assert cmp.given_as_examples("cheaper \u2014 fewer FLOPs, less data \u2014 for LLMs", ["FLOPs"])
    assert not cmp.given_as_examples("cut pre-training FLOPs", ["FLOPs"])
    ans = seed_pipeline.ask(
        "Which papers are chiefly about making pre-training cheaper - fewer FLOPs, less data or"
        " faster training?"
    )
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    titles = {p.title for p in ans.papers}
    assert "bert2BERT: Towards Reusable Pretrained Language Models" in titles, titles
    assert "Metadata Conditioning Accelerates Language Model Pre-training" in titles, titles


def test_a_second_question_that_only_asks_which_papers_asks_nothing_of_each(
    seed_pipeline: Pipeline,
) -> None:
    """ "Are there papers on pre-training graph neural networks? Which ones?" was screened as a
    question asked of each matching paper (a lower cutoff, no rare-phrase rule) and listed two
    text-classification papers that say "transformer neural networks"."""
    from rag.compare import split_question

    assert split_question("Anything on cybersecurity? Which papers?") == (
        "Anything on cybersecurity",
        "",
    )
    assert split_question("Which papers X? What hardware did they use?")[1]
    ans = seed_pipeline.ask("Are there papers on pre-training graph neural networks? Which ones?")
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    assert {p.title.split("?")[0] for p in ans.papers} == {
        "When to Pre-Train Graph Neural Networks",
        "RELIEF: Reinforcement Learning Empowered Graph Feature Prompt Tuning",
    }, [p.title for p in ans.papers]


def test_the_collection_asked_which_models_of_a_kind_it_has(seed_pipeline: Pipeline) -> None:
    """ "What security-oriented pretrained models are in the collection?" had no paper noun, so it
    was answered as a question about one paper (and abstained): it asks which papers present
    such a model, as "Which papers present security-oriented pretrained models?" does."""
    q = "What security-oriented pretrained models are in the collection"
    assert criterion_of(q + "?") == "security-oriented pretrained models"
    assert criterion_of("Which graph methods are there?") == "graph methods"
    # asked of two papers, or with a property after the verb: not the collection's kinds
    assert not cmp.KIND_EXISTS.match("Which benchmarks are used by L2M and by the baseline?")
    assert not cmp.KIND_EXISTS.match("Which methods are proposed for watermarking text?")
    ans = seed_pipeline.ask(q + ", and what tasks were they evaluated on?")
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    assert {p.title.split(":")[0] for p in ans.papers} == {"CySecBERT", "URLBERT"}, [
        p.title for p in ans.papers
    ]


def test_a_release_asked_alone_is_decided_by_the_statement(seed_pipeline: Pipeline) -> None:
    """Every paper stating a release of its weights releases them: PROP ("The code and
    pre-trained models are available at ...") and Chinese MentalBERT were cut off because their
    link sentences scored low beside OpenVLA's. A release of something narrower ("a dataset
    built from legal text") still needs the rest of the criterion's score."""
    ans = seed_pipeline.ask("Which papers release trained model weights or checkpoints?")
    assert ans.mode == "compare" and not ans.abstained, ans.answer
    titles = {p.title.split(":")[0] for p in ans.papers}
    assert {"PROP", "Chinese MentalBERT", "OpenVLA", "UL2"} <= titles, titles
    narrower = seed_pipeline.ask(
        "Which papers release a new dataset built from legal or legislative text?"
    )
    assert {p.title.split(":")[0] for p in narrower.papers}.isdisjoint(
        {"AfroLM", "CySecBERT", "Stack Over-Flowing with Results"}
    ), [p.title for p in narrower.papers]
