"""Answer orchestration on the seed store: routing, abstention, validity over the eval set, and
the LLM path against the scripted fake OpenAI server."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, fake_openai_fixture  # noqa: F401  (fixture)

from rag.answering import get_answerer, route
from rag.evaluation import citation_validity
from rag.extractive import compounded
from rag.pipeline import Pipeline
from rag.prompts import CANNOT_ANSWER
from rag.questions import descriptions, one_each
from rag.schema import Answer
from rag.settings import Settings

EVAL = Path(__file__).resolve().parent.parent / "eval" / "seed_questions.jsonl"
# the tune split only: the test split is sealed (nothing may be fitted or debugged on it)
ITEMS = [
    it
    for it in (json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line)
    if it["split"] == "tune"
]


@pytest.mark.parametrize(
    ("question", "mode"),
    [
        ("Which papers evaluate on real robots?", "compare"),
        ("What papers use adapters?", "compare"),
        ("List papers about graph pre-training", "compare"),
        ("Summarise what these papers say about continual pre-training.", "summary"),
        ("Give me an overview of data selection", "summary"),
        ("What do these papers say about RLHF?", "summary"),
        # two words saying what kind of paper
        ("What legal-domain pretraining papers are in here?", "compare"),
        ("Which biomedical BERT pretraining papers weigh in on mixing general text?", "compare"),
        ("What are the papers about?", "qa"),
        ("Which paper introduced CaseHOLD?", "qa"),
        ("How many demonstrations was OpenVLA trained on?", "qa"),
        ("Which papers give an overview of pre-training?", "compare"),  # the first cue decides
        ("Among the robot papers, which ones release code?", "compare"),
        ("Summarise which papers use adapters.", "summary"),
        # informal list questions
        ("Any papers that build their own language model for medicine?", "compare"),
        ("List the works that propose a method for selecting pretraining data.", "compare"),
        ("Is there a paper that uses Monte Carlo Tree Search?", "qa"),
        ("Do any papers use Monte Carlo Tree Search?", "compare"),
        ("Are there papers on legal NLP?", "compare"),
        ("Which abstracts report results on SuperGLUE?", "compare"),
        ("Do any of the abstracts report experiments on physical robots?", "compare"),
        ("What do the papers that tackle negative transfer propose?", "compare"),
        ("What is the paper that introduces CaseHOLD?", "qa"),  # one paper: a plain question
        # "in the collection" makes "are there X" ask for every paper that is one
        ("Are there surveys of pretrained models in the collection?", "compare"),
        ("Are there any surveys, reviews or books in here?", "compare"),
        ("Is there any survey, review or textbook-style overview in the collection?", "compare"),
        ("Is there a survey in the collection? What does it cover?", "qa"),  # one is asked about
        # "anything on how to X" asks for the papers on X
        (
            "anything on how to choose, filter or clean the corpus an LLM is pretrained on?",
            "compare",
        ),
        ("Is there anything on how transformers learn in context?", "compare"),
        ("What does the collection say about how transformers learn in context?", "qa"),
        ("Which entries in the collection are surveys?", "compare"),
        ("Which items in the collection are book-length overviews?", "compare"),
        ("Are there differences between BERT and RoBERTa?", "qa"),
        ("How many text entries were collected from social media?", "qa"),
        # weighing the earlier papers against each other is no screening
        ("Which of those two claims the bigger saving?", "qa"),
        # typed as a search query
        ("papers on in-context learning in transformers?", "compare"),
        ("works that use Monte Carlo Tree Search", "compare"),
        ("paper on CaseHOLD", "qa"),
        # "find" as the paper's verb, not a request to find works
        ("Which objective did it find works best?", "qa"),
        ("What learning rate did the rewarming study find works best?", "qa"),
        ("Can you find works that use MCTS?", "compare"),
        # "works best" is a finding asked of a kind of method, not papers to list
        ("What neural vocoder works best for text-to-speech?", "qa"),
        ("Which pretrained transformer works best for weather forecasting?", "qa"),
        ("Which legal-domain works are in here?", "compare"),
        ("What security-oriented pretrained models are in the collection?", "compare"),
        ("Which biomedical benchmarks are used by the two BERT papers?", "qa"),
        # "which of them" asks about the papers the question itself counts
        (
            "Two works steer language models toward human values, one by conditioning pretraining"
            " on reward-model scores and one by maximising mutual information. Which of them"
            " needs preference labels?",
            "qa",
        ),
        # "summarization" is a task a paper reports on, not a request for a summary
        ("What summarization win rate did the second get with the larger model?", "qa"),
        ("Summarize what the papers say about offline RL.", "summary"),
    ],
)
def test_route(question: str, mode: str) -> None:
    assert route(question) == mode


def test_get_answerer_is_cached_per_pipeline(seed_pipeline: Pipeline, tmp_path: Path) -> None:
    assert get_answerer(seed_pipeline) is get_answerer(seed_pipeline)
    assert get_answerer(Pipeline(Settings(home=tmp_path))) is not get_answerer(seed_pipeline)


def test_unanswerable_question_abstains_and_keeps_closest_papers(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "What success rate did OpenVLA reach on the LIBERO simulation benchmark?"
    )
    assert ans.abstained
    assert not ans.citations and "[" not in ans.answer
    assert ans.retrieved  # the closest papers stay available
    assert "LIBERO" in ans.answer


def test_answerable_question_does_not_abstain(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask("How many multiple-choice questions does the CaseHOLD dataset contain?")
    assert not ans.abstained
    assert "53,000+" in ans.answer


def test_summary_mode_cites_every_paper_it_names(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "Summarise what these papers say about continual pre-training of large language models."
    )
    assert ans.mode == "summary" and not ans.abstained
    assert len(ans.citations) >= 2
    for c in ans.citations:
        assert c.title in ans.answer


def test_topic_summary_covers_the_papers_on_the_topic(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask(
        "Summarise what these papers say about continual or continued pre-training of language"
        " models."
    )
    on_topic = [c for c in ans.citations if re.search(r"continu\w* pre-?train", c.title, re.I)]
    # five titles of the collection say it; the summary window once let in only the best two
    assert len(on_topic) >= 4


def _last_turn(pipeline: Pipeline, *turns: str) -> Answer:
    """The answer to the last of `turns`, each asked after the ones before it."""
    history: list[Answer] = []
    for q in turns:
        history.append(pipeline.ask(q, history))
    return history[-1]


SUBSET = 2400  # questions checked without RAG_FULL_EVAL, spread evenly over the set


def _subset() -> list[dict]:
    """All tune questions with RAG_FULL_EVAL=1, else about SUBSET of them, evenly spread (keeps
    the suite's time flat as the set grows: every fourth of 19,000 questions ran past 1,200 s on
    a loaded 2-core machine; the eval gate checks citation validity on the whole test split, and
    `rag eval run` on every question)."""
    return ITEMS if os.environ.get("RAG_FULL_EVAL") else ITEMS[:: max(1, len(ITEMS) // SUBSET)]


@pytest.mark.timeout(1200)  # ~2,400 questions; 600 s was hit on a loaded 2-core machine
def test_citation_validity_over_eval_questions(seed_pipeline: Pipeline) -> None:
    ans = get_answerer(seed_pipeline)
    ids = [p for p in seed_pipeline.store.paper_states()]
    abstracts = {p.id: p.abstract for p in seed_pipeline.papers(ids).values()}
    problems: list[str] = []
    for it in _subset():
        history: list[Answer] = []
        for turn in it["turns"]:
            a = ans.answer(turn, history)
            history.append(a)
            ok, why = citation_validity(a, abstracts)
            if not ok:
                problems.append(f"{it['id']}: {why}")
            for row in a.papers:
                assert row.evidence in abstracts[row.paper_id]
    assert not problems, problems


# --- LLM path ----------------------------------------------------------------------------------
def llm_pipeline(seed_home: Path, base_url: str) -> Pipeline:
    return Pipeline(
        Settings(
            home=seed_home,
            llm_model="fake-model",
            llm_base_url=base_url,
            llm_max_retries=0,
            llm_timeout=5,
        )
    )


QUESTION = "How many multiple-choice questions does the CaseHOLD dataset contain?"


def test_llm_answer_streams_and_drops_invented_citation(
    seed_home: Path, fake_openai: FakeOpenAI
) -> None:
    pipe = llm_pipeline(seed_home, fake_openai.base_url)
    fake_openai.enqueue("CaseHOLD contains over 53,000 multiple-choice questions [1]. Also [42].")
    items = list(pipe.ask_stream(QUESTION))
    final = items[-1]
    assert isinstance(final, Answer)
    deltas = [x for x in items if isinstance(x, str)]
    assert len(deltas) > 1  # streamed as it came
    assert final.backend == "llm:fake-model"
    assert final.removed_citations == [42]
    assert "[42]" not in final.answer
    assert [c.n for c in final.citations] == [1]
    assert "CaseHOLD" in final.citations[0].title


def test_llm_cannot_answer_abstains(seed_home: Path, fake_openai: FakeOpenAI) -> None:
    pipe = llm_pipeline(seed_home, fake_openai.base_url)
    fake_openai.enqueue(CANNOT_ANSWER)
    ans = pipe.ask(QUESTION)
    assert ans.abstained and not ans.citations
    assert ans.retrieved


def test_llm_500_falls_back_to_extractive_with_notice(
    seed_home: Path, fake_openai: FakeOpenAI
) -> None:
    pipe = llm_pipeline(seed_home, fake_openai.base_url)
    fake_openai.enqueue(Reply.error(500))
    ans = pipe.ask(QUESTION)
    assert ans.backend == "extractive"
    assert "showing the extractive answer" in ans.notice
    assert not ans.abstained and ans.citations


def test_summary_covers_every_paper_the_question_names(seed_pipeline: Pipeline) -> None:
    ans = seed_pipeline.ask("Give me a one-line summary each of OpenVLA, RT-H and V-GPS.")
    assert ans.mode == "summary"
    titles = " ".join(c.title for c in ans.citations)
    for title in ("OpenVLA", "RT-H", "Steering Your Generalists"):
        assert title in titles, ans.answer


def test_an_overview_of_n_named_papers_is_of_those_alone(seed_pipeline: Pipeline) -> None:
    """ "an overview of three agent papers: A, B and C" wants those three, not six in themes."""
    ans = seed_pipeline.ask(
        "I'd like an overview of three agent papers: Agent Q, the VirtualHome paper that"
        " initialises policies from a pretrained language model, and OpenVLA."
    )
    assert ans.mode == "summary" and ans.answer.startswith("3 papers"), ans.answer
    assert {c.title.split(":")[0] for c in ans.citations} == {
        "Agent Q",
        "OpenVLA",
        "Pre-Trained Language Models for Interactive Decision-Making",
    }


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("What is UL2?", "This paper presents a unified framework"),  # no sentence names UL2 first
        ("What is DataMan?", "In this paper, we train a Data Manager (DataMan)"),
        # the sentence that spells the name out, before the one where the paper presents itself
        ("What is OC-GFN?", "By framing the training as a self-supervised problem, we propose an"),
        # a link sentence that names what is asked is no boilerplate
        ("What does the BLURB acronym stand for?", "To help accelerate research in biomedical"),
    ],
)
def test_a_definition_opens_with_the_paper_presenting_itself(
    seed_pipeline: Pipeline, question: str, opening: str
) -> None:
    ans = seed_pipeline.ask(question, mode="qa")
    assert ans.answer.startswith(opening), ans.answer


def test_sentences_of_a_named_paper_count_as_about_its_name(seed_pipeline: Pipeline) -> None:
    """URLBERT's "we propose two novel pre-training tasks" does not repeat the name, yet answers
    a question about URLBERT's pre-training tasks."""
    ans = seed_pipeline.ask("What two pre-training tasks does URLBERT use?", mode="qa")
    assert "virtual adversarial training" in ans.answer, ans.answer


