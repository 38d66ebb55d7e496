"""Follow-ups: rewritten only when the question refers back; ordinals, plurals and pronouns
resolved against the previous answer's papers; a new topic is never tied to the old one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rag.conversation import mention_order, reference, resolve
from rag.pipeline import Pipeline
from rag.schema import Answer, Citation, ComparedPaper, Paper


@pytest.mark.parametrize(
    ("question", "kind", "index", "count"),
    [
        ("What about the second one?", "ordinal", 1, None),
        ("Which language model is the former built on?", "ordinal", 0, None),
        ("What tasks was the last one evaluated on?", "ordinal", -1, None),
        ("For the third paper, how many policies did it improve?", "ordinal", 2, None),
        ("What did the follow-up work use instead?", "ordinal", -1, None),
        ("Which corpora did the first of them experiment with?", "ordinal", 0, None),
        ("And the second of the two papers?", "ordinal", 1, None),
        ("Which country's legal texts do those two work with?", "plural", None, 2),
        ("Do both of them need preference labels?", "plural", None, 2),
        ("Which of these covers protein biology?", "plural", None, None),
        ("Which of the two trained the bigger model?", "plural", None, 2),
        # a bare "each" at the end: each of the papers just named
        ("What's the core idea of each?", "plural", None, None),
        # ... and a short question of what each does, naming nothing of its own
        ("How many languages or models does each cover?", "plural", None, None),
        # a short question whose one word is a kind of thing ("tasks") names no subject
        ("how many tasks?", "singular", None, None),
        ("What dataset did they use?", "singular", None, None),
        # "in that paper" is the paper asked before, not "that" bound by "model" before it
        (
            "What were the sizes of the small and the large model in that paper?",
            "singular",
            None,
            None,
        ),
        ("How much did domain pretraining improve F1 on it?", "singular", None, None),
        ("On how many tasks was that evaluated?", "singular", None, None),
        ("How big was the corpus they annotated?", "singular", None, None),
        ("What are the two models they pretrained called?", "singular", None, None),
        # "the agent", "the objectives" with nothing after them that says which
        ("What input interface did the agent operate through?", "singular", None, None),
        ("What are the objectives called?", "singular", None, None),
        # ... and with a word that says which of them ("the small model" of a two-model paper)
        ("What two jobs does the small model do?", "singular", None, None),
        ("How big is the base model?", "singular", None, None),
        ("Which paper trains the largest model?", "none", None, None),
        ("Which paper trains the agent on Minecraft videos?", "none", None, None),
        ("Why?", "singular", None, None),
        # "they" after a name the question gives: that system's authors, no reference back
        ("And V-PTR - what robot did they evaluate on?", "none", None, None),
        # "And how ...?" goes on from the last question: "the code model" is one of its paper's
        ("And how big was the gain for the code model?", "singular", None, None),
        ("And which paper introduces CaseHOLD?", "none", None, None),  # names its own subject
        ("Which RL benchmarks did they evaluate on?", "singular", None, None),
        # a longer wh-phrase is still what is asked, not what "they" refers to
        ("What upstream and downstream datasets did they use?", "singular", None, None),
    ],
)
def test_references_back(question: str, kind: str, index: int | None, count: int | None) -> None:
    ref = reference(question)
    assert (ref.kind, ref.index, ref.count) == (kind, index, count)


@pytest.mark.parametrize(
    "question",
    [
        "Which papers propose a new benchmark or dataset?",  # short, but a question of its own
        "New question: which papers use contrastive learning as part of their pre-training?",
        "Switching topics: what does the Agent Q paper do?",
        "Which paper trains a subset of weights and then lets all its weights learn?",
        "What does RoboFuME do, and how quickly can it improve on a real task?",
        "How many multiple-choice questions does the dataset for identifying holdings contain?",
        "Summarise what these papers say about continual pre-training and how to do it well.",
        "How many GPUs and how many days did it take to train SOBertLarge?",
        "What is CaseHOLD?",
        "Which papers are about information retrieval?",
        "What's the paper that pre-trains BERT models on StackOverflow?",  # a description
        "Specifically PreSelect and DataMan: what does each use to score data?",  # names its own
        "Two methods pick pretraining text, one by loss and one by perplexity. What gains does "
        "each report?",  # describes its own papers
        # "Also" before a topic asked about anew asks no earlier question again
        "Also, anything in here on pretraining perception models for autonomous driving?",
    ],
)
def test_standalone_questions_do_not_refer_back(question: str) -> None:
    assert not reference(question).refers


def _paper(pid: str, title: str, abstract: str) -> Paper:
    return Paper(pid, title, abstract)


def test_mention_order_follows_the_earlier_question_not_the_answer() -> None:
    sd = _paper("sd", "Self-Distillation for Further Pre-training of Transformers", "We study it.")
    fst = _paper("fst", "Learning from Future: A Self-Training Framework", "We propose FST.")
    q = "What's the difference between the self-distillation method and FST?"
    # the answer cited FST first; the reader named the self-distillation paper first
    assert [p.id for p in mention_order(q, [fst, sd])] == ["sd", "fst"]


def test_a_name_several_earlier_papers_share_orders_none_of_them() -> None:
    legal = _paper("lt", "LegalTurk Optimized BERT for NER", "We adapt BERT to Turkish law.")
    mental = _paper(
        "cm", "Chinese MentalBERT: Domain-Adaptive Pre-training", "BERT for psychology."
    )
    cyber = _paper("cy", "CySecBERT: A Domain-Adapted Language Model", "CySecBERT beats BERT.")
    q = "Two domain-adapted BERT models: Chinese MentalBERT first and CySecBERT second. Domains?"
    # "BERT" names all three; the reader's own order is MentalBERT, then CySecBERT
    order = [p.id for p in mention_order(q, [legal, mental, cyber])]
    assert order == ["cm", "cy", "lt"]


def test_a_quoted_title_names_its_paper_and_not_the_papers_sharing_its_words() -> None:
    hf = _paper("hf", "Pretraining Language Models with Human Preferences", "We pretrain LMs.")
    mono = _paper("mb", "MonoByte: A Pool of Monolingual Byte-level Language Models", "Bytes.")
    sami = _paper("sa", "Self-Supervised Alignment with Mutual Information", "We introduce SAMI.")
    q = "What do 'Pretraining Language Models with Human Preferences' and SAMI each propose?"
    assert [p.id for p in mention_order(q, [sami, mono, hf], ["sa", "hf"])] == ["hf", "sa"]


def test_the_words_of_a_name_name_no_other_paper_by_its_title() -> None:
    """ "the Decision-Pretrained Transformer paper" names DPT's paper (its abstract introduces
    the name), not PASTA ("Pretrained Action-State Transformer Agents") by two title words."""
    doc = _paper("doc", "Dichotomy of Control", "We propose DoC.")
    dpt = _paper(
        "dpt",
        "Supervised Pretraining Can Learn In-Context RL",
        "We study the Decision-Pretrained Transformer (DPT), a supervised pretraining method.",
    )
    pasta = _paper("pa", "PASTA: Pretrained Action-State Transformer Agents", "We study PASTA.")
    q = "I'm reading Dichotomy of Control and the Decision-Pretrained Transformer paper."
    order = [p.id for p in mention_order(q, [doc, dpt, pasta], named_only=True)]
    assert order == ["doc", "dpt"]


def test_one_lower_case_title_word_does_not_name_a_paper() -> None:
    line = _paper("fl", "The Fine Line: Navigating Pretraining", "We study checkpoints.")
    vla = _paper("vla", "OpenVLA: An Open-Source Vision-Language-Action Model", "OpenVLA is.")
    rth = _paper("rth", "RT-H: Action Hierarchies Using Language", "RT-H builds.")
    q = "Give me a one-line summary each of OpenVLA and RT-H."
    # "one-line" is no mention of "The Fine Line"; it stays after the papers the reader named
    assert [p.id for p in mention_order(q, [line, vla, rth])] == ["vla", "rth", "fl"]
    # a capitalised title word, or two of them, does name it
    assert mention_order("What about the Fine Line paper?", [vla, line])[0].id == "fl"


def _lookup(*papers: Paper) -> Callable[[list[str]], dict[str, Paper]]:
    """A paper store of the given papers, as `resolve` looks papers up."""
    by_id = {p.id: p for p in papers}
    return lambda ids: {i: by_id[i] for i in ids if i in by_id}


def _answer(question: str, cited: list[Paper]) -> Answer:
    return Answer(
        question=question,
        standalone_question=question,
        mode="qa",
        backend="extractive",
        answer=" ".join(f"Claim [{i}]." for i in range(1, len(cited) + 1)),
        abstained=False,
        citations=[Citation(i + 1, p.id, p.title, "e", 1.0) for i, p in enumerate(cited)],
    )


def _screen(question: str, cited: list[Paper], matched: list[Paper]) -> Answer:
    """A compare answer that cites `cited` and lists `matched` as its matches."""
    ans = _answer(question, cited)
    ans.mode = "compare"
    ans.papers = [ComparedPaper(p.id, p.title, "e", 1.0) for p in matched]
    return ans


def test_resolve_ordinal_and_plural_against_named_papers() -> None:
    a = _paper("a", "Alpha: a thing", "AlphaNet does one thing.")
    b = _paper("b", "Beta: another thing", "BetaNet does another.")
    lookup = _lookup(a, b)

    history = [_answer("Tell me about AlphaNet and BetaNet.", [b, a])]
    assert resolve("Which data did the second one use?", history, lookup).focus_ids == ["b"]
    assert resolve("Which data did the first one use?", history, lookup).focus_ids == ["a"]
    both = resolve("What do those two have in common?", history, lookup)
    assert both.focus_ids == ["a", "b"] and "Alpha" in both.standalone
    # "the one that ..." picks the earlier paper its description fits, by the words only it has
    told = resolve("Tell me more about the one that does another thing.", history, lookup)
    assert told.reference.kind == "described" and told.focus_ids == ["b"]
    fresh = resolve("Which papers propose a new benchmark?", history, lookup)
    assert fresh.focus_ids == [] and fresh.standalone == "Which papers propose a new benchmark?"


def test_the_latter_is_the_last_paper_the_question_named_not_an_extra_quoted_one() -> None:
    """The answer to "How do UL2 and ERNIE 3.0 differ?" also quoted a third paper; "the
    latter" is still ERNIE 3.0, and "the second one" counts the named ones first too."""
    ul2 = _paper("u", "UL2: Unifying Language Learning Paradigms", "UL2 mixes denoisers.")
    ernie = _paper("e", "ERNIE 3.0: Knowledge Enhanced Pre-training", "ERNIE 3.0 has 10B.")
    line = _paper("f", "The Fine Line: Navigating Pretraining", "Up to 67 billion parameters.")
    lookup = _lookup(ul2, ernie, line)

    history = [_answer("How do UL2 and ERNIE 3.0 differ in their objectives?", [ul2, ernie, line])]
    assert resolve("How big was the latter model?", history, lookup).focus_ids == ["e"]
    assert resolve("And the last one?", history, lookup).focus_ids == ["e"]
    assert resolve("What about the second one?", history, lookup).focus_ids == ["e"]
    # a question that named one paper: "the last one" counts everything the answer showed
    one = [_answer("What is UL2, and what else is related?", [ul2, ernie, line])]
    assert resolve("And the last one?", one, lookup).focus_ids == ["f"]