def test_each_named_paper_gets_its_answer_sentence(seed_pipeline: Pipeline) -> None:
    """A question about two named papers quotes more than each one's best-matching sentence:
    VPT's best is about watching videos, its answer (an inverse dynamics model) the next."""
    ans = seed_pipeline.ask(
        "Both VPT and V-PTR learn from videos that have no action labels. How does each one get "
        "around the missing actions?",
        mode="qa",
    )
    assert "inverse dynamics model" in ans.answer and "V-PTR" in ans.answer, ans.answer


def test_a_paper_described_by_its_title_words_is_quoted_beside_the_named_one(
    seed_pipeline: Pipeline,
) -> None:
    """'the stability-gap paper' names 'Efficient Continual Pre-training by Mitigating the
    Stability Gap' by its title words; "each" asks both papers."""
    ans = seed_pipeline.ask(
        "What do D-CPT Law and the stability-gap continual pre-training paper each recommend"
        " about the data mixture for continual pretraining?",
        mode="qa",
    )
    titles = {c.title.split(":")[0] for c in ans.citations}
    assert "D-CPT Law" in titles, ans.answer
    assert any("Stability Gap" in t for t in titles), ans.answer


def test_two_papers_described_together_are_both_quoted(seed_pipeline: Pipeline) -> None:
    """Neither paper is named: "the two ... papers" says the answer needs two of them."""
    ans = seed_pipeline.ask(
        "The two hierarchical robot papers where humans can steer the robot verbally mid-task:"
        " what kind of language does each one's high-level policy produce?",
        mode="qa",
    )
    assert len({c.paper_id for c in ans.citations}) >= 2, ans.answer


def test_two_descriptions_that_fit_one_paper_best_get_two_papers(seed_pipeline: Pipeline) -> None:
    """The up-sampling paper's title says "biomedical BERT", so it fits both descriptions best;
    the two papers that fit them best together are quoted (one would be the question's miss)."""
    ans = seed_pipeline.ask(
        "Compare the biomedical BERT paper that argues for training from scratch on biomedical"
        " text with the one that up-samples a small medical corpus and mixes it with a general"
        " one. Which benchmarks does each report on?"
    )
    titles = {c.title.split(":")[0] for c in ans.citations}
    assert "Domain-Specific Language Model Pretraining for Biomedical Natural Language" in (
        " ".join(titles)
    ), ans.answer
    assert any(t.startswith("Pre-training technique to localize medical BERT") for t in titles)


def test_a_question_with_two_asks_gets_a_sentence_for_each(seed_pipeline: Pipeline) -> None:
    """Ranked against the whole question, Learning-to-Modulate's sentences about forgetting crowd
    out the one that names its benchmark; the second ask ("on which benchmark") brings it in."""
    ans = seed_pipeline.ask(
        "Which method avoids catastrophic forgetting in a frozen pre-trained RL model with a "
        "learnable modulation pool, and on which benchmark is it state of the art?",
        mode="qa",
    )
    assert "Learning-to-Modulate" in ans.answer and "Continual-World" in ans.answer, ans.answer

    # an ask that describes another paper ("the Turkish legal BERT") is answered from that
    # paper, with its sentence that holds the asked name, not from the paper the answer leads with
    ans = seed_pipeline.ask(
        "How big was the in-domain corpus used for pretraining in the US case-holdings study, and"
        " which existing model did the Turkish legal BERT manage to compete with?",
        mode="qa",
    )
    assert "3.5M" in ans.answer and "BERTurk" in ans.answer, ans.answer
    # an ask that refers back ("was it") stays with the lead
    ans = seed_pipeline.ask(
        "By how much did KIND reduce FID on DiT-L/2, and on which dataset was it evaluated?",
        mode="qa",
    )
    assert {c.paper_id[:4] for c in ans.citations} == {"kind"}, ans.answer
    # two names in two asks are asked of their own papers, not of one abstract naming both
    ans = seed_pipeline.ask(
        "How many languages does AfroLM cover, and what is the Maltese BERT trained from scratch"
        " called?"
    )
    assert not ans.abstained and "23 African languages" in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("question", "prefixes", "quoted"),
    [
        # neither paper is named; each is described in its own clause. Read against the whole
        # question, the small-LM paper's sentence outscored the biomedical one's
        (
            "Between the paper arguing biomedical LMs should be pretrained from scratch and the"
            " one that up-samples a small medical corpus to localise BERT for Japanese, which"
            " evaluation benchmarks does each use?",
            (
                "domain-specific-language-model-pretraining",
                "pre-training-technique-to-localize-medical-bert",
            ),
            "",
        ),
        # asked for results: SAMI's quotes were all about its method until "results" asked for
        # the sentence with its win rates
        (
            "How do the paper that puts human feedback into LM pretraining and the paper that"
            " aligns LMs to constitutions without preference labels differ in method and results?",
            (
                "pretraining-language-models-with-human-pref",
                "self-supervised-alignment-with-mutual",
            ),
            "66% and 77%",
        ),
        # two definite descriptions in two clauses, with no "each" or "both": the second
        # paper went unquoted (blind batch bl-*)
        (
            "What did the simple nearest-class-mean baseline for continual learning score, and"
            " how did the work on modulating frozen RL models fare on the continual RL benchmark?",
            ("a-simple-baseline-that-questions", "learning-to-modulate-pre-trained"),
            "Continual-World",
        ),
        # described by a system and an interface, not a "paper" or "one"
        (
            "How do the reset-free robot fine-tuning system and the semi-supervised"
            " language-instruction interface each cut down on human effort?",
            ("robot-fine-tuning-made-easy", "goal-representations-for-instruction"),
            "",
        ),
        # one plural head, two phrases repeating its preposition
        (
            "What tasks are the pretrained models built for cybersecurity text and for web"
            " addresses evaluated on?",
            ("cysecbert-", "urlbert-"),
            "",
        ),
        # "the three general overviews": the papers that say they are surveys or books come
        # first among the candidates, not the theory paper the question's words also fit
        (
            "What scope do the three general overviews of pretrained and foundation models in the"
            " collection cover?",
            ("a-comprehensive-survey-on-pretrained", "foundation-models-for-natural-language"),
            "",
        ),
        # "PreSelect" is named for its code's address; the question compares each with standard
        # pre-training, not MeCo with PreSelect (no head-to-head to find)
        (
            "What savings in training data or compute do MeCo and PreSelect report compared with"
            " standard pre-training?",
            ("metadata-conditioning-accelerates", "predictive-data-selection"),
            "",
        ),
        # "Stack Overflow" is how a reader writes the abstract's "StackOverflow"; "How were
        # the X and the Y ..." describes two papers as "How did ..." does
        (
            "How were the Stack Overflow BERT models and the cybersecurity language model each"
            " evaluated?",
            ("stack-over-flowing", "cysecbert-"),
            "",
        ),
        # "SOBert" is the paper's own name: its abstract coins SOBertBase and SOBertLarge; the
        # question asks two papers in parallel, so no one abstract need name both
        (
            "How large are the SOBert models, and what compute budget did MonoByte use to"
            " pretrain its models?",
            ("stack-over-flowing", "monobyte-"),
            "420 days on a V100",
        ),
        # "the studies ..., one on X and one on Y": each "one ..." is a paper of its own
        (
            "What did the studies of in-context learning in transformers find, one on bandits and"
            " MDPs and one on linear regression?",
            ("supervised-pretraining-can-learn", "pretraining-task-diversity"),
            "",
        ),
        # a group heading ("two robot papers") before the two descriptions: each description
        # still picks its own paper (the heading's words alone picked RoboFuME and V-PTR)
        (
            "Two robot-learning papers let people correct a robot with words while it works, one"
            " by predicting fine-grained language motions and one by feeding verbal corrections"
            " to a high-level policy. What example phrases do they give?",
            ("rt-h-action-hierarchies", "yell-at-your-robot"),
            "move arm forward",
        ),
        # "web addresses" is what the URL of URLBERT's title is (rag.glossary)
        (
            "The cybersecurity-focused language model and the pretrained model for web addresses"
            " both serve security uses. What evaluation benchmarks does each use?",
            ("cysecbert-", "urlbert-"),
            "",
        ),
        # "by X and by Y": two papers, each described by what it does
        (
            "Compare the compute savings claimed by reusing a smaller trained model to initialise"
            " a larger BERT and by sparse pre-training followed by dense fine-tuning.",
            ("bert2bert-", "spdf-"),
            "",
        ),
        # "by the X, and by the Y" and "by X, compared with Y": one paper each
        (
            "How much pretraining compute is saved by the method that initializes a big BERT"
            " from a smaller trained one, and by the approach that pretrains sparsely and then"
            " fine-tunes densely?",
            ("bert2bert-", "spdf-"),
            "",
        ),
        # the second ask's sentence does not push out the first paper's only sentence
        (
            "How big is the multiple-choice dataset about case holdings, and which existing"
            " Turkish model does the legal Turkish BERT end up competing with?",
            ("when-does-pretraining-help", "legalturk-"),
            "53,000+",
        ),
        # three papers, one shared head
        (
            "What downstream tasks are used to evaluate the domain-specific models for"
            " cybersecurity text, for web addresses and for StackOverflow posts?",
            ("cysecbert-", "urlbert-", "stack-over-flowing"),
            "",
        ),
        # a list inside "the other ..." is no third paper
        (
            "Two review articles in the collection survey large pretrained models: one organises"
            " recent breakthroughs into four directions, the other spans text, image and graph"
            " data. What directions or modalities does each cover?",
            ("pre-trained-models-past-present", "a-comprehensive-survey-on-pretrained"),
            "",
        ),
        # "For the A and the B: ... the former ..., and across how many ... the latter ...?"
        (
            "For the open-source 7B vision-language-action model and the value-guided steering"
            " method for generalist robot policies: how many robot demonstrations was the former"
            " trained on, and across how many tasks was the latter evaluated?",
            ("openvla-", "steering-your-generalists"),
            "970k",
        ),
        # "comparing the A with the B"
        (
            "I'm comparing the StackOverflow-specific BERT models with the cybersecurity BERT."
            " How many parameters do the SO models have, and how many tasks was the cyber model"
            " compared on?",
            ("stack-over-flowing", "cysecbert-"),
            "",
        ),
    ],
)
def test_each_paper_a_question_describes_is_quoted(
    seed_pipeline: Pipeline, question: str, prefixes: tuple[str, ...], quoted: str
) -> None:
    ans = seed_pipeline.ask(question, mode="qa")
    cited = {c.paper_id for c in ans.citations}
    for prefix in prefixes:
        assert any(pid.startswith(prefix) for pid in cited), (prefix, cited)
    assert quoted in ans.answer