def test_these_two_after_a_wider_screen_are_the_two_its_question_described() -> None:
    """ "Which papers look at the stability gap and at re-warming?" matched four; "these two"
    are the stability-gap paper and the warm-up paper, not the table's first two rows."""
    gap = _paper("g", "Efficient Continual Pre-training by Mitigating the Stability Gap", "Gap.")
    inv = _paper("i", "Investigating Continual Pretraining in Large Language Models", "CL.")
    warm = _paper("w", "Continual Pre-Training: How to (re)warm your model?", "Warm-up.")
    lookup = _lookup(gap, inv, warm)

    q = "Which papers look at the stability gap and at re-warming the learning rate?"
    screen = _screen(q, [gap, inv, warm], [gap, inv, warm])
    rw = resolve("Which models did these two run experiments on?", [screen], lookup)
    assert rw.focus_ids == ["g", "w"]
    # "which of these" (no count) keeps the whole table in its order
    assert resolve("Which of these use Llama?", [screen], lookup).focus_ids == ["g", "i", "w"]


def test_what_about_another_described_paper_asks_the_same_of_it(seed_pipeline: Pipeline) -> None:
    """ "And what about the approach that ...?" after a question about SPDF: the same question
    asked of the paper the description finds, not of SPDF again."""
    first = seed_pipeline.ask(
        "What reduction in pre-training FLOPs does sparse pre-training followed by dense"
        " fine-tuning achieve?"
    )
    assert first.citations[0].title.startswith("SPDF")
    q = "And what about the approach that reuses a smaller pretrained model to initialise a bigger one?"
    second = seed_pipeline.ask(q, [first])
    assert second.citations[0].title.startswith("bert2BERT"), second.answer
    assert "45%" in second.answer