def test_the_later_and_the_earlier_one_are_the_two_papers_described(
    seed_pipeline: Pipeline,
) -> None:
    """ "the later one" and "the earlier one" are no descriptions to look papers up by (they
    found the continual-pretraining benchmark and the pretrainer's guide): the two papers are
    the two the first sentence describes."""
    ans = seed_pipeline.ask(
        "Two papers design a pretraining task for ad-hoc search inspired by the query likelihood"
        " model. What does the later one change compared with the earlier one?",
        mode="qa",
    )
    cited = {c.paper_id.split("-with-")[0] for c in ans.citations}
    assert cited == {"prop-pre-training", "b-prop-bootstrapped-pre-training"}, cited


@pytest.mark.parametrize(
    ("question", "prefixes"),
    [
        # "Maltese BERT" is in no abstract: its telling word names the paper; "BERT" alone does
        # not name the medical BERT paper
        (
            "What do the biomedical BLURB paper and the Maltese BERT paper conclude about"
            " pretraining from scratch?",
            (
                "domain-specific-language-model-pretraining",
                "pre-training-data-quality-and-quantity",
            ),
        ),
        # a name and a description joined by "and"
        (
            "What do Learning-to-Modulate and the nearest-mean-classifier baseline paper report"
            " about building on pretrained models for continual learning?",
            ("learning-to-modulate", "a-simple-baseline-that-questions"),
        ),
        # two descriptions set side by side by "compare"
        (
            "How do the LLM-based data quality rater annotating a huge corpus with quality"
            " criteria and the loss-predictiveness data selector compare in their token budgets?",
            ("dataman-data-manager", "predictive-data-selection"),
        ),
    ],
)
def test_every_paper_a_question_names_or_describes_is_quoted(
    seed_pipeline: Pipeline, question: str, prefixes: tuple[str, ...]
) -> None:
    ans = seed_pipeline.ask(question, mode="qa")
    cited = {c.paper_id for c in ans.citations}
    for prefix in prefixes:
        assert any(pid.startswith(prefix) for pid in cited), (prefix, ans.answer)


def test_the_one_paper_naming_a_name_answers(seed_pipeline: Pipeline) -> None:
    """Only the StackOverflow paper names StackOverflow; the Maltese BERT paper's sentences
    about BERT scored higher before its prior was raised (`NAME_PRIOR`)."""
    ans = seed_pipeline.ask(
        "Is there a paper that pretrains BERT-style models only on StackOverflow data?"
    )
    assert ans.citations[0].paper_id.startswith("stack-over-flowing"), ans.answer


def test_a_detail_of_each_of_two_papers_named_by_short_title(seed_pipeline: Pipeline) -> None:
    """ "Agent Q" is no acronym, but it is the paper's short title: the question asks both
    papers, so MedS^3's abstract not naming an environment does not make it abstain."""
    ans = seed_pipeline.ask(
        "Agent Q and MedS^3 both build on Monte Carlo Tree Search. What environment or seed data"
        " does each work with?",
        mode="qa",
    )
    assert not ans.abstained, ans.answer
    assert "WebShop" in ans.answer, ans.answer


def test_a_title_written_as_one_hyphenated_name_names_its_paper(seed_pipeline: Pipeline) -> None:
    """ "Learning-to-Modulate" is the title "Learning to Modulate pre-trained Models in RL"
    written as a name: the question asks both papers, and PASTA's abstract not naming its
    benchmarks does not make it abstain."""
    from rag.extractive import corpus_for
    from rag.sentences import short_title_named

    papers = list(seed_pipeline.papers(list(corpus_for(seed_pipeline).paper_ids)).values())
    (pid,) = short_title_named("How does Learning-to-Modulate adapt?", papers)
    assert pid.startswith("learning-to-modulate")
    ans = seed_pipeline.ask(
        "How do Learning-to-Modulate and PASTA adapt pretrained RL transformers to new tasks,"
        " and what benchmarks or parameter budgets do they report?"
    )
    assert not ans.abstained, ans.answer
    cited = {c.paper_id.split("-")[0] for c in ans.citations}
    assert {"learning", "pasta"} <= cited, cited


def test_the_two_papers_a_question_describes_are_the_ones_its_words_fit(
    seed_pipeline: Pipeline,
) -> None:
    """ "Two ad-hoc retrieval pretraining papers ...": PROP and B-PROP, which those words
    describe; ranked against the whole question, a data-age study came second, and "the two
    biomedical BERT papers" gave bert2BERT (about training "from scratch")."""
    ans = seed_pipeline.ask(
        "Two ad-hoc retrieval pretraining papers build a representative-words prediction task."
        " How does the later one change the way the word sets are sampled compared with the"
        " earlier one?"
    )
    cited = {c.paper_id for c in ans.citations}
    assert {pid.split("-")[0] + "-" + pid.split("-")[1] for pid in cited} == {
        "prop-pre",
        "b-prop",
    }, cited
    ans = seed_pipeline.ask(
        "How do the two biomedical BERT papers differ on whether to build on general-domain"
        " text, and which benchmarks do they report?"
    )
    cited = {c.paper_id for c in ans.citations}
    assert not any(pid.startswith("bert2bert") for pid in cited), cited
    assert any(pid.startswith("domain-specific-language-model") for pid in cited), cited


def test_a_question_about_two_papers_quotes_more_than_one_sentence_of_each(
    seed_pipeline: Pipeline,
) -> None:
    """B-PROP's sampling sentence ranks third in its abstract against this question; with one
    sentence per paper (and one more within 0.10) it was left out."""
    ans = seed_pipeline.ask(
        "How does B-PROP change the way PROP samples representative word sets for its"
        " pretraining task?",
        mode="qa",
    )
    per_paper: dict[str, int] = {}
    for n in re.findall(r"\[(\d+)\]", ans.answer):
        per_paper[n] = per_paper.get(n, 0) + 1
    assert len(per_paper) == 2 and max(per_paper.values()) >= 2, ans.answer
    assert "unigram language model" in ans.answer, ans.answer


def test_a_compare_with_few_matches_answers_its_second_part_in_two_sentences(
    seed_pipeline: Pipeline,
) -> None:
    """ "Which works X, and what does it give them?" matched by three papers: each gets its
    evidence for X and two sentences for the second part (one left the 25.1% gain out)."""
    ans = seed_pipeline.ask(
        "Which works relabel past experience in hindsight with new goals, and what does the"
        " relabelling give them?"
    )
    assert ans.mode == "compare" and 0 < len(ans.papers) <= 4, ans.answer
    assert "25.1%" in ans.answer, ans.answer


def test_two_sentences_naming_a_thing_of_the_asked_kind_are_both_quoted(
    seed_pipeline: Pipeline,
) -> None:
    """ "Which model": the Pile sentence (a dataset name next to "models") outscores the one
    naming Pythia 410M; word matching cannot tell which name is a model, so both are quoted."""
    ans = seed_pipeline.ask(
        "In the paper about warming the learning rate back up when continuing to train on"
        " SlimPajama, which model architecture were all the runs done with?",
        mode="qa",
    )
    assert "Pile" in ans.answer and "Pythia 410M" in ans.answer, ans.answer


def test_a_compare_about_a_topic_no_abstract_covers_abstains(seed_pipeline: Pipeline) -> None:
    """Screening ranks some paper first for any property; when even the collection's best
    sentence is far from it ("quantum error correction" matched a robot paper's "correct
    errors"), none matches."""
    far = seed_pipeline.ask("Which papers study neural decoders for quantum error correction?")
    assert far.mode == "compare" and far.abstained and not far.papers, far.answer
    near = seed_pipeline.ask("Which papers use Monte Carlo Tree Search?")
    assert near.mode == "compare" and not near.abstained and len(near.papers) >= 2, near.answer


def test_which_tasks_quotes_the_sentence_naming_them(seed_pipeline: Pipeline) -> None:
    """ "Which tasks": the sentence naming the tasks (IMDB, CommonGen) is quoted, not only the one
    that repeats the question's description of the method."""
    ans = seed_pipeline.ask(
        "Which text generation tasks were used to test RL fine-tuning of an LLM with a"
        " black-box guide model?",
        mode="qa",
    )
    assert not ans.abstained and "CommonGen" in ans.answer, ans.answer


def test_the_second_part_of_a_compare_quotes_no_link_sentence(seed_pipeline: Pipeline) -> None:
    """ "..., and in what settings?": "Code and data are available at https://..." answers
    nothing; a link sentence that holds the asked name (BLURB) still can."""
    ans = seed_pipeline.ask(
        "Which papers use Monte Carlo Tree Search to generate training signal for language"
        " models, and in what application settings?"
    )
    assert ans.mode == "compare" and ans.papers, ans.answer
    assert "github.com" not in ans.answer, ans.answer


def test_a_link_sentence_holding_the_asked_name_is_quoted(seed_pipeline: Pipeline) -> None:
    """ "Which benchmark": "a leaderboard featuring our BLURB benchmark ... at https://aka.ms/BLURB"
    names it; a link does not make it boilerplate when it holds what is asked."""
    ans = seed_pipeline.ask(
        "Which benchmark did the biomedical paper that pretrains from scratch compile?", mode="qa"
    )
    assert "BLURB" in ans.answer, ans.answer


def test_each_of_two_named_papers_quotes_what_is_asked(seed_pipeline: Pipeline) -> None:
    """ "On how many tasks were OpenVLA and V-GPS evaluated?" asks both for a count of tasks:
    each paper's quotes hold its own ("29 tasks", "12 tasks"), not only the first paper's."""
    ans = seed_pipeline.ask("On how many tasks were OpenVLA and V-GPS evaluated?", mode="qa")
    assert "29 tasks" in ans.answer and "12 tasks" in ans.answer, ans.answer


def test_a_name_whose_letters_a_candidate_only_spells_is_searched(
    seed_pipeline: Pipeline,
) -> None:
    """ "V-PTR" is spelled by the initials of words in other abstracts; the paper that calls
    its system V-PTR is still brought in and quoted."""
    ans = seed_pipeline.ask("RoboFuME vs V-PTR: what real-robot setups do they report?", mode="qa")
    assert "V-PTR" in ans.answer and "WidowX" in ans.answer, ans.answer


def test_the_two_after_two_one_paper_turns_are_those_papers(seed_pipeline: Pipeline) -> None:
    """ "What is UL2 about?", "And ERNIE 3.0?": each turn quoted one paper, so "the two" are
    those two, in the order asked, not the last answer's paper and whatever was retrieved."""
    ans = get_answerer(seed_pipeline)
    history: list[Answer] = []
    for turn in ("What is UL2 about?", "And ERNIE 3.0?"):
        history.append(ans.answer(turn, history))
    last = ans.answer(
        "Which of the two trained the bigger model, and how many parameters did each have?",
        history,
    )
    assert "20B" in last.answer and "10 billion" in last.answer, last.answer


def test_each_ask_of_two_is_answered_from_the_lead_papers_filling_sentence(
    seed_pipeline: Pipeline,
) -> None:
    """ "which model architecture and which new dataset": the re-warming paper's SlimPajama
    sentence ranks fifth against the second ask, below sentences that name nothing."""
    ans = seed_pipeline.ask(
        "In the study on whether to raise the learning rate again when you keep training an LLM"
        " on new data, which model architecture and which new dataset were used?"
    )
    assert "Pythia" in ans.answer and "SlimPajama" in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("question", "titles", "fact"),
    [
        # the second ask describes another paper than the one the answer leads with
        (
            "How many multiple-choice questions are in the legal case-holdings dataset, and what"
            " is the name of the benchmark released with the biomedical domain-specific"
            " pretraining study?",
            ("When Does Pretraining Help", "Domain-Specific Language Model Pretraining"),
            "BLURB",
        ),
        (
            "How many text entries went into the Chinese psychology pretraining corpus, and which"
            " downstream tasks was the URL pretrained model tested on?",
            ("Chinese MentalBERT", "URLBERT"),
            "3.36 million",
        ),
    ],
)
def test_each_ask_is_answered_from_the_paper_it_describes(
    seed_pipeline: Pipeline, question: str, titles: tuple[str, ...], fact: str
) -> None:
    ans = seed_pipeline.ask(question)
    cited = [c.title for c in ans.citations]
    assert all(any(t in c for c in cited) for t in titles), (cited, ans.answer)
    assert fact in ans.answer, ans.answer


def test_which_papers_one_this_and_one_that_asks_for_those_papers(
    seed_pipeline: Pipeline,
) -> None:
    """ "Which papers X, one A and one B, and ...?" describes two papers, one by one: each
    description picks its own (the one the other description names is not its paper), and
    the answer quotes them instead of screening the collection for everything X and A and B
    say together."""
    q = (
        "Which papers pretrain BERT-style models for biomedical or clinical text, one arguing"
        " for training from scratch and one up-sampling a small Japanese medical corpus, and"
        " which benchmarks do they report on?"
    )
    assert route(q) == "qa"
    assert one_each(q) == ("pretrain BERT-style models for biomedical or clinical text", 2)
    assert one_each("Which papers use offline RL, and on which robots?") == ("", 0)
    ans = seed_pipeline.ask(q)
    cited = [c.title for c in ans.citations]
    for t in ("Domain-Specific Language Model Pretraining", "localize medical BERT"):
        assert any(t in c for c in cited), (cited, ans.answer)
    assert "BLUE" in ans.answer, ans.answer


def test_each_paper_quoted_shows_its_sentence_with_the_questions_rare_word(
    seed_pipeline: Pipeline,
) -> None:
    """ "How do the papers on transformers that learn in context explain that ability in
    Bayesian terms ...?" quoted DPT's in-context sentences, not its "Bayesian posterior
    sampling" one: a word of the question few abstracts use, which a quoted paper has, is
    shown in one of its sentences."""
    ans = seed_pipeline.ask(
        "How do the papers on transformers that learn in context explain that ability in"
        " Bayesian terms, for decision making and for linear regression?"
    )
    assert "Bayesian posterior sampling" in ans.answer, ans.answer
    assert "Bayesian estimator" in ans.answer, ans.answer