def test_a_list_described_item_by_item_is_counted_in_its_order() -> None:
    """ "In this order: the X one, the Y one, and the Gamma one": the middle paper, which no
    name or title word places, is placed by the words of its description."""
    a = _paper("a", "Stability Gap in Training", "We study the stability gap.")
    b = _paper("b", "How to warm your model", "The learning rate must be re-increased.")
    c = _paper("c", "Gamma Law: a scaling law", "We fit the Gamma Law.")
    lookup = _lookup(a, b, c)

    q = "List three papers in this order: the stability gap one, the learning rate one, and Gamma Law."
    history = [_answer(q, [c, a, b])]
    assert resolve("What does the second one find?", history, lookup).focus_ids == ["b"]
    assert resolve("What does the third one fit?", history, lookup).focus_ids == ["c"]


def test_a_title_word_inside_a_description_gives_way_to_the_paper_described() -> None:
    """ "first the one that mixes denoising objectives and scales to 20B, then the
    knowledge-enhanced one": "scales" is a word of the second paper's title ("Large-scale"), but
    the first description's words are the first paper's."""
    a = _paper("a", "UL2: Unifying Language Learning Paradigms", "A mixture of denoisers, 20B.")
    b = _paper("b", "ERNIE: Large-scale Knowledge Enhanced Pretraining", "A knowledge graph, 4TB.")
    lookup = _lookup(a, b)
    q = (
        "Two big text models: first the one that mixes denoisers and scales to 20B, then the"
        " knowledge-enhanced one trained on 4TB with a knowledge graph."
    )
    history = [_answer(q, [b, a])]
    assert resolve("What did the first one report?", history, lookup).focus_ids == ["a"]
    assert resolve("What did the second one report?", history, lookup).focus_ids == ["b"]


def test_descriptions_after_a_heading_place_their_papers_not_the_headings_words() -> None:
    """ "three data selection works: first, the one that trains a data manager ...; second, the
    one that keeps data whose losses predict ...": "data selection" is a title's words, but the
    heading says what the list is about; the descriptions after it place the papers."""
    a = _paper("a", "DataMan: Data Manager for Pretraining", "A data manager rates documents.")
    b = _paper("b", "Predictive Data Selection", "We keep data whose losses predict ability.")
    c = _paper("c", "Programming Every Example", "Small models write cleaning programs.")
    lookup = _lookup(a, b, c)
    q = (
        "I want to compare three data selection works: first, the one that trains a data manager"
        " to rate documents; second, the one that keeps data whose losses predict ability;"
        " third, the one where small models write cleaning programs."
    )
    history = [_answer(q, [a, b, c])]
    assert resolve("How much did the second one save?", history, lookup).focus_ids == ["b"]


def test_an_order_the_reader_gives_after_a_heading_counts(seed_pipeline: Pipeline) -> None:
    """ "Two papers on lower-resource languages: first AfroLM, second the Maltese BERT paper": the
    heading's "low-resource language" is the Maltese paper's title, but it places no paper."""
    first = seed_pipeline.ask(
        "Two papers on lower-resource languages: first AfroLM, second the Maltese BERT paper."
    )
    second = seed_pipeline.ask("How many languages does the first one cover?", [first])
    assert not second.abstained, second.answer
    assert second.citations[0].title.startswith("AfroLM"), second.answer


def test_an_evaluation_named_in_a_noun_answers_which_benchmark(seed_pipeline: Pipeline) -> None:
    """ "Which benchmark did the second one evaluate on?": "Empirical validation on the Mujoco
    corroborates ..." names it after the noun of the same verb."""
    first = seed_pipeline.ask(
        "Give me the gist of three RL papers in this order: Dichotomy of Control, the robust RL"
        " paper with non-dominated policies, and Learning to Modulate."
    )
    second = seed_pipeline.ask("And which benchmark did the second one evaluate on?", [first])
    assert not second.abstained and "Mujoco" in second.answer, second.answer