def test_an_ask_of_the_second_described_paper_is_answered_from_it(
    seed_pipeline: Pipeline,
) -> None:
    """ "Two domain-adapted language models: one for Chinese psychological text ..., one for
    security-related text. How many text entries ..., and how many tasks was the second one
    compared on?" answered the second ask from the lead paper (Chinese MentalBERT): "the second
    one" is the paper of the question's second description (CySecBERT)."""
    ans = seed_pipeline.ask(
        "Two domain-adapted language models: one for Chinese psychological text from social"
        " media, one for security-related text. How many text entries went into the first"
        " model's corpus, and how many tasks was the second one compared on?"
    )
    assert "3.36 million text entries" in ans.answer, ans.answer
    assert "15 different" in ans.answer, ans.answer
    ans = seed_pipeline.ask(
        "In RL, one work freezes a multi-task pretrained model and adds a learnable modulation"
        " pool to avoid forgetting, while another systematically studies small transformer"
        " agents over actions and states. How many tasks are in the first one's released"
        " dataset, and how big are the second one's models?"
    )
    assert "10 million parameters" in ans.answer, ans.answer


def test_an_ask_the_lead_paper_has_nothing_for_is_answered_from_the_paper_it_describes(
    seed_pipeline: Pipeline,
) -> None:
    """ "How many multiple-choice questions are in the dataset built to test whether domain
    pretraining helps for law, and how many African languages does the multilingual model
    trained with self-active learning cover?" quoted AfroLM alone: the first ask described
    CaseHOLD, whose words AfroLM's abstract does not share, and no rule moved it there. ", and
    roughly how many ..." is a second ask too."""
    from rag.questions import question_parts

    for q in (
        "How many multiple-choice questions are in the dataset built to test whether domain"
        " pretraining helps for law, and how many African languages does the multilingual model"
        " trained with self-active learning cover?",
        "What success rate did the web agent that combines tree search with DPO reach in real"
        " booking scenarios, and roughly how many seed instances did the self-evolving small"
        " medical reasoning model start from?",
    ):
        assert len(question_parts(q)) == 2
        ans = seed_pipeline.ask(q)
        assert len({c.paper_id for c in ans.citations}) == 2, ans.answer
    ans = seed_pipeline.ask(
        "How many multiple-choice questions are in the dataset built to test whether domain"
        " pretraining helps for law, and how many African languages does the multilingual model"
        " trained with self-active learning cover?"
    )
    assert "53,000+" in ans.answer and "23 African languages" in ans.answer


def test_each_ask_that_describes_a_paper_picks_one_of_the_counted_papers(
    seed_pipeline: Pipeline,
) -> None:
    """ "Two papers make an LLM cheaper to pretrain by leaning on a smaller one. How much cost
    does the function-preserving initialization approach save, and what sizes were the models
    in the soft-label approach?" quoted bert2BERT and the scaling-law paper the heading's words
    fit next best: each ask describes its own paper of the two."""
    ans = seed_pipeline.ask(
        "Two papers make a big language model cheaper to pretrain by leaning on a smaller one."
        " How much compute does the function-preserving initialization approach save, and what"
        " sizes were the large and small models in the soft-label approach?"
    )
    titles = " ".join(c.title for c in ans.citations)
    assert "bert2BERT" in titles and "A Little Help Goes a Long Way" in titles, ans.answer


def test_two_descriptions_after_a_repeated_preposition_are_both_quoted(
    seed_pipeline: Pipeline,
) -> None:
    """ "How big are the gains from prompt-based continued pretraining and from the
    multi-perspective course learning variant of ELECTRA?" quoted MCL alone."""
    ans = seed_pipeline.ask(
        "What gains come from prompt-based continued pretraining and from the multi-perspective"
        " course learning variant of ELECTRA?"
    )
    titles = " ".join(c.title for c in ans.citations)
    assert "Don't Stop Pretraining" in titles and "Multi-perspective Course" in titles, ans.answer


def test_these_three_described_papers_are_each_quoted(seed_pipeline: Pipeline) -> None:
    """Three ways to make pretraining cheaper, described and then counted ("these three"):
    each description's paper is quoted, not only the best match."""
    ans = seed_pipeline.ask(
        "I want ways to make LM pre-training cheaper: growing a big model from a smaller"
        " pretrained one, training with sparse weights then densifying, and using a small LM's"
        " soft labels. What savings or scales do these three report?"
    )
    cited = {c.paper_id.split("-")[0] for c in ans.citations}
    assert {"bert2bert", "spdf", "a"} <= cited, cited


def test_a_quoted_piece_of_a_title_names_the_papers_an_ask_is_about(
    seed_pipeline: Pipeline,
) -> None:
    """ "..., what four directions of recent breakthroughs does the 'past, present and future'
    review list, and roughly how many application areas does the open-access NLP
    foundation-models book survey?" quoted the book alone: the first ask's paper is the one
    whose title the reader quotes, not the paper the answer leads with."""
    ans = seed_pipeline.ask(
        "Among the broad reviews of pre-trained models, what four directions of recent"
        " breakthroughs does the 'past, present and future' review list, and roughly how many"
        " application areas does the open-access NLP foundation-models book survey?"
    )
    cited = {c.paper_id for c in ans.citations}
    assert any(pid.startswith("pre-trained-models-past-present") for pid in cited), cited
    assert any(pid.startswith("foundation-models-for-natural") for pid in cited), cited


def test_a_field_wide_name_in_a_description_names_no_paper(seed_pipeline: Pipeline) -> None:
    """ "One paper grows a large BERT out of a smaller pretrained one, another uses a small LM to
    supervise a big LLM's pretraining": "BERT" is the field's word (the unpadded-BERT paper's
    title has it too), so each description picks its own paper: bert2BERT and the small-LM
    paper."""
    ans = seed_pipeline.ask(
        "One paper grows a large BERT out of a smaller pretrained one, another uses a small LM to"
        " supervise a big LLM's pretraining. How much of the pretraining cost for BERT_BASE does"
        " the first save, and how big is the LLM trained in the second?"
    )
    cited = {c.title.split(":")[0] for c in ans.citations}
    assert cited == {"bert2BERT", "A Little Help Goes a Long Way"}, cited
    assert "45%" in ans.answer and "2.8B" in ans.answer, ans.answer


def test_a_system_and_another_one_are_two_described_papers(seed_pipeline: Pipeline) -> None:
    q = (
        "There's a reset-free robot fine-tuning system that uses a VLM as a reward classifier"
        " and another one that learns value functions from human videos for offline RL. What"
        " real robot evidence does each give?"
    )
    assert len(descriptions(q)) == 2
    cited = {c.title.split(":")[0] for c in seed_pipeline.ask(q).citations}
    assert cited == {
        "Robot Fine-Tuning Made Easy",
        "Robotic Offline RL from Internet Videos via Value-Function Pre-Training",
    }, cited


def test_a_count_of_efforts_describes_that_many_papers() -> None:
    from rag.questions import papers_described

    assert papers_described("Two efforts on under-resourced languages: A, and B. What ...?") == 2
    assert papers_described("Compare two systems for robot learning: A and B.") == 2


def test_a_word_closed_up_in_a_title_describes_its_paper(seed_pipeline: Pipeline) -> None:
    """ "the security-domain BERT paper": CySecBERT's title writes "Cybersecurity" (and
    "CySecBERT") as one word; the reader's "security" and "BERT" still point at it."""
    assert compounded(["secur", "bert", "domain"], {"cybersecur", "cysecbert", "domain"}) == {
        "secur",
        "bert",
    }
    assert not compounded(["bert"], {"roberta"})
    ans = seed_pipeline.ask(
        "The StackOverflow domain-model paper and the security-domain BERT paper: how many"
        " downstream tasks does each evaluate on?"
    )
    cited = {c.title.split(":")[0] for c in ans.citations}
    assert "CySecBERT" in cited, cited


def test_how_each_paper_does_it_quotes_where_each_presents_its_method(
    seed_pipeline: Pipeline,
) -> None:
    """ "Compare PreSelect and DataMan: how does each decide which pretraining data is worth
    keeping?": PreSelect's way is the sentence that introduces it ("a lightweight ... data
    selection method that requires ... only a fastText-based scorer"), not its background."""
    ans = seed_pipeline.ask(
        "Compare PreSelect and DataMan: how does each decide which pretraining data is worth"
        " keeping?"
    )
    assert "fastText-based scorer" in ans.answer, ans.answer
    assert "DataMan" in ans.answer, ans.answer


def test_do_two_papers_agree_quotes_each(seed_pipeline: Pipeline) -> None:
    """ "Do PCP and the study of X agree on whether ...?" asks each paper's own finding: the
    described study is quoted beside the named one."""
    ans = seed_pipeline.ask(
        "Do the prompt-based continued pretraining paper (PCP) and the study of continued"
        " pretraining for generative unsupervised domain adaptation agree on whether continued"
        " pretraining helps?"
    )
    titles = {c.title.split("?")[0] for c in ans.citations}
    assert (
        "How Useful is Continued Pre-Training for Generative Unsupervised Domain Adaptation"
        in titles
    )


@pytest.mark.parametrize(
    ("question", "name"),
    [
        (
            "Which paper separates what the policy controls from environment randomness in"
            " return-conditioned offline RL?",
            "DoC",
        ),
        (
            "Is there a paper that uses reinforcement learning to pick which graph nodes get"
            " feature prompts?",
            "RELIEF",
        ),
        (
            "Which paper ranks sim2real policies by combining out-of-distribution detection on"
            " real data with evaluation in simulation?",
            "VSDR",
        ),
    ],
)
def test_which_paper_is_answered_with_the_sentence_that_names_it(
    seed_pipeline: Pipeline, question: str, name: str
) -> None:
    """ "Which paper ...?": the paper's sentence that gives its method a name leads ("we propose
    the dichotomy of control (DoC)", "our score - VSDR -"), where its best-matching sentences
    only restate the question."""
    ans = seed_pipeline.ask(question, mode="qa")
    first = ans.answer.split(" [1]")[0]
    assert name in first, ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "How do the decision-pretrained transformer paper and the in-context linear regression"
        " task-diversity paper relate what the transformer learns to Bayesian methods?",
        "The DPT paper and the regression task-diversity paper: what known method is each"
        " transformer's in-context behaviour connected to?",
    ],
)
def test_each_paper_asked_to_relate_gives_its_likenings(
    seed_pipeline: Pipeline, question: str
) -> None:
    """Two papers asked how each relates what it learns to a known method: each is quoted
    where it likens its transformer to one (DPT: "an efficient implementation of Bayesian
    posterior sampling"; the regression paper: above the diversity threshold, ridge
    regression), not only where it names a method."""
    ans = seed_pipeline.ask(question)
    assert not ans.abstained
    assert "Bayesian posterior sampling" in ans.answer
    assert "ridge regression" in ans.answer


@pytest.mark.parametrize(
    ("question", "abstains"),
    [
        ("Which GPUs were the StackOverflow BERT models trained on?", True),
        ("Which GPU model did the unpadded BERT MLPerf submission use?", True),
        ("What kind of GPUs can OpenVLA be fine-tuned on?", False),
    ],
)
def test_which_gpus_is_answered_only_by_an_accelerator_named(
    seed_pipeline: Pipeline, question: str, abstains: bool
) -> None:
    """No abstract says which GPUs trained SOBert or ran the unpadded-BERT submission (its
    "within the same GPU configuration" names none): abstain; OpenVLA's "consumer GPUs" says
    what kind."""
    assert seed_pipeline.ask(question).abstained is abstains


def test_a_benchmark_no_abstract_names_is_not_answered(seed_pipeline: Pipeline) -> None:
    """DoC's abstract names no D4RL dataset (nor does any other): the question abstains rather
    than quoting DoC's method sentence."""
    ans = seed_pipeline.ask("Which D4RL datasets was the dichotomy of control method tested on?")
    assert ans.abstained


def test_which_one_then_the_other_one_stay_with_the_pair(seed_pipeline: Pipeline) -> None:
    """Two papers asked about, then "Which one comes with regret guarantees?" (DPT, of the two:
    not a third paper that also speaks of regret), then "the other one" is DoC."""
    history: list = []
    for q in (
        "What do the Dichotomy of Control paper and the Decision-Pretrained Transformer do?",
        "Which one comes with regret guarantees?",
        "And what does the other one condition its policy on?",
    ):
        history.append(seed_pipeline.ask(q, history))
    which, other = history[1], history[2]
    assert [c.paper_id for c in which.citations][:1] == [
        "supervised-pretraining-can-learn-in-context-reinforcement-learning"
    ]
    assert {c.paper_id for c in which.citations} <= {
        "supervised-pretraining-can-learn-in-context-reinforcement-learning",
        "dichotomy-of-control-separating-what-you-can-control-from-what-you-cannot",
    }
    assert [c.paper_id for c in other.citations] == [
        "dichotomy-of-control-separating-what-you-can-control-from-what-you-cannot"
    ]


def test_a_versus_heading_does_not_ask_a_head_to_head(seed_pipeline: Pipeline) -> None:
    """ "DoC versus DPT: which baseline does DoC outperform ..., and what ... does DPT ...?": the
    heading only sets the two side by side, each ask names whom it asks of; no abstract needs to
    compare the two (each abstract answers its own ask)."""
    ans = seed_pipeline.ask(
        "DoC versus DPT: which baseline does DoC outperform in stochastic environments, and"
        " what kinds of RL problems can DPT solve in-context?"
    )
    assert not ans.abstained
    cited = {c.paper_id for c in ans.citations}
    assert "dichotomy-of-control-separating-what-you-can-control-from-what-you-cannot" in cited
    assert "supervised-pretraining-can-learn-in-context-reinforcement-learning" in cited


def test_a_compare_heading_does_not_ask_a_head_to_head(seed_pipeline: Pipeline) -> None:
    """ "Compare PreSelect and DataMan: how many tokens ... PreSelect ... beat ..., and ...
    DataMan ...?": as an "A vs B:" heading, it sets the two side by side; the ask that beats a
    baseline names its own paper, which is quoted, not abstained on as an uncompared pair."""
    ans = seed_pipeline.ask(
        "Comparing PreSelect and DataMan: on how many tokens does PreSelect's data beat a"
        " baseline trained on 300B tokens, and how large a model does DataMan train?"
    )
    assert not ans.abstained, ans.answer
    cited = {c.paper_id for c in ans.citations}
    assert "predictive-data-selection-the-data-that-predicts-is-the-data-that-teaches" in cited
    assert "dataman-data-manager-for-pre-training-large-language-models" in cited


def test_sentences_before_the_asks_do_not_say_whom_an_ask_is_of(seed_pipeline: Pipeline) -> None:
    """ "Two papers ...: one ... Minecraft ..., the other (V-PTR) .... At what rate does the
    Minecraft agent ...?": the sentence before the asks names V-PTR, but the rate is asked of
    the Minecraft agent, whose abstract gives it ("at 20Hz"); no abstention on V-PTR's."""
    ans = seed_pipeline.ask(
        "Two works learn to act from videos of people: one labels Minecraft footage with an"
        " inverse dynamics model, the other (V-PTR) pretrains value functions with TD learning."
        " At what rate does the Minecraft agent work its mouse and keyboard, and which robot"
        " was V-PTR run on?"
    )
    assert not ans.abstained, ans.answer
    assert "20Hz" in ans.answer, ans.answer