def test_follow_up_end_to_end(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("What is CaseHOLD?")
    assert not first.abstained
    second = seed_pipeline.ask("How much did domain pretraining improve F1 on it?", [first])
    assert second.standalone_question != second.question
    assert {c.title for c in second.citations} == {first.citations[0].title}
    assert "7.2%" in second.answer


def test_a_terse_follow_up_asks_of_the_earlier_papers(seed_pipeline: Pipeline) -> None:
    """ "how many tasks?" after "What's TAPE?" asks TAPE's; "How many languages or models does
    each cover?" after two named papers asks each of them."""
    first = seed_pipeline.ask("What's TAPE?")
    second = seed_pipeline.ask("how many tasks?", [first])
    assert [c.title for c in second.citations] == [first.citations[0].title], second.answer
    assert "five" in second.answer, second.answer
    first = seed_pipeline.ask("I'm reading about AfroLM and MonoByte.")
    second = seed_pipeline.ask("How many languages or models does each cover?", [first])
    cited = {c.title.split(":")[0] for c in second.citations}
    assert {"AfroLM", "MonoByte"} <= cited, second.answer
    assert "23 African languages" in second.answer, second.answer


def test_and_under_a_setting_asks_the_earlier_question_again(seed_pipeline: Pipeline) -> None:
    """ "And with the active data gathering loop?" asks the earlier "how much does it improve"
    again, under that setting: the result that names it, not the earlier answer's."""
    assert reference("And once online search is added?").kind == "ellipsis"
    first = seed_pipeline.ask(
        "How much do LM-initialised policies improve task completion in VirtualHome when"
        " fine-tuned with behavior cloning?"
    )
    second = seed_pipeline.ask("And with the active data gathering loop?", [first])
    assert "25.1%" in second.answer, second.answer


def test_ordinal_follow_up_answers_from_the_named_paper(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("Tell me about OpenVLA and Agent Q.")
    cited = {c.title.split(":")[0] for c in first.citations}
    assert {"OpenVLA", "Agent Q"} <= cited  # a question naming two papers quotes both
    former = seed_pipeline.ask("Which language model is the former built on?", [first])
    assert [c.title.split(":")[0] for c in former.citations] == ["OpenVLA"]
    assert "Llama 2" in former.answer
    latter = seed_pipeline.ask("And what does the latter use for search?", [first])
    assert [c.title.split(":")[0] for c in latter.citations] == ["Agent Q"]


def test_the_one_that_picks_the_described_paper_and_keeps_it(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("Are there papers on pretraining for legal NLP?")
    second = seed_pipeline.ask(
        "Tell me more about the one that introduces a multiple-choice dataset.", [first]
    )
    assert "CaseHOLD" in second.citations[0].title, second.answer
    third = seed_pipeline.ask(
        "How large was the court-decision corpus it was pretrained on?", [first, second]
    )
    assert not third.abstained and "3.5M decisions" in third.answer, third.answer


def test_new_topic_compare_screens_the_whole_collection(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("What is CaseHOLD?")
    ans = seed_pipeline.ask("Which papers propose a new benchmark or dataset?", [first])
    assert ans.mode == "compare" and ans.screened == 79
    assert ans.standalone_question == "Which papers propose a new benchmark or dataset?"
    switched = seed_pipeline.ask("New question: which papers run experiments on speech?", [first])
    assert switched.screened == 79 and "New question" not in switched.answer


def test_which_of_these_screens_only_the_earlier_papers(seed_pipeline: Pipeline) -> None:
    first = seed_pipeline.ask("Which papers propose a new benchmark or dataset?")
    shown = {p.paper_id for p in first.papers}
    scoped = seed_pipeline.ask("Which of these are about law?", [first])
    assert scoped.mode == "compare" and scoped.screened == len(shown)
    assert {p.paper_id for p in scoped.papers} <= shown
    assert any("CaseHOLD" in p.title for p in scoped.papers)


def test_these_two_after_a_turn_about_one_of_them_are_the_earlier_two(
    seed_pipeline: Pipeline,
) -> None:
    """ "OpenVLA first, and then RT-H", "the first one ...?", "Which of these two ...?": the two
    are OpenVLA and RT-H, not the one paper the middle turn was about."""
    first = seed_pipeline.ask("Can you summarise OpenVLA first, and then RT-H?")
    second = seed_pipeline.ask("What language model does the first one build on?", [first])
    third = seed_pipeline.ask(
        "Which of these two can learn from people correcting it in language while it executes"
        " a task?",
        [first, second],
    )
    assert third.screened == 2, third.answer
    assert any(p.title.startswith("RT-H") for p in third.papers), third.answer


def test_which_of_these_shows_the_papers_that_do_not_match(seed_pipeline: Pipeline) -> None:
    """The reader named the papers: the one that does not match is shown with the sentence
    that came closest (here, that its data will not be released), cited."""
    first = seed_pipeline.ask("Tell me about Chinese MentalBERT and CySecBERT.")
    ans = seed_pipeline.ask("Which of these made their training data public?", [first])
    assert [p.title.split(":")[0] for p in ans.papers] == ["CySecBERT"]
    _, rest = ans.answer.split("Not clearly matching:")
    assert "Chinese MentalBERT" in rest and "will not be made publicly available" in rest
    assert {c.title.split(":")[0] for c in ans.citations} == {"CySecBERT", "Chinese MentalBERT"}


def test_a_second_ordinal_counts_the_same_list_as_the_first(seed_pipeline: Pipeline) -> None:
    """ "the first one", then "the last one": both count the three papers of the first turn,
    not the one paper the "first one" answer quoted."""
    first = seed_pipeline.ask(
        "I want to read about language-guided robot learning: the semi-supervised language"
        " interface paper (GRIF), RT-H, and Yell At Your Robot, in that order."
    )
    second = seed_pipeline.ask("What does the first one align language to?", [first])
    third = seed_pipeline.ask("And where does the last one get its feedback from?", [first, second])
    assert [c.title.split(":")[0] for c in third.citations] == ["Yell At Your Robot"], third.answer


def test_two_ordinals_ask_of_both_papers(seed_pipeline: Pipeline) -> None:
    """ "the first and the third": the first and third papers the earlier turn named."""
    assert reference("How do the first and the third differ?").indices == (0, 2)
    assert reference("Compare the first and last papers.").indices == (0, -1)
    assert not reference("What about the second one?").indices
    first = seed_pipeline.ask(
        "I'd like an overview of three agent papers: Agent Q, RT-H, and OpenVLA, in that order."
    )
    second = seed_pipeline.ask(
        "Which language models do the first and the third build on?", [first]
    )
    assert "Agent Q" in second.standalone_question and "OpenVLA" in second.standalone_question
    assert "RT-H" not in second.standalone_question
    assert {c.title.split(":")[0] for c in second.citations} <= {"Agent Q", "OpenVLA"}, (
        second.answer
    )


def test_an_ordinal_counts_the_names_given_not_a_field_word(seed_pipeline: Pipeline) -> None:
    """ "LLM" in "for LLM pretraining" is no name of the paper whose title says "LLM": the
    second one is the second the reader named."""
    first = seed_pipeline.ask(
        "I'm comparing two data curation approaches for LLM pretraining: first ProX (Programming"
        " Every Example), then DataMan. Can you outline both?"
    )
    ans = seed_pipeline.ask("For the second one, how many quality criteria does it use?", [first])
    assert [c.title.split(":")[0] for c in ans.citations] == ["DataMan"], ans.answer


def test_which_of_them_after_an_ordinal_asks_that_paper(seed_pipeline: Pipeline) -> None:
    """ "... the second one ..., and which of them is new?": "them" are its tasks; one paper is
    asked about, not a screen of the collection."""
    first = seed_pipeline.ask(
        "Two domain-specific BERT papers I want to look at: CySecBERT first, then the"
        " StackOverflow one (Stack Over-Flowing with Results)."
    )
    ans = seed_pipeline.ask(
        "How many downstream tasks did the second one evaluate on, and which of them is new?",
        [first],
    )
    assert ans.mode == "qa"
    assert {c.title.split(":")[0] for c in ans.citations} == {"Stack Over-Flowing with Results"}


@pytest.mark.parametrize(
    ("question", "kind", "index"),
    [
        ("And the second?", "ordinal", 1),
        ("And the third -- how many quality criteria does it rate documents on?", "ordinal", 2),
        ("In the third, why do the neural re-rankers do badly?", "ordinal", 2),
        ("And for the StackOverflow BERT models?", "ellipsis", None),
        ("And URLBERT?", "ellipsis", None),
        ("And URLBERT, what does it classify?", "none", None),  # a question of its own
        # another paper described in a few words; not an earlier one ("the proposed method")
        ("And the value-guided policy steering method?", "ellipsis", None),
        ("And the proposed method?", "none", None),
        # the earlier question asked again under a setting
        ("And with the active data gathering loop?", "ellipsis", None),
        ("What was the first time a robot did this?", "none", None),
    ],
)
def test_a_bare_ordinal_and_and_for_a_name(question: str, kind: str, index: int | None) -> None:
    ref = reference(question)
    assert (ref.kind, ref.index) == (kind, index)


def test_and_the_second_after_the_first_one_asks_the_same_of_the_second(
    seed_pipeline: Pipeline,
) -> None:
    """ "the first one ...?" then "And the second?": the second paper named in the first turn,
    asked what the first one was asked."""
    first = seed_pipeline.ask(
        "Two BERT papers I'm reading: the Maltese one with BERTu and mBERTu, and LegalTurk."
    )
    second = seed_pipeline.ask("What downstream tasks does the first one evaluate on?", [first])
    third = seed_pipeline.ask("And the second?", [first, second])
    assert [c.title.split(" ")[0] for c in third.citations] == ["LegalTurk"], third.answer
    assert "multi-label text classification" in third.answer


def test_what_about_a_new_name_asks_the_earlier_question_of_its_paper(
    seed_pipeline: Pipeline,
) -> None:
    """ "What about the StackOverflow BERT models?" after a question about MonoByte names a
    paper MonoByte's abstract never mentions: the earlier question is asked of that paper, not
    of MonoByte."""
    first = seed_pipeline.ask("What compute budget was used to train the MonoByte models?")
    for q in (
        "What about the StackOverflow BERT models?",
        "And for the StackOverflow BERT models?",
    ):
        ans = seed_pipeline.ask(q, [first])
        assert {c.title.split(":")[0] for c in ans.citations} == {
            "Stack Over-Flowing with Results"
        }, ans.answer
        assert "187" in ans.answer


def test_and_a_bare_name_asks_the_earlier_question_of_its_paper(seed_pipeline: Pipeline) -> None:
    """ "And URLBERT?" after "What tasks is CySecBERT evaluated on?": URLBERT's evaluation tasks,
    not its opening sentences (it was read as a question of its own)."""
    first = seed_pipeline.ask("What tasks is CySecBERT evaluated on?")
    ans = seed_pipeline.ask("And URLBERT?", [first])
    assert [c.title.split(":")[0] for c in ans.citations] == ["URLBERT"], ans.answer
    assert "phishing URL detection" in ans.answer, ans.answer


def test_and_a_described_paper_asks_the_earlier_question_of_it(seed_pipeline: Pipeline) -> None:
    """ "And the value-guided policy steering method?" after a question about RoboFuME's tasks:
    the same question of the paper the words describe (V-GPS), not RoboFuME again."""
    first = seed_pipeline.ask("On how many real-robot manipulation tasks was RoboFuME evaluated?")
    ans = seed_pipeline.ask("And the value-guided policy steering method?", [first])
    assert [c.title.split(":")[0] for c in ans.citations][:1] == ["Steering Your Generalists"]
    assert "12 tasks" in ans.answer, ans.answer


def test_what_about_a_name_no_paper_gives_abstains_and_the_next_one_still_asks(
    seed_pipeline: Pipeline,
) -> None:
    """ "What about GPT-5?" names nothing of the collection ("GPT_BASE" is no mention): it
    abstains saying so, and "What about the StackOverflow BERT models?" after it still asks the
    compute-budget question of that paper."""
    first = seed_pipeline.ask("What compute budget was used to train the MonoByte models?")
    second = seed_pipeline.ask("What about GPT-5?", [first])
    assert second.abstained and "GPT-5" in second.answer, second.answer
    third = seed_pipeline.ask("What about the StackOverflow BERT models?", [first, second])
    assert "187" in third.answer, third.answer


def test_which_of_them_screens_the_earlier_papers(seed_pipeline: Pipeline) -> None:
    """ "Which of them relies on MCTS?" after three papers were named asks among those three
    (a scoped compare), not the whole collection: Agent Q, which also uses MCTS, is not one of
    them."""
    assert reference("Which of them relies on Monte Carlo Tree Search?").kind == "plural"
    assert reference("Which one of them uses MCTS?").kind == "plural"
    history = [
        seed_pipeline.ask(
            "I'm reading three medical papers: RAD-DINO, MedS^3, and the one on knowledge graph"
            " embeddings for medical question answering."
        )
    ]
    ans = seed_pipeline.ask("Which of them relies on Monte Carlo Tree Search?", history=history)
    assert ans.mode == "compare" and "of the 3 papers screened" in ans.answer, ans.answer
    assert "MedS^3" in ans.answer.split("Not clearly matching")[0], ans.answer
    assert not any("Agent Q" in p.title for p in ans.papers), ans.answer


def test_an_ordinal_past_the_last_list_counts_the_earlier_longer_one() -> None:
    """ "I'm reading A, B and C", "Which one uses tree search?" (one paper quoted), "What
    datasets does the third one use?": the last answer showed one paper, so the third is C of
    the reader's list, not nothing."""
    a = _paper("a", "Alpha: a thing", "AlphaNet does one thing.")
    b = _paper("b", "Beta: another thing", "BetaNet does another.")
    c = _paper("c", "Gamma: a third thing", "GammaNet does a third.")
    lookup = _lookup(a, b, c)
    history = [
        _answer("I'm reading three papers: AlphaNet, BetaNet and GammaNet.", [a, b, c]),
        _answer("Which one uses tree search?", [b]),
    ]
    assert resolve("What datasets does the third one use?", history, lookup).focus_ids == ["c"]
    # within the last list's length the last list still counts
    assert resolve("What datasets does the first one use?", history, lookup).focus_ids == ["b"]


def test_a_name_another_paper_has_with_a_name_of_its_own_places_neither_twice() -> None:
    """ "What are Learning from Future (FST) and Predictions For Pre-training Language Models
    about?": "Future" is also a title word of "Pre-Trained Models: Past, Present and Future",
    which was placed first and taken for "both of them"; the paper "Future" could name has a
    name of its own there (FST), so the survey is not named at all."""
    fst = _paper(
        "fst",
        "Learning from Future: A Novel Self-Training Framework",
        "We propose FST, a self-training method that learns from the future.",
    )
    pred = _paper("pred", "Predictions For Pre-training Language Models", "Self-training.")
    survey = _paper(
        "survey", "Pre-Trained Models: Past, Present and Future", "A review of the future."
    )
    q = "What are Learning from Future (FST) and Predictions For Pre-training Language Models about?"
    order = [p.id for p in mention_order(q, [survey, pred, fst], named_only=True)]
    assert order == ["fst", "pred"], order
    history = [_answer(q, [fst, pred, survey])]
    got = resolve("Do both of them rely on pseudo-labels?", history, _lookup(fst, pred, survey))
    assert got.focus_ids == ["fst", "pred"], got


def test_an_ordinal_after_a_scoped_compare_counts_its_matches_not_the_papers_shown_apart() -> None:
    """ "I'm comparing three RL papers: A, B and C." / "Which of them is evaluated on Mujoco?"
    (one match, the others cited under "Not clearly matching") / "And what does the second one
    learn ...?": the second of the reader's three (B), not the second paper the compare cited."""
    doc = _paper("d", "Dichotomy of Control", "We propose DoC.")
    fb = _paper("f", "Foundation Policies with Hilbert Representations", "We learn a structure.")
    nd = _paper("n", "Robust RL with Adaptive Defense via Non-dominated Policies", "On Mujoco.")
    lookup = _lookup(doc, fb, nd)
    q = "I'm comparing Dichotomy of Control, Foundation Policies and the robust RL paper."
    first = _answer(q, [doc, fb, nd])
    scoped = _screen("Which of them is evaluated on Mujoco?", [nd, doc], [nd])
    rw = resolve("And what does the second one learn?", [first, scoped], lookup)
    assert rw.focus_ids == ["f"]
    # a pronoun after it means the one match
    assert resolve("What does it learn?", [first, scoped], lookup).focus_ids == ["n"]


def _cited_last(pipe: Pipeline, *turns: str) -> list[str]:
    """The short titles the last of `turns` cites, each turn asked after the ones before."""
    history: list = []
    for q in turns:
        history.append(pipe.ask(q, list(history)))
    return [c.title.split(":")[0] for c in history[-1].citations]


def test_a_count_before_a_comma_heads_the_names_after_it(seed_pipeline: Pipeline) -> None:
    """ "two domain-specific BERTs, CySecBERT and URLBERT": "domain-specific" is the heading's
    word, not the title word of the Stack Overflow paper; the second one is URLBERT."""
    assert _cited_last(
        seed_pipeline,
        "I'm looking at two domain-specific BERTs, CySecBERT and URLBERT. What is each one"
        " built for?",
        "What downstream tasks was the second one evaluated on?",
    ) == ["URLBERT"]


def test_numbered_items_place_their_papers(seed_pipeline: Pipeline) -> None:
    """ "(1) the stability gap one, (2) the rewarming one, and (3) D-CPT Law": the item numbers
    are no words of a description, so "the rewarming one" is second and D-CPT Law third."""
    assert _cited_last(
        seed_pipeline,
        "Let's look at three continual pretraining papers: (1) the stability gap one, (2) the"
        " rewarming one, and (3) D-CPT Law.",
        "And the third one: how much training cost does its cross-domain version need?",
    ) == ["D-CPT Law"]


def test_two_places_asked_in_one_question_ask_of_both(seed_pipeline: Pipeline) -> None:
    """ "What model did the first one run on, and what medical numbers did the second one
    report?": each place its own paper, both quoted; two "the one that ..." descriptions are
    papers of the question's own, no reference to one earlier paper."""
    q = (
        "Two continual pretraining papers I'm reading: the one that studies re-warming the"
        " learning rate when new data arrives, and the one about a temporary drop in performance"
        " at the start of domain adaptation."
    )
    assert not reference(q).refers
    assert reference("What did the first one use, and the second one report?").indices == (0, 1)
    first = seed_pipeline.ask(q)
    ans = seed_pipeline.ask(
        "What model did the first one run on, and what medical numbers did the second one report?",
        [first],
    )
    cited = [c.title for c in ans.citations]
    assert any("(re)warm" in t for t in cited) and any("Stability Gap" in t for t in cited)
    assert "Pythia 410M" in ans.answer, ans.answer


def test_the_first_two_are_two_places_and_a_place_set_aside_is_none(
    seed_pipeline: Pipeline,
) -> None:
    """ "Set aside the last one. For the first two, ...": the first and second papers named,
    each quoted; "the first two tasks" counts no papers."""
    assert reference("How do the first two differ?").indices == (0, 1)
    assert reference("What did the last three papers use?").indices == (-3, -2, -1)
    assert not reference("What were the first two tasks?").refers
    first = seed_pipeline.ask("I'm comparing AfroLM, BERTu and MonoByte for low-resource work.")
    ans = seed_pipeline.ask(
        "Set aside the last one. For the first two, how does their pretraining data compare to"
        " what bigger baselines use?",
        [first],
    )
    cited = {c.title.split(":")[0] for c in ans.citations}
    assert "AfroLM" in cited and not any(t.startswith("MonoByte") for t in cited), cited
    assert any("Low-Resource Language" in c.title for c in ans.citations), cited


def test_the_former_counts_a_list_of_two_not_the_last_turns_one_paper(
    seed_pipeline: Pipeline,
) -> None:
    """ "I'm reading KIND and SPDF", "What model does SPDF sparsify?", "And the former ...?":
    the former of the two papers named, not the one paper the middle turn was about."""
    assert reference("And the former, how many trainable parameters does it use?").pair
    assert _cited_last(
        seed_pipeline,
        "I'm reading KIND and SPDF.",
        "What model does SPDF sparsify?",
        "And the former, how many trainable parameters does it use?",
    ) == ["KIND"]


def test_one_description_between_two_names_places_its_paper(seed_pipeline: Pipeline) -> None:
    """ "three papers: SAMI, the paper on pretraining LMs with human preferences, and RLGF": the
    description is second (its words are in that paper's title more than in SAMI's), RLGF
    third."""
    assert _cited_last(
        seed_pipeline,
        "Give me an overview of three papers: SAMI, the paper on pretraining LMs with human"
        " preferences, and RLGF.",
        "And what does the third one use as its guide model?",
    ) == ["Learning to Generate Better Than Your LLM"]


def test_an_ordinal_before_the_verb_asked_refers_back(seed_pipeline: Pipeline) -> None:
    """ "Which benchmark does the second use?": "the second" alone before its verb is a place;
    "the first to use" is no place asked."""
    assert reference("Which benchmark does the second use?").index == 1
    assert reference("How many trajectories did the first need?").index == 0
    assert not reference("Which paper was the first to use MCTS?").refers
    assert _cited_last(
        seed_pipeline,
        "Two papers: first the one with a Japanese medical BERT, second the one on legal text"
        " in Turkish.",
        "Which tasks does the second address?",
    ) == ["LegalTurk Optimized BERT for Multi-Label Text Classification and NER"]


def test_what_about_the_paper_on_is_a_new_subject_and_the_latter_is_its_paper(
    seed_pipeline: Pipeline,
) -> None:
    """ "What's DPT?", "And what about the paper on task diversity ...?", "Does the latter ...?":
    the described paper is searched for, not the last answer's; and with one paper a turn, the
    latter is the second turn's."""
    turns = (
        "What's the Decision-Pretrained Transformer?",
        "And what about the paper on task diversity and in-context linear regression?",
    )
    diversity = "Pretraining task diversity and the emergence of non-Bayesian in-context"
    assert [t[: len(diversity)] for t in _cited_last(seed_pipeline, *turns)] == [diversity]
    latter = "Does the latter find a threshold, and what estimator does it match?"
    assert [t[: len(diversity)] for t in _cited_last(seed_pipeline, *turns, latter)] == [diversity]


def test_they_each_refers_to_every_paper_of_the_previous_answer() -> None:
    """ "Which benchmarks do they each report on?" after two papers: both of them ("they"
    alone may be one paper's authors, and stays with the first)."""
    a = _paper("a", "Alpha: a thing", "AlphaNet does one thing.")
    b = _paper("b", "Beta: another thing", "BetaNet does another.")
    lookup = _lookup(a, b)
    history = [_answer("Tell me about AlphaNet and BetaNet.", [a, b])]
    assert resolve("Which benchmarks do they each report on?", history, lookup).focus_ids == [
        "a",
        "b",
    ]
    assert resolve("Are they both open source?", history, lookup).focus_ids == ["a", "b"]
    assert resolve("Which benchmarks do they report on?", history, lookup).focus_ids == ["a"]


def test_a_follow_up_described_by_its_relation_is_placed_by_its_content_words() -> None:
    """ "first, the one that builds a word-set preference task ..., and second, its bootstrapped
    follow-up": "follow-up" says how the second stands to the first, so "follow" does not tie
    B-PROP's "bootstrapped" with "Learning to Follow Principles"."""
    prop = _paper("prop", "PROP: Representative Words Prediction", "Query likelihood word sets.")
    bprop = _paper("bprop", "B-PROP: Bootstrapped Pre-training", "We sample representative words.")
    sami = _paper("sami", "Learning to Follow Principles", "A pretrained LM follows principles.")
    q = (
        "I'm reading two retrieval pretraining papers: first, the one that builds a word-set"
        " preference task inspired by the query likelihood model, and second, its bootstrapped"
        " follow-up."
    )
    order = mention_order(q, [prop, sami, bprop])
    assert [p.id for p in order[:2]] == ["prop", "bprop"], [p.id for p in order]


def test_the_first_before_a_verb_of_saving_is_a_place() -> None:
    """ "how much pretraining compute does the first save, and what sizes are the models in the
    second?": both places asked, in order."""
    ref = reference(
        "For those two, how much pretraining compute does the first save, and what sizes are the"
        " small and large models in the second?"
    )
    assert ref.kind == "ordinal" and ref.indices == (0, 1)


def test_the_former_and_the_latter_in_one_question_are_the_two_it_named() -> None:
    """ "Can you pull up the AfroLM paper and the Maltese BERT paper?" also quoted a third paper;
    "How many languages does the former cover, and what is the latter's model called?" is about
    the two it named, not that third one."""
    afro = _paper("a", "AfroLM: A Multilingual Pretrained Language Model", "AfroLM covers 23.")
    malt = _paper("m", "New Corpus and BERT Models for Maltese", "We pretrain BERTu for Maltese.")
    other = _paper("u", "Boosting Distributed Training Performance", "Padding wastes compute.")
    lookup = _lookup(afro, malt, other)
    history = [
        _answer("Can you pull up the AfroLM paper and the Maltese BERT paper?", [afro, malt, other])
    ]
    q = "How many languages does the former cover, and what is the latter's model called?"
    assert resolve(q, history, lookup).focus_ids == ["a", "m"]


def test_the_other_one_is_the_paper_of_the_pair_not_just_asked_about() -> None:
    """ "What do UL2 and ERNIE 3.0 do?", "How many parameters does ERNIE 3.0 have?", "And the
    other one?": UL2, asked what the last question asked; and "The first one is about US law;
    what about the other one?": the second."""
    ul2 = _paper("u", "UL2: Unifying Language Learning Paradigms", "UL2 has 20B parameters.")
    ernie = _paper("e", "ERNIE 3.0: Knowledge Enhanced Pre-training", "ERNIE 3.0 has 10B.")
    lookup = _lookup(ul2, ernie)
    history = [
        _answer("What do UL2 and ERNIE 3.0 do?", [ul2, ernie]),
        _answer("How many parameters does ERNIE 3.0 have?", [ernie]),
    ]
    rw = resolve("And the other one?", history, lookup)
    assert rw.focus_ids == ["u"]
    assert "parameters" in rw.scoring_question and "ERNIE" not in rw.scoring_question
    ref = reference("The first one is about US law; what about the other one - which tasks?")
    assert (ref.kind, ref.index) == ("ordinal", 1)
    # right after the pair, "the other one" is the second of it
    assert resolve("And the other one?", history[:1], lookup).focus_ids == ["e"]


def test_a_place_before_a_spaced_dash_is_a_place() -> None:
    """ "And the second - up to what model size does its analysis go?": the second paper."""
    ref = reference("And the second - up to what model size does its analysis go?")
    assert (ref.kind, ref.index) == ("ordinal", 1)
    assert reference("Any second-hand data?").kind == "none"


def test_a_description_with_a_comma_inside_places_its_paper() -> None:
    """ "the one that keeps text whose losses predict ability, using a cheap fastText scorer, and
    the one where a small model writes programs": the first description places its paper, though
    it comes back without its comma."""
    pre = _paper(
        "p", "Predictive Data Selection", "A fastText scorer keeps text whose losses predict."
    )
    prox = _paper(
        "x", "Programming Every Example", "A small model writes programs for each example."
    )
    salt = _paper("s", "A Little Help: Leveraging Small LMs", "Soft labels from small LMs.")
    q = (
        "Two approaches: the one that keeps text whose model losses predict downstream ability,"
        " using a cheap fastText scorer, and the one where a small model writes little programs to"
        " clean up every example. What does each do?"
    )
    assert [p.id for p in mention_order(q, [salt, prox, pre])][0] == "p"


def test_which_one_after_two_papers_is_one_of_them() -> None:
    """ "What do DoC and DPT do?", "Which one comes with regret guarantees?": one of the two
    papers just shown (as "which of them" is); after a single paper, "And which one steers
    generalist policies?" asks for another paper, not of the one shown."""
    doc = _paper("d", "Dichotomy of Control", "DoC conditions on a latent future.")
    dpt = _paper("p", "Decision-Pretrained Transformer", "We prove regret guarantees for DPT.")
    lookup = _lookup(doc, dpt)
    assert reference("Which one comes with regret guarantees?").kind == "plural"
    pair = [_answer("What do DoC and DPT do?", [doc, dpt])]
    rw = resolve("Which one comes with regret guarantees?", pair, lookup)
    assert set(rw.focus_ids) == {"d", "p"}
    one = [_answer("Which paper separates control from luck?", [doc])]
    rw = resolve("And which one steers generalist robot policies?", one, lookup)
    assert rw.focus_ids == [] and not rw.reference.refers


def test_the_lower_case_one_is_a_description_unless_it_asks_again() -> None:
    """ "the mental health one" describes one of the earlier papers; "What about the re-warming
    one?" asks the earlier question of it (an ellipsis); "the CySecBERT one" may name a new
    paper; "the first of those two" counts a list of two."""
    assert reference("How big was the dataset behind the mental health one?").description == (
        "mental health"
    )
    assert reference("What about the re-warming one?").kind == "ellipsis"
    assert reference("And the CySecBERT one?").kind == "ellipsis"
    assert reference("Let's focus on 'MonoByte' first, then the medical one.").kind != "described"
    assert reference("Back to the first of those two: how big was it?").pair
    assert not reference("Back to the first one: how big was it?").pair


def test_the_other_one_after_which_of_them_is_the_paper_not_listed(seed_pipeline: Pipeline) -> None:
    """ "Which of them ...?" lists the paper that matches (the other is shown as not clearly
    matching, and cited); "the other one" next is the paper it did not list."""
    first = seed_pipeline.ask("What do Yell At Your Robot and RT-H have in common?")
    second = seed_pipeline.ask(
        "Which of them claims to beat methods that learn from teleoperated interventions?", [first]
    )
    assert second.mode == "compare" and len(second.papers) == 1
    listed = second.papers[0].paper_id
    both = {c.paper_id for c in first.citations}
    assert len(both) == 2 and listed in both
    third = seed_pipeline.ask("And how was the other one evaluated?", [first, second])
    assert {c.paper_id for c in third.citations} == both - {listed}, third.answer


def test_the_middle_one_is_the_second_of_the_earlier_list() -> None:
    """ "How much sparsity does the middle one induce?" after three papers: the second."""
    ref = reference("How much sparsity does the middle one induce?")
    assert (ref.kind, ref.index) == ("ordinal", 1)
    assert reference("What is the middle ground between the two?").kind != "ordinal"


def test_a_name_shared_inside_a_description_leaves_the_other_paper_to_its_own() -> None:
    """ "first, the ELECTRA variant with self-supervision and self-correction 'courses';
    second, the thesis proposing token-swapping objectives": "ELECTRA" places both papers at
    the first description (both abstracts name it), but the structural-objectives thesis fits
    the second description best, so "the first" is the course-learning paper."""
    mcl = _paper(
        "mcl",
        "Pre-training Language Model as a Multi-perspective Course Learner",
        "ELECTRA, the generator-discriminator framework, faces challenges. Three"
        " self-supervision courses and two self-correction courses are proposed.",
    )
    sso = _paper(
        "sso",
        "Structural Self-Supervised Learning for Transformers",
        "We introduce alternatives to masked language modeling, as in ELECTRA: objectives involving"
        " token swapping instead of masking, proposed in this thesis.",
    )
    q = (
        "Compare two ideas for better BERT-style pretraining objectives: first, the ELECTRA"
        " variant with self-supervision and self-correction 'courses'; second, the thesis"
        " proposing token-swapping objectives instead of masking."
    )
    assert [p.id for p in mention_order(q, [sso, mcl], ["sso", "mcl"])] == ["mcl", "sso"]