def test_where_a_paper_was_validated_leads_with_the_named_testbed(
    seed_pipeline: Pipeline,
) -> None:
    """ "Where was ... validated?" asks for the benchmark or testbed by name: the sentence that
    gives it ("Empirical validation on the Mujoco ...") opens the answer, not the paper's
    framing of its problem."""
    ans = seed_pipeline.ask(
        "Where was the robust RL defense that adapts at test time using a small set of"
        " non-dominated policies validated?"
    )
    assert ans.answer.startswith("Empirical validation on the Mujoco"), ans.answer


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # two overviews: the book leads the retrieval and never says "directions", so any
        # number counts, and "four important directions: designing ..." read as a list's count;
        # the review gives the count under the asked word itself
        (
            "Of the general overviews, the past/present/future review of PTMs and the open-access"
            " book on foundation models for NLP: how many directions does the review group recent"
            " breakthroughs into, and how many application areas does the book survey?",
            "four important directions",
        ),
        # the "two" counts the papers asked about; "as few as two trajectories" answers the
        # ask, it does not echo the question
        (
            "Two RL papers pretrain policies first: one starts from a pretrained language model"
            " for household tasks, the other imitates offline trajectories in procedurally"
            " generated grid worlds. Which environments do they use, and how few trajectories did"
            " the second find can be enough?",
            "as few as two trajectories",
        ),
    ],
    ids=["count-under-the-asked-word", "count-of-papers"],
)
def test_a_count_an_abstract_gives_is_no_abstention(
    seed_pipeline: Pipeline, question: str, quoted: str
) -> None:
    """A count asked of one of several papers, which its abstract gives, is answered."""
    ans = seed_pipeline.ask(question)
    assert not ans.abstained, ans.answer
    assert quoted in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("turns", "paper", "quoted"),
    [
        # two papers answered together; the other is ERNIE 3.0, asked without UL2's name (whose
        # abstract would otherwise be read, or the answer withheld as about UL2)
        (
            (
                "What do UL2 and ERNIE 3.0 each propose?",
                "UL2 I know already. What about the other one, how many parameters does it have?",
            ),
            "ernie-3-0-large-scale-knowledge-enhanced-pre-training-for-language-understanding",
            "10 billion",
        ),
        # one paper a turn: "those two" are the two turns' papers, the first the mental-health
        # one (not the last answer's only paper)
        (
            (
                "What's the Chinese MentalBERT paper about?",
                "And the CySecBERT one?",
                "Back to the first of those two: how many text entries did its database hold?",
            ),
            "chinese-mentalbert-domain-adaptive-pre-training-on-social-media-for-chinese",
            "3.36 million",
        ),
        # "the mental health one": the one of the two named papers the words describe
        (
            (
                "I'm reading Chinese MentalBERT and CySecBERT.",
                "How large was the dataset behind the mental health one?",
            ),
            "chinese-mentalbert-domain-adaptive-pre-training-on-social-media-for-chinese",
            "",
        ),
    ],
    ids=["the-other-one-not-named", "the-first-of-those-two", "the-mental-health-one"],
)
def test_a_turn_that_points_at_one_of_two_earlier_papers(
    seed_pipeline: Pipeline, turns: tuple[str, ...], paper: str, quoted: str
) -> None:
    """A follow-up that picks one of two earlier papers (the other one, by place, by a few words
    of description) is answered from that paper alone."""
    last = _last_turn(seed_pipeline, *turns)
    assert not last.abstained, last.answer
    assert [c.paper_id for c in last.citations] == [paper]
    assert quoted in last.answer, last.answer


@pytest.mark.parametrize(
    ("question", "papers", "quoted"),
    [
        # two indefinite descriptions, then asks of "the first" and "the second": Agent Q's
        # WebShop, RLGF's text generation tasks (not the second alone)
        (
            "A web agent trained by preference optimization on its own search trajectories, and"
            " a family of RL algorithms that query a black-box guide LLM: in which simulated"
            " environment is the first validated, and which text generation tasks does the"
            " second use?",
            (
                "agent-q-advanced-reasoning-and-learning-for-autonomous-ai-agents",
                "learning-to-generate-better-than-your-llm",
            ),
            ("WebShop", "CommonGen"),
        ),
        # "One RL paper ...; another ...": the semicolon parts the descriptions as a comma does
        (
            "One RL paper keeps a frozen pretrained model and learns to modulate its information"
            " flow to avoid forgetting; another studies small transformers pretrained on action"
            " and state tokens. Which benchmark did the first get SOTA on, and how big are the"
            " second's models?",
            (
                "learning-to-modulate-pre-trained-models-in-rl",
                "pasta-pretrained-action-state-transformer-agents",
            ),
            (),
        ),
    ],
    ids=["indefinite-by-place", "one-then-another-after-a-semicolon"],
)
def test_two_described_papers_are_each_quoted(
    seed_pipeline: Pipeline, question: str, papers: tuple[str, ...], quoted: tuple[str, ...]
) -> None:
    """Two papers described and then each asked of: both are quoted."""
    ans = seed_pipeline.ask(question)
    assert set(papers) <= {c.paper_id for c in ans.citations}, ans.answer
    assert all(q in ans.answer for q in quoted), ans.answer


def test_an_initialism_another_title_spells_out_names_no_one_paper() -> None:
    """ "GNN": RELIEF writes "Graph Neural Network (GNN)", and "When to Pre-Train Graph Neural
    Networks?" has those words in its title: the field's initialism, which names neither;
    "PCP", spelled out as "prompt-based continued pre-training", stays a name of its paper."""
    from rag.answering import _field_initialism
    from rag.schema import Paper

    relief = Paper("r", "RELIEF", "Prompts for Graph Neural Network (GNN) models.")
    w2p = Paper("w", "When to Pre-Train Graph Neural Networks?", "We propose W2PGNN.")
    pcp = Paper("p", "Don't Stop Pretraining", "Prompt-based continued pre-training (PCP).")
    dcpt = Paper("d", "Domain Continual Pre-training Law", "A law.")
    assert _field_initialism("GNN", relief, [relief, w2p, pcp])
    assert not _field_initialism("PCP", pcp, [relief, w2p, pcp, dcpt])
    assert not _field_initialism("GNN", relief, [relief, pcp])  # no other title spells it


def test_two_described_graph_papers_are_each_found(seed_pipeline: Pipeline) -> None:
    """ "the one that asks when GNN pretraining is worth it" is W2PGNN ("When to Pre-Train Graph
    Neural Networks?"), not RELIEF, whose abstract alone writes "GNN"."""
    ans = seed_pipeline.ask(
        "About the graph papers - the one that uses RL to choose which nodes get feature prompts"
        " and the one that asks when GNN pretraining is worth it - what action does the RL agent"
        " take, and what does the second model the pretraining graphs with?"
    )
    cited = {c.paper_id for c in ans.citations}
    assert {
        "relief-reinforcement-learning-empowered-graph-feature-prompt-tuning",
        "when-to-pre-train-graph-neural-networks-from-data-generation-perspective",
    } <= cited, ans.answer
