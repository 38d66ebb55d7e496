"""Question analysis: lead-ins and the answer slot (what kind of answer a question asks for)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.questions import (
    answer_slot,
    asked_sentence,
    descriptions,
    fills,
    likened,
    names,
    negated,
    numbers,
    papers_described,
    question_parts,
    referred_description,
    strip_lead_in,
    unworded,
)
from rag.sentences import entities, mentioned


def test_strip_lead_in() -> None:
    lead = strip_lead_in("Totally different question: which optimizer did MCL use?")
    assert lead.text == "Which optimizer did MCL use?" and lead.switch
    plain = strip_lead_in("OK, and how big was it?")
    assert plain.text == "And how big was it?" and not plain.switch
    assert strip_lead_in("What is CaseHOLD?").text == "What is CaseHOLD?"


@pytest.mark.parametrize(
    "lead",
    [
        "Unrelated to that:",
        "Unrelated to the previous answer -",
        "Separately,",
        "Moving on:",
        "Switching gears,",
        "On a separate note,",
        "Independently of the above,",
        "Switching gears entirely:",
        "Switching topics completely -",
    ],
)
def test_a_lead_in_that_leaves_the_topic(lead: str) -> None:
    got = strip_lead_in(f"{lead} which objective came out Pareto-optimal?")
    assert got.text == "Which objective came out Pareto-optimal?" and got.switch


@pytest.mark.parametrize(
    ("question", "kind", "head"),
    [
        (
            "Which optimizer and learning rate did B-PROP use for pre-training?",
            "detail",
            "optimizer",
        ),
        ("What peak learning rate did the re-warming study find best?", "detail", "learning rate"),
        ("How many parameters does the RT-H model have?", "quantity", "parameters"),
        ("What F1 score does LegalTurk reach on legal NER?", "quantity", "F1 score"),
        ("By what percentage did the small LM cut training time?", "quantity", "percentage"),
        ("How long did it take to train BayesPrompt, in GPU hours?", "quantity", "how long"),
        ("Which specific vision-language model does RoboFuME fine-tune?", "name", "model"),
        ("What is the transformer called that predicts optimal actions?", "name", "name"),
        ("What does RoboFuME do?", "open", ""),
        ("Which university are the authors of the CaseHOLD paper from?", "detail", "affiliation"),
        ("What funding supported the AfroLM work?", "detail", "funding"),
        # who wrote it and where it appeared: metadata no abstract states
        ("Who are the authors of the CaseHOLD paper?", "detail", "authors"),
        ("Who wrote the UL2 paper?", "detail", "authors"),
        # the authors as the subject, not the thing asked for
        ("What do the authors call the early dip in performance?", "open", ""),
        # "which the authors pitched": a relative clause, not "which authors"
        (
            "What sizes were the two models trained on forum posts, which the authors pitched as"
            " cheap?",
            "quantity",
            "size",
        ),
        ("At which venue was the TAPE benchmark published?", "detail", "venue"),
        ("Where was KIND published?", "detail", "venue"),
        ("Which booking website did Agent Q use?", "name", "website"),
        ("How large was the court-decision corpus it was pretrained on?", "quantity", "how large"),
        # the counted noun ends at a verb, not only at an auxiliary or a participle
        ("How much compute went into pretraining the MonoByte models?", "quantity", "compute"),
        ("In PASTA, how many parameters get fine-tuned with PEFT?", "quantity", "parameters"),
        ("How many tokens does it take to train?", "quantity", "tokens"),
        (
            "Which model and corpora were used to study re-warming the learning rate?",
            "name",
            "model",
        ),
        # "the number of X" asks as "how many X" does
        ("What is the smallest number of demos needed?", "quantity", "demos"),
        ("What is the number of parameters of UL2?", "quantity", "parameters"),
        # the rival a method beats, named next to a comparative ("better performance than DT")
        ("Which multilingual baselines does it beat?", "name", "what it is compared with"),
        (
            "Which data selection baselines did PreSelect outperform?",
            "name",
            "what it is compared with",
        ),
        # "how few X were enough" counts X as "how many" does
        ("How few trajectories were enough?", "quantity", "trajectories"),
        # "model sizes" asks for a size (in parameters), not for a model's name
        ("What model sizes did the MeCo paper train?", "quantity", "model size"),
        ("What sizes were the two models they released?", "quantity", "size"),
        # "beats" inside a description of the paper is not what is asked
        (
            "What is the benchmark of the work arguing that scratch beats continuing?",
            "name",
            "benchmark",
        ),
        # a "how many" clause a verb embeds describes the paper; the wh-word after it asks
        (
            "In the study that varies how many distinct tasks are in the pretraining mix,"
            " what does the transformer's behaviour match past the threshold?",
            "open",
            "",
        ),
        (
            "In the study that varies how many tasks are in the mix, how many tasks are enough?",
            "quantity",
            "tasks",
        ),
        ("What value of k does LOOK use?", "quantity", "value of k"),
        # after "do" or a modal the noun is the subject, not the asked name
        # a likening asked: open, preferring the sentence that likens
        ("What does the model behave like once the tasks are diverse enough?", "open", "relation"),
        ("What model does it use?", "name", "model"),
        # "model-growth" describes the baselines: they are asked (named ones preferred)
        ("Which model-growth baselines was bert2BERT compared against?", "name", "baselines"),
        ("Which toxicity classifier did the Pretrainer's Guide use?", "name", "classifier"),
        # a plural proportion is a quantity as the singular is; a price in dollars is a cost
        ("In what proportions does UL2 mix its denoisers?", "quantity", "proportions"),
        ("How much did it cost in dollars to train BERTu?", "quantity", "cost"),
        # the verb asks for a cost: not an amount of change any "+0.8%" fills
        (
            "Roughly how much did it cost, in GPU hours or dollars, to train ERNIE 3.0?",
            "quantity",
            "cost",
        ),
        (
            "How accurately do human lawyers answer the CaseHOLD questions?",
            "quantity",
            "how accurately",
        ),
    ],
)
def test_answer_slot(question: str, kind: str, head: str) -> None:
    slot = answer_slot(question)
    assert (slot.kind, slot.head) == (kind, head)


def test_a_soft_slot_prefers_a_name_but_never_abstains() -> None:
    """ "Which tasks" and "what are its variants called" are as often answered in plain words as
    by a name: a sentence naming one is preferred, one naming none is no reason to abstain."""
    q = "Which text generation tasks were used to test RLGF?"
    slot = answer_slot(q)
    assert (slot.kind, slot.soft) == ("name", True)
    assert fills(slot, "We experiment on the IMDB and CommonGen text generation task.", q)
    assert not fills(slot, "We study text generation tasks of many kinds.", q)
    # a candidate's own name is not the asked task ("multi-task learning with URLBERT")
    own = replace(slot, given="URLBERT: A Pre-trained Model for URL Classification")
    assert not fills(own, "We explore multi-task learning with URLBERT.", q)
    assert answer_slot("What are its two variants called?").soft
    assert not answer_slot("What is it called?").soft  # a coined name: strict, as before
    assert not answer_slot("Which paper finds a task diversity threshold?").soft


def test_asked_for_results_a_reported_outcome_is_preferred_never_required() -> None:
    """ "... and how well do they work?" / "differ in method and results": a sentence with a
    measured number or an outcome verb is preferred; the slot is open, so no gate asks for it.
    "state-of-the-art results" describes, it does not ask."""
    q = "How do the two alignment papers differ in method and results?"
    slot = answer_slot(q)
    assert (slot.kind, slot.head, slot.checked) == ("open", "results", False)
    assert fills(slot, "SAMI-trained mistral-7b outperforms the initial model.", q)
    assert fills(slot, "It reaches a 66% win rate.", q)
    assert not fills(slot, "We focus on two essential downstream tasks.", q)  # a count
    assert answer_slot("What ways are proposed, and how well do they work?").head == "results"
    assert answer_slot("What do they report?").head == "results"
    assert answer_slot("Name the benchmark where L2M gets state-of-the-art results.").head != (
        "results"
    )
    assert answer_slot("What is UL2?").head == ""


def test_a_metric_number_may_sit_further_from_its_word_than_a_counted_one() -> None:
    q = "What average medical-task score did OpenLlama-3B reach?"
    s = "Our strategies improve the average medical task performance of the OpenLlama-3B model"
    assert fills(answer_slot(q), f"{s} from 36.2% to 40.7%.", q)
    q2 = "How many legal decisions is the CaseHOLD corpus built from?"
    s2 = "CaseHOLD (Case Holdings On Legal Decisions), a new dataset comprised of over 53,000+ items."
    assert not fills(answer_slot(q2), s2, q2)


def test_a_bare_score_is_any_metric_and_whats_is_what_is() -> None:
    q = "A frozen backbone plus a nearest-mean classifier: what did it score on CIFAR-100?"
    assert fills(answer_slot(q), "It reaches an accuracy of 88.53% on 10-Split-CIFAR-100.", q)
    slot = answer_slot("what's the leaderboard/benchmark called that came with it?")
    assert slot.kind == "name"


def test_sota_is_mentioned_as_state_of_the_art() -> None:
    from rag.sentences import mentioned

    assert mentioned("SOTA", "it achieves state-of-the-art results on continual-world")
    assert not mentioned("SOTA", "it achieves strong results")


def test_a_bare_rate_is_filled_by_a_frequency() -> None:
    q = "What control interface does it act through, at what rate?"
    slot = answer_slot(q)
    assert fills(slot, "It uses the native human interface (mouse and keyboard at 20Hz).", q)
    assert not fills(slot, "It was trained on 70,000 hours of video.", q)


def test_numbers_skip_enumerators_and_one() -> None:
    assert numbers("It relies on (1) soft labels and (2) selection, on the one hand.") == set()
    assert numbers("over 53,000+ questions, 7B parameters, 43.6% better") >= {
        "53000",
        "7b",
        "43.6%",
    }


def test_a_count_asked_in_a_word_the_paper_never_uses_is_no_rate() -> None:
    """ "How many rounds ... were run?": "a 65% win rate" and the 7B of "mistral-7b-instruct"
    count nothing, though any number the paper gives may otherwise fill a count asked in the
    reader's own word."""
    q = "How many rounds of the iterative alignment method were run?"
    text = "The SAMI-trained model achieves a 65% win rate. It runs three iterations."
    slot = unworded(answer_slot(q), text)
    assert not fills(slot, "The SAMI-trained model achieves a 65% win rate on summarization.", q)
    assert not fills(slot, "It aligns a strong model with a weak mistral-7b-instruct.", q)
    assert fills(slot, "We run three iterations of SAMI.", q)


def test_a_number_with_its_unit_counts_in_parentheses() -> None:
    assert numbers("Pretrained on a dataset significantly (14x) smaller, in (2023) work.") == {
        "14x"
    }
    q = "How much smaller is the AfroLM pretraining set than existing baselines?"
    assert fills(answer_slot(q), "Pretrained on a dataset significantly (14x) smaller.", q)


def test_quantity_slot_needs_a_new_number_of_that_kind() -> None:
    q = "How many multiple-choice questions does CaseHOLD contain?"
    slot = answer_slot(q)
    assert fills(slot, "CaseHOLD has over 53,000+ multiple choice questions.", q)
    assert not fills(slot, "CaseHOLD covers approximately 3.5M decisions.", q)  # wrong kind
    assert not fills(slot, "CaseHOLD is a new dataset of questions.", q)  # no number


def test_change_slot_accepts_differences() -> None:
    q = "By how much did KIND reduce FID on DiT-L/2?"
    slot = answer_slot(q)
    assert fills(slot, "KIND achieves more than 6.54 and 1.07 decrease in FID and sFID.", q)
    assert not fills(slot, "KIND is evaluated on DiT-L/2 with a new architecture.", q)


def test_by_how_many_points_is_a_change_in_points() -> None:
    """ "By how many F1 points" asks a difference in points (or in %): a count ("3.36 million
    text entries", "four benchmarks") does not give it."""
    q = "By how many F1 points did the Chinese mental-health BERT beat Chinese BERT?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and slot.change and slot.head == "points"
    assert not fills(slot, "The corpus encompasses 3.36 million text entries.", q)
    assert not fills(slot, "We assessed it across four public benchmarks.", q)
    assert fills(slot, "It exceeds the baseline by 2.1 F1 points.", q)


def test_a_change_verb_in_a_clause_of_its_own_is_not_asked() -> None:
    """ "How much practice did it need before improving" asks the practice, not a change."""
    for q in (
        "How much practice did the robot need before improving on a new task?",
        "How much practice did the robot need before it improved on a new task?",
        "How much data is needed to improve accuracy?",
    ):
        assert not answer_slot(q).change, q
    for q in ("How much did the data filter improve accuracy?", "How much compute did it save?"):
        assert answer_slot(q).change, q


def test_a_relative_clause_asks_no_metric() -> None:
    """ "the scorer, which keeps data whose loss predicts ..." asks no loss; "what corruption
    rates" and "what control frequency" ask numbers (a frequency in Hz)."""
    q = "Which baselines did the scorer, which keeps data whose loss predicts ability, beat?"
    assert answer_slot(q).head != "whose loss"
    q = "In UL2, what corruption rates and mean span lengths are used for each denoiser?"
    assert answer_slot(q).head == "corruption rates"
    q = "At what control frequency does OpenVLA run?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and fills(slot, "It acts at 6Hz on a consumer GPU.", q)


def test_an_application_is_preferably_a_named_environment() -> None:
    """ "In what application domains?" prefers the sentence naming where the method was used
    ("the WebShop environment"), and never abstains for want of one."""
    slot = answer_slot("and in what application domains?")
    assert (slot.kind, slot.soft) == ("name", True)
    s = "We validate our approach in the WebShop environment, a simulated e-commerce platform."
    assert fills(slot, s, "and in what application domains?")
    assert not fills(slot, "We propose a new framework for agents.", "in what application?")


def test_a_before_and_after_is_a_change() -> None:
    """ "What did X go from and to?" is answered by "from 36.2% to 40.7%", however far the
    metric's word sits from the numbers."""
    q = "For the latter, what did average medical performance of OpenLlama-3B go from and to?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and slot.change
    s = (
        "For example, our strategies improve the average medical task performance of the "
        "OpenLlama-3B model from 36.2% to 40.7% with only 40% of the original training budget."
    )
    assert fills(slot, s, q)
    assert not answer_slot("What average score does it reach?").change


def test_name_slot_needs_a_name_the_question_does_not_give() -> None:
    q = "Which specific vision-language model does RoboFuME fine-tune?"
    slot = answer_slot(q)
    assert not fills(slot, "We leverage pre-trained vision language models (VLMs) as rewards.", q)
    assert fills(slot, "The reward model is a fine-tuned PaLI-X vision-language model.", q)
    q2 = "What are the names of the policies that V-GPS improved?"
    assert not fills(
        answer_slot(q2), "We call it Value-Guided Policy Steering (V-GPS) for any policy.", q2
    )


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "By how much did KIND reduce FID, and on which dataset was it evaluated?",
            ["By how much did KIND reduce FID", "on which dataset was it evaluated"],
        ),
        (
            "What is PCP and how much did it improve prompt-based fine-tuning?",
            ["What is PCP", "how much did it improve prompt-based fine-tuning"],
        ),
        # a preamble that says which paper, then the ask
        (
            "In the legal search study where whole documents are queries, which lexical method"
            " was a pre-fetcher?",
            [
                "In the legal search study where whole documents are queries",
                "which lexical method was a pre-fetcher",
            ],
        ),
        (
            "for the LR re-warming study: what model size?",
            ["For the LR re-warming study", "what model size"],
        ),
        # a list of asks: each before the last ", and" its own (a relative clause is none)
        (
            "What does the first say, which data modalities does the second cover, and how"
            " many application areas does the third review?",
            [
                "What does the first say",
                "which data modalities does the second cover",
                "how many application areas does the third review",
            ],
        ),
        (
            "What does the scorer, which keeps data whose loss predicts scores, use, and how big"
            " is it?",
            [
                "What does the scorer, which keeps data whose loss predicts scores, use",
                "how big is it",
            ],
        ),
        # one ask about two things, and a plain question, stay whole
        ("Which model and corpora were used?", ["Which model and corpora were used?"]),
        ("In this paper, what is new?", ["In this paper, what is new?"]),
        ("What does BLURB stand for?", ["What does BLURB stand for?"]),
    ],
)
def test_question_parts(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


def test_a_name_after_without_or_other_than_is_excluded() -> None:
    assert negated("Which papers align LMs without the usual RLHF stage?", "RLHF")
    assert negated("a language model for a language other than English", "English")
    assert not negated("Which papers fine-tune with RLHF?", "RLHF")
    # up to three words after "without" ...; two after "not"
    assert negated("Which papers align LMs without relying on standard RLHF?", "RLHF")
    assert not negated("Is it not the case that the new PPO variant wins?", "PPO")


def test_a_plural_acronym_is_mentioned_by_its_spelled_out_words() -> None:
    hay = "reinforcement learning for bandits and markov decision processes."
    assert mentioned("MDPs", hay) and mentioned("MDP", hay)
    assert not mentioned("MDPs", "model-based planning with deep networks")


def test_magnitude_suffixes_are_mentioned_written_out() -> None:
    assert mentioned("10B", "a model with 10 billion parameters")
    assert mentioned("1.5B", "the 1.5-billion-parameter model")
    assert not mentioned("10B", "a model with 110 billion parameters")


@pytest.mark.parametrize(
    ("question", "found"),
    [
        (
            "Between the paper arguing biomedical LMs should be pretrained from scratch and the"
            " one that up-samples a small medical corpus, which benchmarks does each use?",
            [
                "the paper arguing biomedical LMs should be pretrained from scratch",
                "the one that up-samples a small medical corpus",
            ],
        ),
        (
            "Three papers improve pretraining data: one trains a rater on 14 quality criteria,"
            " one scores text by its loss, and one writes cleaning programs. What does each gain?",
            [
                "one trains a rater on 14 quality criteria",
                "one scores text by its loss",
                "one writes cleaning programs",
            ],
        ),
        # "How do the A and the B compare ...?": two descriptions around "and"
        (
            "How do the LLM-based quality rater annotating a huge corpus and the"
            " loss-predictiveness data selector compare in their token budgets?",
            [
                "the LLM-based quality rater annotating a huge corpus",
                "the loss-predictiveness data selector",
            ],
        ),
        # after the asking words, before the words that take them together
        (
            "Both the study that pretrains 28 decoder-only models and the metadata-conditioning"
            " method touch on toxic outputs. What does each find?",
            [
                "the study that pretrains 28 decoder-only models",
                "the metadata-conditioning method touch on toxic outputs",
            ],
        ),
        (
            "What do the self-distillation further pre-training paper, the position-prediction"
            " pretraining paper and LOOK each propose?",
            [
                "the self-distillation further pre-training paper",
                "the position-prediction pretraining paper",
            ],
        ),
        # a short description that says it is one paper; "its follow-up"; a group clause ("Two
        # benchmarks ...") is no description
        (
            "What do the rewarming study and the stability-gap paper each suggest?",
            ["the rewarming study", "the stability-gap paper"],
        ),
        (
            "How do the original representative-words method and its bootstrapped follow-up differ?",
            ["the original representative-words method", "its bootstrapped follow-up"],
        ),
        (
            "Two benchmarks for pretrained models: the protein one and the biomedical NLP"
            " leaderboard one. What are they called?",
            ["the protein one", "the biomedical NLP leaderboard one"],
        ),
        # "claimed by the A and by the B"
        (
            "Compare the savings claimed by the fastText-based data selector and by the Data"
            " Manager that rates text on 14 quality criteria.",
            [
                "the fastText-based data selector",
                "the Data Manager that rates text on 14 quality criteria",
            ],
        ),
        # "Compare the A paper ... with the one that ...": the first is compared, not asked
        (
            "Compare the biomedical BERT paper that trains from scratch with the one that"
            " up-samples a small medical corpus. Which benchmarks does each report on?",
            [
                "the biomedical BERT paper that trains from scratch",
                "the one that up-samples a small medical corpus",
            ],
        ),
        # one paper, or the papers as a group, describe nothing to tell apart
        ("What does the paper on the stability gap recommend?", []),
        ("How do the legal NLP papers differ in their datasets?", []),
        # "the later one" / "the earlier one": places in the order the question set up
        (
            "Two papers design a pretraining task for ad-hoc search inspired by the query"
            " likelihood model. What does the later one change compared with the earlier one?",
            [],
        ),
        # an example after "e.g." describes no second paper
        ("Which toxicity classifier, e.g. Perspective API, did the Pretrainer's Guide use?", []),
        # "by X and by Y", with a gerund for each
        (
            "Compare the compute savings claimed by reusing a smaller trained model to initialise"
            " a larger BERT and by sparse pre-training followed by dense fine-tuning.",
            [
                "reusing a smaller trained model to initialise a larger BERT",
                "sparse pre-training followed by dense fine-tuning",
            ],
        ),
        # "Contrast how the A and the B ..."
        (
            "Contrast how the person-centric image-text pretraining work and the radiology image"
            " encoder view text supervision.",
            [
                "the person-centric image-text pretraining work",
                "the radiology image encoder view text supervision",
            ],
        ),
        # "one X, the other Y": a list inside Y is no third paper; "into four directions"
        # counts nothing of the papers
        (
            "Two review articles survey large pretrained models: one organises recent"
            " breakthroughs into four directions, the other spans text, image and graph data."
            " What does each cover?",
            [
                "one organises recent breakthroughs into four directions",
                "the other spans text, image and graph data",
            ],
        ),
        # a plural "models" ends a description as "model" does
        (
            "What training budgets did the models pretrained on the programming Q&A site and"
            " the pool of tokenizer-free single-language models report?",
            [
                "the models pretrained on the programming Q&A site",
                "the pool of tokenizer-free single-language models report",
            ],
        ),
        # "by the X, and by the Y" (a comma before the second "by"); "by X, compared with Y"
        (
            "How much pretraining compute is saved by the method that initializes a big BERT"
            " from a smaller trained one, and by the approach that pretrains sparsely and then"
            " fine-tunes densely?",
            [
                "the method that initializes a big BERT from a smaller trained one",
                "the approach that pretrains sparsely and then fine-tunes densely",
            ],
        ),
        (
            "How much pretraining compute is saved by growing a large BERT from a smaller"
            " pretrained one, compared with training a sparse GPT and densifying it?",
            [
                "growing a large BERT from a smaller pretrained one",
                "training a sparse GPT and densifying it",
            ],
        ),
        # "How large are the A and the B, and what does the latter score?": the asking words
        # go, and "the latter" is a place in that order, no third paper
        (
            "How large are the mixture-of-denoisers model and the knowledge-graph-enhanced"
            " Chinese/English model, and what does the latter score on SuperGLUE?",
            [
                "the mixture-of-denoisers model",
                "the knowledge-graph-enhanced Chinese/English model",
            ],
        ),
        # the paper an ask is about, after the asking words
        (
            "Which benchmarks are used to score the paper arguing for training biomedical"
            " language models from scratch and the paper that up-samples medical text?",
            [
                "the paper arguing for training biomedical language models from scratch",
                "the paper that up-samples medical text",
            ],
        ),
        # a shared head with one word each, three of them, or after "What models were ..."
        (
            "In the domain-pretraining studies for law and for biomedicine, how big is the"
            " new legal dataset?",
            [
                "the domain-pretraining studies for law",
                "the domain-pretraining studies for biomedicine",
            ],
        ),
        (
            "What downstream tasks are used to evaluate the domain-specific models for"
            " cybersecurity text, for web addresses and for StackOverflow posts?",
            [
                "the domain-specific models for cybersecurity text",
                "the domain-specific models for web addresses",
                "the domain-specific models for StackOverflow posts",
            ],
        ),
        (
            "What models were trained for the programming Q&A site domain and for the"
            " security-threat text domain, and how were they evaluated?",
            [
                "the models trained for the programming Q&A site domain",
                "the models trained for the security-threat text domain",
            ],
        ),
        # "up to what model size did the checkpoint study go": the asking words go
        (
            "How much training cost does the cross-domain mixture-ratio law need, and up to what"
            " model size did the checkpoint-capability study go?",
            ["the cross-domain mixture-ratio law need", "the checkpoint-capability study go"],
        ),
        # a preposition repeated before two definite descriptions; not for parts of one paper
        (
            "Which corpora appear in the (re)warming continual pretraining study and in the MeCo"
            " paper?",
            ["the re-warming continual pretraining study", "the MeCo paper"],
        ),
        ("What accuracy did it reach in the easy split and in the hard split?", []),
        # what is asked ("which is the bigger model") and places in an order ("the original
        # one", "the follow-up") describe no paper
        ("Between UL2 and ERNIE 3.0, which is the bigger model?", []),
        (
            "For the two representative-words methods, what IR model inspired the original one,"
            " and what model does the follow-up use?",
            [],
        ),
        # "the A and the B" where a clause starts with the first
        (
            "How do the metadata-conditioning pretraining method and the LLM-based data manager"
            " use extra information about documents?",
            [
                "the metadata-conditioning pretraining method",
                "the LLM-based data manager use extra information about documents",
            ],
        ),
        (
            "How many evaluation tasks did the StackOverflow-specific BERT models and the"
            " security-domain BERT each get tested on?",
            ["the StackOverflow-specific BERT models", "the security-domain BERT"],
        ),
        # "one ..., another ..."; an abbreviation in brackets breaks no description
        (
            "One paper looks at the performance drop at the start of continual pretraining and"
            " another fits a scaling law for the data mix. What does each find?",
            [
                "One paper looks at the performance drop at the start of continual pretraining",
                "another fits a scaling law for the data mix",
            ],
        ),
        (
            "What do the multi-perspective course learning (MCL) paper and the structural"
            " self-supervised objectives thesis propose?",
            [
                "the multi-perspective course learning MCL paper",
                "the structural self-supervised objectives thesis",
            ],
        ),
        # the pair after a heading preposition; "across how many ... the latter" is an ask
        (
            "For the open-source 7B vision-language-action model and the value-guided steering"
            " method for generalist robot policies: how many robot demonstrations was the former"
            " trained on, and across how many tasks was the latter evaluated?",
            [
                "the open-source 7B vision-language-action model",
                "the value-guided steering method for generalist robot policies",
            ],
        ),
        # a heading before the colon that lists a name and a description
        (
            "Metadata conditioning with URLs and the pretrainer's guide to training data: what does"
            " each report?",
            ["Metadata conditioning with URLs", "the pretrainer's guide to training data"],
        ),
        # "comparing the A with the B"
        (
            "I'm comparing the StackOverflow-specific BERT models with the cybersecurity BERT."
            " How many parameters do the SO models have?",
            ["the StackOverflow-specific BERT models", "the cybersecurity BERT"],
        ),
        # asks of a paper by its place are no descriptions; "using ..." goes on describing the
        # paper before it; a description's own "them" takes no papers together
        (
            "Three robot-learning works: a system that keeps fine-tuning a policy without anyone"
            " resetting the scene, using a vision-language model as the reward detector; one"
            " where people talk to the robot to fix its mistakes; and one that ranks sim-trained"
            " policies before running them on hardware. How many hours did the first need, what"
            " feedback does the second learn from, and what is the budget in the third?",
            [
                "a system that keeps fine-tuning a policy without anyone resetting the scene"
                " using a vision-language model as the reward detector",
                "one where people talk to the robot to fix its mistakes",
                "one that ranks sim-trained policies before running them on hardware",
            ],
        ),
        # "There's a paper ..., and another ..."
        (
            "There's a paper showing a transformer can solve bandit problems with no weight"
            " updates, and another about how task diversity decides in-context learning. What"
            " does each find?",
            [
                "a paper showing a transformer can solve bandit problems with no weight updates",
                "another about how task diversity decides in-context learning",
            ],
        ),
        # "between those rules and its own answers", "with no ranked comparisons" name no paper;
        # "to a new, unlabeled kind of data" goes on after its comma
        (
            "For the work that feeds reward-model scores into pretraining, and the one that"
            " maximises a dependence quantity between those rules and its own answers, with no"
            " ranked comparisons: what does each report?",
            [
                "the work that feeds reward-model scores into pretraining",
                "the one that maximises a dependence quantity",
            ],
        ),
        (
            "One paper mixes the templates into extra self-supervised training; another asks"
            " whether extra training helps when moving a text generator to a new, unlabeled kind"
            " of data. What does each find?",
            [
                "One paper mixes the templates into extra self-supervised training",
                "another asks whether extra training helps when moving a text generator to a new,"
                " unlabeled kind of data",
            ],
        ),
        # a list of three "-ing" items: "using ..." is the second item, not more of the first
        (
            "Three ways to make pretraining cheaper: growing a small trained BERT into a large"
            " one, using a small LM to give soft labels, and training sparse first then dense."
            " What savings do they report?",
            [
                "growing a small trained BERT into a large one",
                "using a small LM to give soft labels",
                "training sparse first then dense",
            ],
        ),
        # "first ..., then ...": the order, no part of a description; "its follow-up" is one;
        # "from a classic unigram document model" is what the paper samples from, no paper
        (
            "Two big general-purpose text models: first the one that mixes several denoising"
            " objectives, then the knowledge-enhanced one trained on a 4TB corpus.",
            [
                "the one that mixes several denoising objectives",
                "the knowledge-enhanced one trained on a 4TB corpus",
            ],
        ),
        (
            "I'm comparing two search-engine pretraining papers: first, the one that samples word"
            " sets from a classic unigram document model; second, its follow-up that uses BERT"
            " to choose the words.",
            [
                "the one that samples word sets from a classic unigram document model",
                "its follow-up that uses BERT to choose the words",
            ],
        ),
        # a book and a review are papers; "along how many directions ..." asks
        (
            "There's an open-access book on foundation models for NLP and a review that traces"
            " the history of pretraining. Along how many directions does the review organise"
            " recent breakthroughs?",
            [
                "There's an open-access book on foundation models for NLP",
                "a review that traces the history of pretraining",
            ],
        ),
    ],
)
def test_descriptions_of_several_papers(question: str, found: list[str]) -> None:
    assert descriptions(question) == found


def test_an_ask_refers_to_a_description_by_its_word_or_its_heading() -> None:
    """ "The protein embedding benchmark and the nearest-mean baseline: how many tasks does the
    benchmark contain": "the benchmark" is the first description's paper, no third description;
    "First, the A: ...? Second, the B: ...?": each ask is of the description before its colon."""
    q = (
        "The protein embedding benchmark and the simple nearest-mean baseline: how many tasks"
        " does the benchmark contain, and what accuracy did the baseline reach?"
    )
    assert descriptions(q) == [
        "The protein embedding benchmark",
        "the simple nearest-mean baseline",
    ]
    first, second = question_parts(q)
    assert referred_description(first, q) == "The protein embedding benchmark"
    assert referred_description(second, q) == "the simple nearest-mean baseline"
    q2 = (
        "First, the domain-adapted language model for security text: on how many tasks was it"
        " compared? Second, the adversarial pretrained model for web addresses: which task is"
        " among its evaluations?"
    )
    part = "Second, the adversarial pretrained model for web addresses: which task is among its"
    assert referred_description(part + " evaluations?", q2) == (
        "the adversarial pretrained model for web addresses"
    )
    # a description inside the ask itself is its own subject, no reference to another
    q3 = "Which datasets did the medical QA paper use, and how many sets did the small model use?"
    assert referred_description(question_parts(q3)[-1], q3) == ""


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("How do the two ad-hoc retrieval pretraining methods differ in sampling?", 2),
        ("What do Learning-to-Modulate and the nearest-mean-classifier baseline paper report?", 2),
        ("What do the BLURB paper and the Maltese one conclude?", 2),
        (
            "What gains do the 'program the data' approach and the data selection approach report?",
            2,
        ),
        ("How do bert2BERT and the work on leveraging small LMs cut training cost?", 2),
        ("How do the two variants of SOBert differ?", 0),  # one paper's two models
        ("A couple of papers pretrain retrievers on word sets. What does each do?", 2),
        ("Is there a pair of works that reuse a smaller model?", 2),
        ("What does the stability gap paper and its method report?", 0),
    ],
)
def test_how_many_papers_a_question_describes(question: str, count: int) -> None:
    assert papers_described(question) == count


@pytest.mark.parametrize(
    ("question", "what"),
    [
        ("How do the two biomedical BERT papers differ?", "biomedical BERT"),
        ("Two ad-hoc retrieval pretraining papers build a task.", "ad-hoc retrieval pretraining"),
        ("A couple of papers pretrain retrievers on word sets.", ""),
        ("What do a pair of robot works report?", "robot"),
        # described further on ("works that reuse ..."): the count's words are not all
        ("Is there a pair of robot works that reuse a smaller model?", ""),
        ("Two continual-pretraining papers mention SlimPajama: the rewarming study and ...", ""),
        # (but after the colon, one description each says what they are too)
        (
            "Two continual-pretraining studies: one about re-warming, the other about a dip."
            " Which model did each use?",
            "continual-pretraining",
        ),
        ("What do the BLURB paper and the Maltese one conclude?", ""),
    ],
)
def test_what_papers_described_together_are(question: str, what: str) -> None:
    from rag.questions import described_together

    assert described_together(question) == what


def test_capitalised_common_words_are_no_names() -> None:
    assert entities("What F1 does a BiLSTM get on the US case-law dataset?") == ["F1", "BiLSTM"]


def test_a_dataset_is_named_by_the_experiments_and_corpora_by_the_sources() -> None:
    q = "Which image dataset was used to test the SVD-style learngene method?"
    assert fills(answer_slot(q), "We conduct experiments on ImageNet-1K and compare KIND.", q)
    q2 = "Which pretraining corpora does MeCo experiment with?"
    s = "MeCo accelerates pre-training across training sources (C4, RefinedWeb, and DCLM)."
    assert fills(answer_slot(q2), s, q2)
    assert not fills(answer_slot(q2), "MeCo conditions on metadata such as URLs.", q2)


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("How many single-language, tokenizer-free models were released?", "models"),
        ("How many parameters, roughly, does it have?", "parameters"),
        ("What is URLBERT's inference latency per URL?", "inference latency"),
        ("How many tasks, and which ones?", "tasks"),
    ],
)
def test_the_counted_noun_after_a_list_of_adjectives(question: str, head: str) -> None:
    assert answer_slot(question).head == head


def test_every_word_of_a_sized_thing_counts() -> None:
    q = "How big was the text collection for the former?"
    s = "We collected a huge dataset encompassing 3.36 million text entries."
    assert fills(answer_slot(q), s, q)
    assert not fills(answer_slot(q), "We collected posts from social media platforms.", q)


def test_an_institution_is_asked_by_name() -> None:
    q = "Which hospital's chest X-rays were used to pretrain RAD-DINO?"
    assert answer_slot(q).kind == "name"
    assert not fills(answer_slot(q), "RAD-DINO is pre-trained solely on biomedical images.", q)


def test_a_game_is_named_by_who_plays_it() -> None:
    q = "Which video game's gameplay footage was pseudo-labelled with an inverse dynamics model?"
    slot = answer_slot(q)
    assert fills(slot, "We label online videos of people playing Minecraft with a model.", q)
    assert not fills(slot, "Video games lack action labels, so we infer them.", q)


def test_a_detail_word_that_describes_a_paper_is_not_the_asked_detail() -> None:
    assert not answer_slot(
        "What do the learning-rate re-warming study and the stability-gap paper each recommend?"
    ).checked
    assert answer_slot("Which learning rate did B-PROP use?").kind == "detail"


def test_a_percentage_another_metric_owns_does_not_fill_the_asked_one() -> None:
    q = "What inter-annotator agreement is reported for the CaseHOLD questions?"
    slot = answer_slot(q)
    assert not fills(slot, "It gains 7.2% on F1 with CaseHOLD, a 12% improvement on BERT.", q)
    assert fills(slot, "Annotators reached 86% agreement on the CaseHOLD questions.", q)
    q2 = "What accuracy does the model reach?"
    assert fills(answer_slot(q2), "The model reaches 85.1% on ImageNet.", q2)


def test_the_counted_noun_and_a_hyphenated_metric() -> None:
    # "seed" is no participle: the counted noun runs on to "set"
    assert "set" in answer_slot("How large was the starting seed set for the model?").terms
    q = "What average medical-task score did the model reach?"
    assert fills(answer_slot(q), "It improves the average medical task score to 40.7%.", q)


def test_a_counted_thing_the_paper_words_differently_is_any_number() -> None:
    text = "It improves on a new task with 3 hours of autonomous real-world experience."
    q = "How much unattended real-world practice did the system need?"
    slot = unworded(answer_slot(q), text)
    assert not slot.terms and fills(slot, text, q)
    assert not fills(answer_slot(q), text, q)  # strict: "practice" is nowhere near the 3
    # training details, hardware and metrics stay strict: an abstract that does not name them
    # does not state them
    for q2 in (
        "How many GPUs were used to train it?",
        "How many TPU chips did pretraining take?",
        "What accuracy does it reach on secondary structure prediction?",
        "What vocabulary size does its tokenizer have?",  # a metric, not a counted thing
    ):
        assert unworded(answer_slot(q2), text) == answer_slot(q2)
    assert answer_slot("How many items are in it?").counted
    assert not answer_slot("What vocabulary size does its tokenizer have?").counted
    assert answer_slot("What vocabulary size does its tokenizer have?").terms == ("vocabulari",)
    # a word the paper uses stays the word to find
    q3 = "How many hours of experience did it need?"
    assert unworded(answer_slot(q3), text) == answer_slot(q3)


@pytest.mark.parametrize(
    "q",
    [
        "How many gigabytes of text was AfroLM pretrained on?",
        "How many words are in the new Maltese corpus?",
        "How many triples are in the knowledge graph ERNIE 3.0 was trained with?",
        "How many tree-search rollouts per decision did the web agent use?",
        "How many human coders annotated the claims?",
        "How many word pieces are in the custom legal vocabulary?",
    ],
)
def test_a_unit_the_paper_never_names_is_not_any_number(q: str) -> None:
    """Units of data and of procedure stay strict: "14x smaller" is no number of gigabytes, and
    "10 billion parameters" no number of triples."""
    text = "Pretrained on a dataset 14x smaller, with 10 billion parameters and 8,000 instances."
    slot = unworded(answer_slot(q), text)
    assert slot == answer_slot(q) and slot.terms
    assert not fills(slot, text, q)


def test_a_name_used_to_liken_is_not_asked_for() -> None:
    q = "The agent that learned from YouTube-style game footage: how long does a human take?"
    assert likened(q, "YouTube")
    assert not likened("Which papers train on YouTube videos?", "YouTube")


def test_a_cost_is_filled_by_a_budget() -> None:
    """ "What did it cost to train?" is answered by "at a budget of just 187 and 800 each"; a
    sentence with a number but no word of money does not answer it."""
    q = "What did it cost to train the smaller one?"
    slot = answer_slot(q)
    assert slot.kind == "quantity"
    assert fills(slot, "SOBertBase, with 109M parameters, at a budget of just 187 each.", q)
    assert not fills(slot, "SOBertBase has 109M parameters.", q)


def test_a_model_described_in_rare_words_answers_what_model() -> None:
    """ "What model did they train ...?" is answered by "we can train an inverse dynamics model"
    ("inverse" is in one abstract), not by "a pretrained language model" (words of every one)."""
    q = "What model did they train on the small labeled set to pseudo-label the videos?"
    slot = answer_slot(q)
    rare = {"invers": 4.0, "dynam": 2.4}

    def idf(t: str) -> float:
        return rare.get(t, 1.0)

    assert fills(
        slot, "We can train an inverse dynamics model accurate enough to label data.", q, idf
    )
    assert not fills(slot, "We fine-tune a pretrained language model on the videos.", q, idf)


def test_one_task_described_in_rare_words_answers_what_task() -> None:
    """ "What task did they evaluate it on?" is answered by "in a robotic grasping task" (a task
    is described far more often than named); "what tasks" wants a list a sentence names."""
    q = "What task did they evaluate it on?"
    slot = answer_slot(q)
    rare = {"grasp": 5.0, "robot": 2.0}

    def idf(t: str) -> float:
        return rare.get(t, 1.0)

    grasp = "We evaluate it on sim2real transfer in a robotic grasping task with image inputs."
    assert fills(slot, grasp, q, idf)
    assert not fills(slot, "This is a unit test to evaluate policies before deployment.", q, idf)
    assert not fills(slot, "We show gains on the downstream task.", q, idf)
    assert not fills(answer_slot("What tasks did they evaluate it on?"), grasp, q, idf)


def test_benchmarks_described_in_rare_words_answer_at_the_gate_only() -> None:
    """ "What benchmarks does it evaluate on?" is answered, for the abstention gate, by "our
    experiments on simulated robotic locomotion and manipulation benchmarks" (rare words) but not
    by "on several standard benchmarks"; choosing sentences, only a name fills it (so "our BLURB
    benchmark" is quoted before "we compile a comprehensive biomedical NLP benchmark")."""
    q = "What benchmarks does the third one evaluate on?"
    slot = answer_slot(q)
    rare = {"locomot": 5.0, "manipul": 3.5, "robot": 2.0, "simul": 2.5}

    def idf(t: str) -> float:
        return rare.get(t, 1.0)

    described = "Through experiments on simulated robotic locomotion and manipulation benchmarks."
    assert fills(slot, described, q, idf, described=True)
    assert not fills(slot, described, q, idf)
    assert not fills(slot, "We evaluate on several standard benchmarks.", q, idf, described=True)


def test_what_is_x_called_asks_for_a_name_not_a_number() -> None:
    """ "What's their score called?" asks for the score's name (VSDR), not a score's value."""
    assert answer_slot("What's their score called and which task did they test it on?").kind == (
        "name"
    )
    assert answer_slot("What score does it reach on SuperGLUE?").kind == "quantity"


def test_a_capitalised_word_with_an_acronym_part_is_a_name() -> None:
    """ "Megatron-LM", "Flan-UL2" are names (rule 1 and the subject of rule 4 see them); a
    title-cased compound ("Self-Supervised") is not."""
    found = entities(
        "Two encoders trained with Megatron-LM; Flan-UL2; Self-Supervised Pre-Training"
    )
    assert {"Megatron-LM", "Flan-UL2"} <= set(found)
    assert not {"Self-Supervised", "Pre-Training"} & set(found)


def test_a_rate_is_filled_only_next_to_its_unit() -> None:
    """ "How many MCTS expansions per step?" of a paper that never says "expansions": not any
    number it gives (as "how many items" would be), only one next to "step"."""
    q = "In Agent Q, how many MCTS expansions per step were used during search?"
    slot = unworded(answer_slot(q), "Agent Q combines guided MCTS with 8,000 instances.")
    assert slot.units == ("step",)
    assert not fills(slot, "Starting with around 8,000 instances, we run MCTS.", q)
    assert fills(slot, "We run 32 expansions per step.", q)


def test_what_fraction_of_x_asks_for_the_share() -> None:
    """ "with what fraction of the budget" asks for a share ("40% of the original training
    budget"), not the budget's size."""
    slot = answer_slot("What did it do to the medical score, and with what fraction of the budget?")
    assert slot.head == "fraction" and "%" in slot.terms
    assert fills(slot, "It improves from 36.2% to 40.7% with only 40% of the budget.", "x")


def test_a_training_detail_asked_second_in_a_pair_is_still_asked() -> None:
    """ "What DPO beta and learning rate did Agent Q use?": the learning rate is asked (an
    abstract that never says it cannot answer)."""
    slot = answer_slot("What DPO beta and learning rate did Agent Q use for fine-tuning?")
    assert (slot.kind, slot.head) == ("detail", "learning rate")
    assert answer_slot("What context size and batch size did they use?").head == "batch size"


def test_a_compute_budget_is_filled_by_a_cost() -> None:
    """ "What compute budget ...?" is answered by "at a budget of just $187" as by "a large
    compute budget (equivalent to 420 days on a V100)"."""
    q = "What compute budget was used to train the models?"
    slot = answer_slot(q)
    assert fills(slot, "We train two models at a budget of just $187 and $800 each.", q)
    assert fills(slot, "Trained with a large compute budget (equivalent to 420 days).", q)


def test_a_name_after_the_asked_verb_answers_which_benchmark() -> None:
    """ "Which benchmark is it validated on?": "Empirical validation on the Mujoco ..." names
    it right after the question's own verb (as a noun) and preposition; a name elsewhere in
    the sentence does not."""
    q = "and which benchmark is it validated on?"
    slot = answer_slot(q)
    assert fills(slot, "Empirical validation on the Mujoco corroborates our approach.", q)
    assert not fills(slot, "Unlike PPO, our validation is broad and shows robustness.", q)


def test_a_name_right_after_the_asked_passive_verb_answers() -> None:
    """ "Which two LLMs were reproduced ...?": "we've reproduced Amber and OpenLLaMA" names
    them as the verb's object, though no "LLM" stands next to them."""
    q = "Which two LLMs were reproduced with their intermediate checkpoints released?"
    slot = answer_slot(q)
    assert fills(slot, "Besides, we've reproduced Amber and OpenLLaMA, releasing checkpoints.", q)
    assert not fills(slot, "We reproduce results, and Amber and OpenLLaMA are strong.", q)


def test_a_capitalised_kind_is_a_name_of_that_kind() -> None:
    """ "Which architecture overfits ...?": "a Vision Transformer is vulnerable" names it,
    though "Vision" and "Transformer" are common words (no word of it rare enough for a name);
    the kind in lower case names nothing."""
    from rag.questions import _named_kind

    q = "Which architecture turned out to overfit during further pretraining?"
    slot = answer_slot(q)
    assert fills(slot, "We find that a Vision Transformer is vulnerable to overfitting.", q)
    assert not fills(slot, "We find that the vision transformer is vulnerable to overfitting.", q)
    assert _named_kind("We find that a Vision Transformer is vulnerable.", slot.terms, q)
    assert not _named_kind("Many Large Language Models are trained on the web.", slot.terms, q)


def test_what_the_x_is_verbed_on_is_no_name_asked() -> None:
    """ "... differ in what the policy is conditioned on": an embedded clause, not "which
    policy"."""
    q = "How do DoC and DPT differ in what the policy is conditioned on?"
    assert answer_slot(q).kind == "open"
    assert answer_slot("Which policy does it fine-tune?").kind == "name"


def test_a_number_led_benchmark_name_is_one_name() -> None:
    """ "10-Split-CIFAR-100" is one name (not the number 10, which other papers also give)."""
    assert entities("What accuracy does it reach on 10-Split-CIFAR-100?") == ["10-Split-CIFAR-100"]


def test_a_lower_case_name_with_a_capital_inside_fills_a_name_slot() -> None:
    """ "What kind of classifier is it built on?": "a fastText-based scorer" gives the name
    ("fastText", a tool's name with one capital inside) and a scorer is a classifier. Read as a
    name of the question too, "fastText-based selector" made multi-paper questions abstain."""
    q = "The data-selection approach only needs a tiny scorer. What kind of classifier is it?"
    slot = answer_slot(q)
    assert fills(slot, "It requires deploying only a fastText-based scorer.", q)
    assert not fills(slot, "It requires deploying only a lightweight scorer.", q)
    assert entities("the fastText-based selector") == []


def test_a_count_in_a_word_the_paper_never_uses_is_not_its_own_points() -> None:
    """ "how many German news articles were annotated?": the paper never says "articles", so any
    number of it may answer, but not "three characteristics" or "in three experiments" (what
    the abstract counts of its own text); "as few as two trajectories" answers "how few
    demonstrations"."""
    q = "How many German news articles were annotated in the arms-deliveries study?"
    slot = unworded(answer_slot(q), "a study of claims in the German news debate")
    assert not fills(slot, "However, three characteristics so far impeded its adoption.", q)
    assert not fills(slot, "In three experiments, we evaluate preprocessing strategies.", q)
    assert fills(slot, "We annotate 1,200 news items.", q)
    q = "How few offline demonstrations were enough to make the difference?"
    slot = unworded(answer_slot(q), "offline trajectories")
    assert fills(slot, "Pre-training from as few as two trajectories makes the difference.", q)


def test_a_size_asked_of_a_papers_own_thing_is_counted_in_its_units() -> None:
    """ "how big is MedS^3's seed dataset": a dataset's size is counted in instances, entries,
    records ("a seed dataset of around 8,000 instances"), as for "the seed dataset"."""
    slot = answer_slot("How big is MedS^3's seed dataset?")
    assert "instanc" in slot.terms and "dataset" in slot.terms, slot


def test_the_slot_is_read_from_the_sentence_that_asks() -> None:
    """A sentence that only describes a paper ("another varies how many regression problems a
    transformer sees") asks for no number: the sentence ending in "?" says what is asked."""
    q = (
        "One paper shows a transformer pretrained to predict optimal actions can do RL in"
        " context; another varies how many different regression problems a transformer sees."
        " What known algorithm does each model end up behaving like?"
    )
    assert asked_sentence(q).startswith("What known algorithm")
    assert answer_slot(q).head == "relation"  # (not "algorithm", a number or a name)
    # the whole question when it asks in more than one sentence, or in none
    assert answer_slot("How many GPUs? And how many days?").head == "GPUs"
    assert asked_sentence("List the GPU counts. Thanks.") == "List the GPU counts. Thanks."
    # an abbreviation ends no sentence
    q2 = "On which robot was the system that learns from human video (e.g. Ego4D) evaluated?"
    assert asked_sentence(q2) == q2
    # a paper is asked for, not a number, when it "proposes a score"
    assert not answer_slot("Which paper proposes a score for ranking sim-trained policies?").checked
    assert answer_slot("What score does it reach?").kind == "quantity"


def test_definite_descriptions_and_a_shared_head() -> None:
    """Two definite descriptions ask about two papers; a plural head shared by two phrases that
    repeat its preposition is one description each."""
    from rag.questions import describes_several

    assert describes_several(
        "What did the simple nearest-class-mean baseline score, and how did the work on"
        " modulating frozen RL models fare?"
    )
    assert not describes_several("What did the nearest-class-mean baseline score?")
    # a name stands for its paper as a definite description does
    assert describes_several(
        "What problems do Dichotomy of Control and the non-dominated policies approach to robust"
        " RL address, and where are they tested?"
    )
    assert descriptions(
        "What tasks are the pretrained models built for cybersecurity text and for web"
        " addresses evaluated on?"
    ) == [
        "the pretrained models built for cybersecurity text",
        "the pretrained models built for web addresses evaluated on",
    ]
    # one paper's two sources are no two papers: the head is singular
    assert not descriptions("What did the model trained on Wikipedia and on books report?")
    assert (
        len(
            descriptions(
                "How do the reset-free robot fine-tuning system and the semi-supervised"
                " language-instruction interface each cut down on human effort?"
            )
        )
        == 2
    )


def test_a_collection_is_sized_in_its_entries_a_vocabulary_is_not() -> None:
    """ "How big is the corpus": "3.36 million text entries" sizes it; "how large is the
    tokenizer vocabulary" is not answered by the corpus's entries."""
    entries = (
        "We create a comprehensive database encompassing 3.36 million text entries from Chinese"
        " social media."
    )
    assert fills(answer_slot("How big is the corpus behind Chinese MentalBERT?"), entries, "")
    vocab = "How large is the tokenizer vocabulary of Chinese MentalBERT?"
    assert not fills(answer_slot(vocab), entries, vocab)


def test_how_big_a_gain_is_the_size_of_a_change() -> None:
    """ "how big were the gains": a change, stated as one ("improve ... by 3.6%"), though no
    size word is next to it."""
    q = "How big were the gains with a small versus a large manually labelled set?"
    slot = answer_slot(q)
    assert slot.change
    assert fills(slot, "Our method improves the performance by 3.6% on the small set.", q)
    assert not answer_slot("How big is the corpus behind Chinese MentalBERT?").change


def test_an_alternative_head_is_asked_for_too() -> None:
    """ "how much real-world data or time": a number of hours answers as well as an amount of
    data; "time" is measured in hours or days."""
    q = "How much real-world data or time does each need?"
    slot = answer_slot(q)
    assert {"data", "time", "hour"} <= set(slot.terms)
    hours = "It improves on a target task within as little as 3 hours of autonomous experience."
    assert fills(slot, hours, q)
    assert answer_slot("How many GPUs or TPUs were used?").terms == ("gpu", "tpu")
    assert answer_slot("How many GPUs were used?").terms == ("gpu",)


def test_what_objective_did_it_propose_prefers_a_named_one() -> None:
    """ "what pretraining objective did X propose": a sentence that names one ("Mixture-of-
    Denoisers (MoD), a pre-training objective") is preferred, and none is no reason to abstain."""
    slot = answer_slot("What pretraining objective did the UL2 paper propose?")
    assert slot.kind == "name" and slot.soft and slot.terms == ("object",)
    assert answer_slot("What is the objective of this work?").kind == "open"


def test_two_descriptions_before_the_asked_verb() -> None:
    """ "What strategies do the stability-gap paper and the rewarming study recommend ...": the
    second description ends at its paper noun, not with the question's verb and object."""
    q = (
        "What strategies do the stability-gap paper and the rewarming study recommend for"
        " continual pretraining of LLMs?"
    )
    assert descriptions(q) == ["the stability-gap paper", "the rewarming study"]
    # a relative clause or a participle is part of the description
    assert descriptions("What do the paper on legal text and the work that uses URLs find?") != [
        "the paper on legal text",
        "the work",
    ]


def test_a_heading_that_speaks_of_the_papers_as_a_group() -> None:
    from rag.questions import group_heading

    q = "Two papers on lower-resource languages: first AfroLM, second the Maltese BERT paper."
    assert q[group_heading(q) :].strip().startswith("first AfroLM")
    assert group_heading("For the rewarming study: what model was used?") == 0


def test_a_first_sentence_says_what_the_counted_papers_do() -> None:
    """ "Two decision-making papers learn from videos that have no action labels. How does each
    ...?": the sentence after the count describes the two papers as well as its modifier."""
    from rag.questions import described_together

    q = (
        "Two decision-making papers learn from online videos that have no action labels. How"
        " does each get around the missing actions?"
    )
    assert described_together(q) == (
        "decision-making learn from online videos that have no action labels"
    )
    assert (
        described_together("What do the two ad-hoc retrieval papers propose?") == "ad-hoc retrieval"
    )


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # the do-question's own verb, with its object named right after it in the sentence
        (
            "Which two open LLMs did the checkpoint study reproduce and release checkpoints for?",
            "In addition to our core findings, we've reproduced Amber and OpenLLaMA, releasing"
            " their intermediate checkpoints.",
        ),
        # ... also after a subject with an "and" of its own (not "checkpoints" as the verb)
        (
            "Which open models did the study of intermediate pretraining checkpoints and"
            " downstream capability dynamics reproduce and release checkpoints for?",
            "In addition to our core findings, we've reproduced Amber and OpenLLaMA, releasing"
            " their intermediate checkpoints.",
        ),
        # "test" asks where it was evaluated: "validation on the Mujoco"
        (
            "Which simulator was used to test the defence method?",
            "Empirical validation on the Mujoco corroborates the superiority of our approach.",
        ),
        # a web site's name is a name, the object of the question's "when prepended"
        (
            "Which made-up website, when prepended to the prompt, improved performance?",
            "For instance, prepending wikipedia.org to reduce harmful generations or"
            " factquizmaster.com (fictional) to improve common knowledge task performance.",
        ),
    ],
)
def test_a_name_right_after_the_questions_own_verb_fills_the_slot(
    question: str, sentence: str
) -> None:
    assert fills(answer_slot(question), sentence, question)
    # the same sentence without the name does not
    assert not fills(answer_slot(question), "We study this problem in depth.", question)


def test_an_ask_after_and_with_a_preposition_is_a_part_of_its_own() -> None:
    q = (
        "By how much did OpenVLA beat RT-2-X in absolute success rate, and over how many tasks"
        " did V-GPS show its improvements?"
    )
    assert question_parts(q) == [
        "By how much did OpenVLA beat RT-2-X in absolute success rate",
        "over how many tasks did V-GPS show its improvements",
    ]


def test_a_plural_the_question_said_before_is_the_group_not_a_paper() -> None:
    """ "Two papers use small language models ...: one as a source of soft labels, one to
    rewrite the corpus .... How big are the small models?": "the small models" was read as a
    third description and quoted the Maltese corpus paper ("a smaller corpus")."""
    q = (
        "Two papers use small language models to help pretrain better large ones: one as a"
        " source of soft labels, one to rewrite the corpus example by example. How big are the"
        " small models?"
    )
    assert descriptions(q) == [
        "one as a source of soft labels",
        "one to rewrite the corpus example by example",
    ]
    # a plural with words of its own is a description still
    assert descriptions(
        "What do the Hilbert-representation foundation policies and the reward-free pretraining"
        " of GFlowNets each do?"
    ) == [
        "the Hilbert-representation foundation policies",
        "the reward-free pretraining of GFlowNets",
    ]


def _fills(question: str, sentence: str) -> bool:
    return fills(answer_slot(question), sentence, question)


def test_a_benchmark_is_sized_in_its_questions_and_tasks() -> None:
    """ "How big is the benchmark?" (CaseHOLD: "53,000+ multiple choice questions") and "which
    introduced a new dataset, and how large is it?" abstained for want of parameters, tokens or
    documents: a benchmark is a data collection, counted in its questions, tasks or pairs, and
    "it" after a dataset is that dataset."""
    s = "We present CaseHOLD, a new dataset comprised of over 53,000+ multiple choice questions."
    for q in (
        "How big is the benchmark?",
        "Which of the two introduced a new dataset, and how large is it?",
    ):
        assert _fills(q, s), q
    # a model is sized as before
    q = "How large is the model?"
    assert not _fills(q, s)


def test_acronyms_that_are_not_initials_are_mentioned_by_their_words() -> None:
    """ "... further pretraining of a ViT with a teacher-student scheme" abstained: "none of them
    mentions ViT", where the abstract says "Vision Transformer"."""
    assert mentioned("ViT", "we find that a vision transformer is vulnerable to overfitting")
    assert mentioned("LoRA", "fine-tuned with low-rank adaptation")
    assert not mentioned("ViT", "a transformer for vision-language tasks")


def test_values_of_a_named_quantity_ask_for_numbers() -> None:
    """ "What are the fitted exponent values in the D-CPT Law?" quoted the law's description:
    values of an exponent are numbers, which a sentence naming the exponent must give; human
    values and value functions are no numbers."""
    q = "What are the fitted exponent values in the D-CPT Law?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and slot.terms == ("expon",), slot
    assert not fills(slot, "By fitting the D-CPT Law, we can predict performance.", q)
    assert fills(slot, "The fitted exponent is 0.34 for the general corpus.", q)
    assert answer_slot("What are the human values they align to?").kind == "open"
    assert answer_slot("What is the value function used for?").kind == "open"


def test_an_order_of_magnitude_is_no_exact_count() -> None:
    """ "Exactly how many URLs were in the corpus used to train URLBERT's tokenizer?" quoted "a
    corpus of billions of URLs": asked for the exact figure, an order of magnitude does not
    give it; asked "how many", it still answers."""
    billions = "We first train a URL tokenizer on a corpus of billions of URLs."
    assert not _fills("Exactly how many URLs were in the tokenizer's corpus?", billions)
    assert _fills("How many URLs were in the tokenizer's corpus?", billions)
    assert _fills("Exactly how many text entries?", "a database of 3.36 million text entries")


def test_an_absolute_score_is_no_change_of_it() -> None:
    """ "What absolute FID score did KIND reach on DiT-L/2?" quoted "more than 6.54 and 1.07
    decrease in FID and sFID": a change of the score, not the score; "by how much did FID
    drop" is still answered by it."""
    change = "KIND achieves more than 6.54 and 1.07 decrease in FID and sFID on DiT-L/2."
    expected = {
        ("What absolute FID score did KIND reach on DiT-L/2?", change): False,
        ("By how much did KIND reduce FID on DiT-L/2?", change): True,
        ("What absolute gain did it report?", "an absolute gain of 16.5% in success"): True,
    }
    assert {pair: _fills(*pair) for pair in expected} == expected


def test_a_count_measured_long_counts_its_noun() -> None:
    """ "How many tokens long is the cooldown phase ...?" counted "long" (quoting the rewarming
    study's "300B tokens" as an answer of another paper); the counted thing is tokens."""
    slot = answer_slot("How many tokens long is the cooldown phase in the pretraining method?")
    assert slot.head == "tokens" and slot.terms == ("token",), slot
    assert answer_slot("How many large models were trained?").head == "models"


def test_a_paper_the_reader_recalls_and_another_are_two_descriptions() -> None:
    """ "I recall a paper that bakes human preference scores into language-model pre-training
    and another that teaches a model to follow written principles ... Which objective did the
    first find best, and what win rate ... did the second report?" found no descriptions (only
    "There's a paper ..., and another ..." was read so) and was answered from one paper."""
    q = (
        "I recall a paper that bakes human preference scores into language-model pre-training"
        " and another that teaches a model to follow written principles without any preference"
        " labels. Which objective did the first find best?"
    )
    assert descriptions(q) == [
        "a paper that bakes human preference scores into language-model pre-training",
        "another that teaches a model to follow written principles without any preference labels",
    ]


def test_evaluation_sets_are_counted_in_datasets() -> None:
    """ "How many evaluation sets did the small clinical reasoning model use?" abstained beside
    MedS^3's "eleven evaluation datasets": a reader's "sets" are the abstracts' datasets."""
    q = "How many evaluation sets did the small clinical reasoning model use?"
    assert _fills(q, "Evaluated on eleven evaluation datasets, it outperforms prior models.")
    assert not _fills(q, "It is evaluated on eleven tasks.")


def test_a_quoted_titles_question_mark_splits_no_description() -> None:
    """ "What do the 'Don't Stop Pretraining?' prompt-based paper and the study of continued
    pretraining for ... conclude?" was split at the title's "?" into three pieces, and the
    second paper was never sought."""
    from rag.questions import describes_several

    q = (
        "What do the 'Don't Stop Pretraining?' prompt-based paper and the study of continued"
        " pretraining for generative unsupervised domain adaptation conclude?"
    )
    got = descriptions(q)
    assert len(got) == 2 and "prompt-based paper" in got[0], got
    assert got[1].startswith("the study of continued pretraining")
    assert describes_several(q)
    # the whole title quoted is a name of its paper, as a definite description is
    whole = q.replace(
        "the 'Don't Stop Pretraining?' prompt-based paper",
        ("'Don't Stop Pretraining? Make Prompt-based Fine-tuning Powerful Learner'"),
    )
    assert len(descriptions(whole)) == 2 and describes_several(whole)


def test_the_names_of_tasks_are_asked_for_by_name() -> None:
    """ "What are the names of the five protein biology tasks in TAPE?" quoted TAPE's "a set of
    five biologically relevant ... tasks": tasks are as often described as named (a soft slot),
    but asked for by their names they are names."""
    q = "What are the names of the five protein biology tasks in TAPE?"
    slot = answer_slot(q)
    assert (slot.kind, slot.soft) == ("name", False)
    assert not _fills(q, "We introduce TAPE, a set of five biologically relevant tasks.")
    assert _fills(q, "The tasks are Secondary Structure, Remote Homology and Fluorescence.")
    assert answer_slot("Which tasks does TAPE include?").soft  # unchanged


def test_example_answers_offered_ask_for_a_name() -> None:
    """ "Which Chinese social media sites, such as Weibo, ...?" and "Which exact multilingual
    transformer (XLM-R or mBERT) ...?" had no slot (anything answered): the reader's examples
    of the answer are names, so a name of that kind is asked for. A parenthesised name of a
    described method ("(MCL)") offers no example."""
    from rag.questions import without_offered

    q = "Which Chinese social media sites, such as Weibo, was the data scraped from?"
    assert (answer_slot(q).kind, answer_slot(q).head) == ("name", "sites")
    assert not _fills(q, "We collected a huge dataset from Chinese social media platforms.")
    q = "Which exact multilingual transformer (XLM-R or mBERT) did the study use?"
    assert answer_slot(q).head == "transformer"
    assert without_offered(q) == "Which exact multilingual transformer did the study use?"
    q = "Which African language benefited most from AfroLM, for example Swahili or Hausa?"
    assert not _fills(q, "AfroLM outperforms AfriBERTa, XLMR-base and mBERT on many languages.")
    assert _fills(q, "The largest gain in NER was on Yoruba.")
    assert without_offered(q) == "Which African language benefited most from AfroLM?"
    q = "What gains do the course learning method (MCL) and continued pre-training (PCP) report?"
    assert answer_slot(q).kind == "open" and without_offered(q) == q


def test_a_description_ending_in_called_asks_for_its_name() -> None:
    """ "What are the two models trained on the new corpus for Maltese called?" quoted the corpus
    sentence: only "what is it called" and "what is the X called" (two words) asked for a name,
    so a longer description before "called" asked for nothing."""
    q = "What are the two BERT models pre-trained on the new Maltese corpus called?"
    slot = answer_slot(q)
    assert (slot.kind, slot.head, slot.soft) == ("name", "models", False)
    assert not _fills(q, "We also present a newly created corpus for Maltese.")
    assert _fills(q, "We pre-train two models: a monolingual model (BERTu) and mBERTu.")
    assert answer_slot("What is the model called?").kind == "name"  # unchanged


def test_a_robots_episodes_are_counted_as_its_demonstrations() -> None:
    """ "How many real-world robot episodes went into training the 7B-parameter model?" abstained:
    episodes are a strict unit, and OpenVLA counts its "970k real-world robot demonstrations"."""
    q = "How many robot episodes was the open-source VLA trained on?"
    assert _fills(q, "OpenVLA is trained on a collection of 970k real-world robot demonstrations.")
    assert not _fills(q, "OpenVLA has 7B parameters and runs on consumer GPUs.")
    assert _fills("How many demonstrations were collected?", "We record 120 episodes per task.")


def test_a_vocabulary_is_sized_next_to_its_own_word() -> None:
    """ "How large is the vocabulary of the URL tokenizer?" quoted "a URL tokenizer on a corpus of
    billions of URLs": any size unit near "tokenizer" counted. A vocabulary's size is given
    beside the word ("a 50k vocabulary"); other sized things keep their units."""
    q = "How big is the vocabulary of the URL tokenizer that URLBERT trains?"
    slot = answer_slot(q)
    assert (slot.kind, slot.head) == ("quantity", "vocabulary size")
    assert not _fills(q, "We first train a URL tokenizer on a corpus of billions of URLs.")
    assert _fills(q, "The tokenizer has a vocabulary of 32,000 subwords.")
    assert "token" in answer_slot("How large is the pretraining corpus?").terms  # unchanged


def test_the_counts_of_a_thing_ask_for_that_thing_counted() -> None:
    """ "What are the parameter counts of the StackOverflow models?" abstained: "counts" was no
    metric word (only "count"), and "of the StackOverflow models" says whose counts they are,
    not what is counted."""
    q = "What are the parameter counts of the StackOverflow models?"
    slot = answer_slot(q)
    assert (slot.kind, slot.head, slot.terms) == ("quantity", "parameter count", ("paramet",))
    assert _fills(q, "We train SOBertBase, with 109M parameters, and SOBertLarge.")
    assert not _fills(q, "We use a batch size of 0.5M tokens.")
    assert answer_slot("What is the number of tasks in the suite?").terms == ("task",)


def test_a_preposition_repeated_before_a_description_pairs_two() -> None:
    """ "How big are the gains from prompt-based continued pretraining and from the multi-
    perspective course learning variant of ELECTRA?" quoted one paper: the repeated "from"
    pairs a description without "the" with a definite one; a benchmark is no paper."""
    q = (
        "What gains come from prompt-based continued pretraining and from the course learning"
        " variant of ELECTRA?"
    )
    assert descriptions(q) == [
        "the prompt-based continued pretraining",
        "the course learning variant of ELECTRA",
    ]
    assert descriptions("What scores are reported on GLUE and on the SQuAD benchmark?") == []


def test_example_answers_after_a_preposition_and_which_are_offered_too() -> None:
    """ "On which specific robot platforms (e.g. WidowX, Franka) was V-GPS evaluated?" quoted
    V-PTR's WidowX sentence: the examples after "On which" were taken for names of the paper."""
    from rag.questions import without_offered

    q = "On which robot arms (e.g. WidowX or Franka) was V-GPS tested?"
    assert without_offered(q) == "On which robot arms was V-GPS tested?"
    assert answer_slot(q).kind == "name"


def test_counts_offered_beside_another_ask_are_no_number_asked() -> None:
    """ "..., and which benchmarks or parameter counts do they mention?" lost its benchmark
    facts once "counts" asked for a number: the first noun says what is asked."""
    q = "Which benchmarks or parameter counts do the two papers mention?"
    assert (answer_slot(q).kind, answer_slot(q).head) == ("name", "benchmarks")


def test_a_result_measured_against_a_baseline_describes_no_second_paper() -> None:
    """ "By what factor did removing padding speed up BERT training throughput compared with the
    padded baseline?" was read as two descriptions, so the question was not about one paper
    and bert2BERT's "45%" answered it: the baseline is what the one paper measures against."""
    q = (
        "By what factor did removing padding speed up BERT training throughput compared with"
        " the padded baseline?"
    )
    assert descriptions(q) == []
    assert len(descriptions("Compare the padding-free BERT paper with the bert2BERT paper.")) == 2


def test_a_second_ask_after_and_is_no_description_of_a_paper() -> None:
    """ "..., how big were the models and how many weights were tuned when adapting
    downstream?" took "the models and how many weights were tuned ..." for a second paper's
    description, and the gate read V-GPS instead of PASTA."""
    q = (
        "In the systematic study of transformers over RL trajectories that tokenise each action"
        " and state component, how big were the models and how many weights were tuned when"
        " adapting downstream?"
    )
    assert descriptions(q) == []


def test_examples_in_brackets_describe_no_paper() -> None:
    """ "Which robot arms (for example WidowX or Franka) were the value-guided policy steering
    experiments run on?": the bracketed examples were a second description."""
    q = (
        "Which robot arms (for example WidowX or Franka) were the value-guided policy steering"
        " experiments run on?"
    )
    assert descriptions(q) == []


def test_a_rank_or_r_squared_asked_is_a_number() -> None:
    """ "What LoRA rank was used when fine-tuning OpenVLA on consumer GPUs?" was answered by the
    sentence saying it is fine-tuned "via modern low-rank adaptation methods": a rank asked for
    is a number (not the verb of "which benchmark did it rank first in")."""
    for q, head in [
        ("What LoRA rank was used when fine-tuning OpenVLA on consumer GPUs?", "LoRA rank"),
        ("What R-squared fit does the D-CPT Law achieve?", "r-squared"),
    ]:
        assert (answer_slot(q).kind, answer_slot(q).head) == ("quantity", head)
    assert answer_slot("Which benchmark did it rank first in?").kind == "name"
    assert answer_slot("What rank-1 accuracy does PLIP reach?").head == "rank-1 accuracy"


def test_two_kinds_of_benchmark_joined_ask_for_names() -> None:
    """ "... state-of-the-art results on which fact-checking and answer-sentence-selection
    benchmarks?" asked for nothing in particular, and the sentence naming FEVER, ASNQ and
    WikiQA was not quoted."""
    q = "It reports results on which fact-checking and answer-sentence-selection benchmarks?"
    assert (answer_slot(q).kind, answer_slot(q).head) == ("name", "benchmarks")


def test_a_count_of_what_papers_are_evaluated_on_is_no_count_of_their_data() -> None:
    """ "How many documents are in the cybersecurity corpus used to train CySecBERT?" quoted
    "compared ... on 15 different domain-dependent extrinsic and intrinsic tasks": the abstract
    never says "documents", so any number filled the ask, a count of tasks too."""
    q = "How many documents are in the cybersecurity corpus used to train CySecBERT?"
    slot = unworded(answer_slot(q), "CySecBERT: a model for the cybersecurity domain. 15 tasks.")
    assert slot.terms == () and slot.counted
    assert not fills(slot, "It is compared on 15 different domain-dependent extrinsic tasks.", q)
    assert fills(slot, "We collected 4.3 million entries from security blogs.", q)


def test_a_number_inside_a_name_is_no_quantity() -> None:
    """ "Which GPT-2 size ... served as the policy?" was answered by "our GPT-2 based policy
    outperforms the zero-shot GPT-3 oracle": the 3 of GPT-3 is part of a name."""
    q = "Which GPT-2 size served as the policy in the guided-feedback experiments?"
    slot = answer_slot(q)
    assert not fills(slot, "Our GPT-2 based policy outperforms the zero-shot GPT-3 oracle.", q)
    size = answer_slot("How big is the Llama model they train?")
    assert fills(size, "We train Llama-2-7B on the new corpus.", "How big is the model?")
    # a change asked may be given against a named model (the Llama-3-8B follow-ups of tune)
    gain = "How much did the strategies improve the Llama-3-8B model?"
    said = "The resulting model performs comparably to or even better than GPT-4 on benchmarks."
    assert fills(answer_slot(gain), said, gain)


def test_a_second_ask_after_and_how_many_is_no_description() -> None:
    """ "..., how big were the models and how many weights needed tuning?": an ask that counts
    begins after "and" whatever its verb."""
    q2 = (
        "In the systematic study of transformer agents tokenising actions and states at the"
        " component level, how big were the models and how many weights needed tuning?"
    )
    assert descriptions(q2) == []


def test_an_order_of_magnitude_is_a_change_given() -> None:
    """ "How much does conditioning pretraining on preference scores cut the rate of undesirable
    outputs?" did not quote "reduces the rate of undesirable content by up to an order of
    magnitude": no digit, so no number was found."""
    q = "How much does conditioning pretraining on preference scores cut the rate of bad outputs?"
    s = "Conditional training reduces the rate of undesirable content by up to an order of magnitude."
    assert fills(answer_slot(q), s, q)


def test_these_three_after_three_descriptions_counts_them() -> None:
    """ "...: growing a big model from a smaller pretrained one, training with sparse weights
    then densifying, and using a small LM's soft labels. What savings or scales do these three
    report?" quoted one paper: "these three" says how many the descriptions are."""
    q = (
        "I want ways to make LM pre-training cheaper: growing a big model from a smaller"
        " pretrained one, training with sparse weights then densifying, and using a small LM's"
        " soft labels. What savings or scales do these three report?"
    )
    assert papers_described(q) == 3
    assert papers_described("What do these three report?") == 0  # no three described


def test_item_numbers_are_no_words_of_a_description() -> None:
    q = "Three papers: (1) the stability gap one, (2) the rewarming one, and (3) D-CPT Law."
    assert descriptions(q) == ["the stability gap one", "the rewarming one", "D-CPT Law"]


def test_the_one_that_studies_is_a_description_not_a_group() -> None:
    q = (
        "Two papers: the one that studies re-warming the learning rate, and the one about a"
        " temporary drop in performance."
    )
    assert len(descriptions(q)) == 2


def test_a_count_before_a_comma_is_a_heading() -> None:
    from rag.questions import group_heading

    q = "I'm looking at two domain-specific BERTs, CySecBERT and URLBERT."
    assert q[group_heading(q) :].strip().startswith("CySecBERT")
    assert group_heading("What did OpenVLA, RT-H and Agent Q find?") == 0


def test_a_lower_case_initial_of_an_acronym_is_a_word() -> None:
    assert mentioned("kNN", "based on leave-one-out k-nearest-neighbor, or look for short")
    assert not mentioned("kNN", "we use nearest neighbours")


_IN_POINTS = "By how many percentage points does value-guided policy steering raise success rates?"


@pytest.mark.parametrize(
    ("question", "sentence", "filled"),
    [
        (_IN_POINTS, "It improves five policies, across a total of 12 tasks.", False),
        (_IN_POINTS, "It raises the average performance by 8 points across all policies.", True),
        ("By how much does it raise success rates?", "It helps by a total of 12 tasks.", True),
    ],
)
def test_a_change_asked_in_percent_needs_a_percent(
    question: str, sentence: str, filled: bool
) -> None:
    """ "By how many percentage points ...": "a total of 12 tasks" is no such change; "by 8
    points" is (asked with no unit, any number after "by" still is)."""
    assert fills(answer_slot(question), sentence, question) is filled


def test_which_checkpoint_asks_for_a_name() -> None:
    q = "Which existing Chinese checkpoint was the mental-health BERT initialized from?"
    slot = answer_slot(q)
    assert slot.kind == "name"
    assert not fills(slot, "Building on an existing Chinese language model, we adapt it.", q)


def test_a_spelled_out_count_is_no_change() -> None:
    """ "by how much did it beat the strongest baseline": "three possible factors" is a count."""
    q = "By how much did it beat the strongest baseline?"
    slot = answer_slot(q)
    assert not fills(slot, "We explain this by investigating three possible factors.", q)
    assert fills(slot, "It outperforms the best baseline by 25.1%.", q)


def test_which_paper_scores_is_a_verb_not_a_score_asked() -> None:
    q = "Which paper scores sim2real policies by combining OOD detection with simulation?"
    assert not answer_slot(q).checked
    assert answer_slot("What scores did it get?").kind == "quantity"


def test_a_plural_acronym_asked_for_is_a_model_name() -> None:
    """ "Which base LLMs do they fine-tune?": "LLMs" is an LLM (not a word "llms" no sentence
    has), so "a SAMI-trained mistral-7b" names one."""
    q = "Which base LLMs do SAMI and Agent Q fine-tune?"
    slot = answer_slot(q)
    assert {"llm", "model"} <= set(slot.terms)
    assert fills(slot, "Our method boosts the Llama-3 70B model's zero-shot performance.", q)


@pytest.mark.parametrize(
    ("question", "sentence", "filled"),
    [
        ("What frame rate does the agent act at?", "It uses mouse and keyboard at 20Hz.", True),
        ("What learning rate did they use?", "It uses mouse and keyboard at 20Hz.", False),
        (
            "What did ERNIE 3.0 score on SuperGLUE compared with the human baseline?",
            "Its English version surpasses the human performance by +0.8% (90.6% vs. 89.8%).",
            True,
        ),
    ],
)
def test_a_frame_rate_is_a_frequency_and_did_x_score_asks_any_score(
    question: str, sentence: str, filled: bool
) -> None:
    """ "what frame rate": a frequency ("at 20Hz"); "What did ERNIE 3.0 score": the verb, its
    subject's "3.0" no metric asked."""
    assert fills(answer_slot(question), sentence, question) is filled


def test_the_two_things_asked_are_those_a_sentence_counts_out() -> None:
    """ "What are the two pretraining tasks URLBERT proposes?": the sentence that introduces
    "two novel pre-training tasks: (1) ..., (2) ..." lists them; "What's the ... called?" asks
    a name."""
    q = "What are the two pretraining tasks URLBERT proposes?"
    slot = answer_slot(q)
    assert slot.kind == "name" and slot.soft
    assert fills(slot, "We propose two novel pre-training tasks: (1) contrastive learning.", q)
    assert not fills(slot, "We first train a URL tokenizer on billions of URLs.", q)
    assert answer_slot("What's the reward-free pretrained GFlowNet variant called?").kind == "name"


def test_a_comma_list_of_papers_after_the_asking_verb_starts_at_its_first_item() -> None:
    q = (
        "What downstream tasks were used to evaluate the cybersecurity BERT, the StackOverflow"
        " BERT and the URL pretrained model?"
    )
    assert descriptions(q) == [
        "the cybersecurity BERT",
        "the StackOverflow BERT",
        "the URL pretrained model",
    ]


def test_what_they_find_about_how_much_asks_a_finding_not_a_number() -> None:
    """ "what did the Maltese work and AfroLM find about how much data you need?": the finding,
    which the Maltese abstract gives without a number; "how much data did they use" still asks
    one."""
    q = "What did the Maltese BERT work and AfroLM find about how much data you need?"
    assert answer_slot(q).kind == "open"
    assert answer_slot("What did they find, and how much data did they use?").kind == "quantity"


def test_a_recommendation_asked_prefers_a_finding() -> None:
    """ "what setup did it end up recommending?": a sentence that states a finding ("We find
    that ...", "the results indicate ...") holds the answer; one that restates the study does
    not (an open slot that only prefers)."""
    q = "The German news claims study: what setup did it end up recommending?"
    slot = answer_slot(q)
    assert slot.asks_outcome and not slot.checked
    assert fills(slot, "We find that adapters with pattern exploiting training work best.", q)
    assert not fills(slot, "We test our approach on a use case from communication science.", q)


def test_a_date_is_no_name_and_the_verb_after_its_subject_is_asked() -> None:
    """ "in mid-2021" names nothing (a name the abstracts lack made the question abstain); "Which
    made-up website did they prepend ...?": "prepending factquizmaster.com" names it."""
    assert names("It took first place on SuperGLUE in mid-2021, ahead of GPT-3") == [
        "SuperGLUE",
        "GPT-3",
    ]
    q = "Which made-up website did they prepend to improve common knowledge performance?"
    s = "For example, prepending factquizmaster.com (fabricated) improves knowledge tasks."
    assert fills(answer_slot(q), s, q)


def test_a_word_of_assent_run_into_a_switch_still_leaves_the_topic() -> None:
    """ "ok unrelated - in that self-training paper ...": "ok" with no stop after it, then the
    switch; "ok so which ..." is no switch."""
    got = strip_lead_in("ok unrelated - in that segmentation paper, what are the variants called?")
    assert got.switch and got.text.startswith("In that segmentation paper")
    assert not strip_lead_in("ok so which one is bigger?").switch


def test_either_of_two_asks_answers_and_each_before_a_verb_is_each_paper() -> None:
    """ "What robot or how many tasks did each evaluate on?": a robot named answers as well as a
    count, so the count is preferred, not required; "each evaluate" is each paper, no count per
    item. A training detail asked either way is still required."""
    q = "One pretrains on videos, one re-ranks actions. What robot or how many tasks did each use?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and slot.soft and not slot.each
    assert not answer_slot("How many tasks did each evaluate on?").each
    assert answer_slot("How many answer options does each question have?").each
    assert not answer_slot("What learning rate or how many epochs did it use?").soft
    assert not answer_slot("How many GPUs or what batch size did they use?").soft


def test_a_learning_rate_schedule_is_its_shape_and_a_slash_offers_another_answer() -> None:
    """ "What learning rate schedule does it follow?": "a linear warmup and cosine decay
    schedule" answers, with no rate given; "what hardware/tasks did they evaluate on": tasks
    answer too, so no hardware is required."""
    q = "What learning rate schedule does the second one follow?"
    slot = answer_slot(q)
    assert slot.kind == "detail" and slot.head == "learning rate schedule"
    assert fills(
        slot, "We train on SlimPajama, following a linear warmup and cosine decay schedule.", q
    )
    assert not fills(slot, "We conduct all experiments on the Pythia 410M architecture.", q)
    assert answer_slot("What learning rate did it use?").head == "learning rate"
    assert answer_slot("What hardware/tasks did they evaluate on?").kind != "detail"
    assert answer_slot("What hardware did they train on?").kind == "detail"


def test_what_the_named_kind_is_called_needs_a_name_of_that_kind() -> None:
    """ "What are the two new Maltese language models called, and how do they differ?": a name
    asked, of a model ("(BERTu) ... (mBERTu)" next to "model"), not any name the abstract gives
    ("not included in mBERT -- Maltese --")."""
    q = "What are the two new Maltese language models called, and how do they differ in training?"
    slot = answer_slot(q)
    assert slot.kind == "name" and "model" in slot.terms
    assert fills(slot, "We compare two models: a BERT model from scratch (BERTu) and mBERTu.", q)
    assert not fills(slot, "We study a language that is not included in mBERT -- Maltese.", q)


def test_a_plus_joins_two_words_of_one_description() -> None:
    """ "the contrastive+adversarial URL pretraining paper vs the security-domain BERT": two
    papers described, the first by words a "+" joins."""
    q = (
        "what downstream tasks are used in the contrastive+adversarial URL pretraining paper vs"
        " the security-domain BERT?"
    )
    assert descriptions(q) == [
        "the contrastive+adversarial URL pretraining paper",
        "the security-domain BERT",
    ]


def test_what_two_things_counts_them_as_what_are_the_two_does() -> None:
    """ "What two pretraining tasks does URLBERT add?": as "what are the two ...", the sentence
    that introduces two of them ("two novel pre-training tasks: (1) ...") answers."""
    q = "What two pretraining tasks does URLBERT add?"
    slot = answer_slot(q)
    assert slot.soft
    assert fills(slot, "We propose two novel pre-training tasks: (1) contrastive learning.", q)


def test_the_size_of_a_dataset_is_counted_in_its_items() -> None:
    """ "What was the size of the seed dataset ...?": "around 8,000 instances" gives it."""
    q = "What was the size of the seed dataset used to bootstrap the small medical model?"
    s = "Starting with a seed dataset of around 8,000 instances, we prompt a base policy model."
    assert fills(answer_slot(q), s, q)
    assert "instanc" not in answer_slot("What was the size of the largest model?").terms


@pytest.mark.parametrize(
    "question",
    [
        "Different question entirely: in the sparse-then-dense paper, how much sparsity?",
        "Thanks! Now something else entirely: which work feeds URLs during pretraining?",
        "Now for something completely different: in the sparse-then-dense paper, how much?",
    ],
)
def test_something_else_entirely_switches_topic(question: str) -> None:
    lead = strip_lead_in(question)
    assert lead.switch and lead.text.split()[0] in ("In", "Which")


def test_a_request_for_citations_is_no_part_of_the_question() -> None:
    """Every answer cites its papers: "- cite the papers please" and ", with citations," only
    add words to search and score with (a summary abstained over them)."""
    q = "Summarize what the collection says about picking data - cite the papers please."
    assert strip_lead_in(q).text == "Summarize what the collection says about picking data."
    q = "Summarize, with citations, the work here on low-resource languages."
    assert strip_lead_in(q).text == "Summarize the work here on low-resource languages."
    # sources asked about are the question itself
    q = "What sources of data does it use?"
    assert strip_lead_in(q).text == q


def test_gpu_hours_are_compute_time_and_gpu_type_is_hardware() -> None:
    """ "How many GPU hours ...?" is not filled by "3 hours of autonomous real-world
    experience", nor by a GPU named without a number; "What GPU type" asks which accelerator."""
    slot = answer_slot("How many GPU hours did it take to train RoboFuME's reward classifier?")
    assert slot.kind == "detail" and slot.head == "gpu hours"
    q = "How many TPU or GPU hours did training the 20B UL2 model take?"
    assert answer_slot(q).head == "gpu hours"
    said = "It improves within as little as 3 hours of autonomous real-world experience."
    assert not fills(slot, said, "")
    assert not fills(slot, "OpenVLA can be fine-tuned on consumer GPUs.", "")
    assert fills(slot, "Pretraining took 2,000 A100 GPU hours.", "")
    gpu = answer_slot("What GPU type were the SOBert models trained on?")
    assert gpu.kind == "detail" and gpu.head == "accelerator model"


def test_a_second_question_has_its_own_asks() -> None:
    """ "In the X paper, which ...? And in the Y study, how big ...?": each question says which
    paper before it asks, so each preamble is an ask of its own (Y's paper is quoted too)."""
    q = (
        "In the paper that adds a modulation pool to a frozen RL model, which benchmark suites"
        " were used? And in the pretrained action-state transformer study, how big are the models?"
    )
    assert question_parts(q) == [
        "In the paper that adds a modulation pool to a frozen RL model",
        "which benchmark suites were used",
        "in the pretrained action-state transformer study",
        "how big are the models",
    ]
    # ("? i.e. how many ...": no new question)
    q = "What are the tasks TAPE defines? i.e. how many tasks are there"
    assert question_parts(q) == [q]


def test_a_name_typed_without_its_superscript_is_mentioned() -> None:
    assert mentioned("MedS3", "meds^3: towards medical small language models")
    assert not mentioned("MedS3", "meds: towards medical small language models")


def test_compute_saved_is_said_in_flops_or_cost() -> None:
    """ "How much pretraining compute do bert2BERT and SPDF each save?": SPDF says it as "a 2.5x
    reduction in pre-training FLOPs"."""
    q = "How much pretraining compute do bert2BERT and SPDF each claim to save?"
    said = "It results in a 2.5x reduction in pre-training FLOPs on a 1.3B model."
    assert fills(answer_slot(q), said, q)


def test_an_amount_of_data_is_counted_in_its_units() -> None:
    """ "How much data ... is involved?": "970k real-world robot demonstrations" (abstracts
    count data in tokens, demonstrations, examples, not in the word "data")."""
    q = "How much data and how many tasks are involved in each?"
    slot = answer_slot("How much data was OpenVLA trained on?")
    said = "OpenVLA is trained on a diverse collection of 970k real-world robot demonstrations."
    assert fills(slot, said, q)
    assert not fills(slot, "OpenVLA outperforms RT-2-X by 16.5% across 29 tasks.", q)


def test_a_baseline_is_what_a_paper_compares_or_competes_with() -> None:
    """ "what baseline does each compare against": LegalTurk's "competes with BERTurk" and
    "compared them with BERTurk models" name its baseline without the word."""
    q = "For the CaseHOLD paper and the Turkish legal BERT, what baseline does each compare against?"
    slot = answer_slot(q)
    said = "Our approach, despite being pre-trained on a smaller corpus, competes with BERTurk."
    assert fills(slot, said, q)
    assert not fills(slot, "We pre-train on a smaller Turkish legal corpus.", q)


def test_tasks_an_abstract_lists_after_the_word_answer_which_tasks_it_was_evaluated_on() -> None:
    """ "Which downstream tasks was the URL model evaluated on?": "evaluated on tasks including
    phishing URL detection, web page classification, and ad filtering" names none of them with
    a capital; "what pretraining tasks" asks the paper's own tasks, not that list."""
    said = (
        "Finally, our methods are evaluated on tasks including phishing URL detection, web page"
        " classification, and ad filtering."
    )
    q = "Which downstream tasks was the contrastive URL representation model evaluated on?"
    assert fills(answer_slot(q), said, q)
    q = "What two pretraining tasks does the model for phishing-link detection use?"
    assert not fills(answer_slot(q), said, q)


def test_a_question_typed_as_the_quantitys_name_asks_for_it() -> None:
    """ "parameter counts of the biggest UL2 and ERNIE 3.0 models?" asks what they are, as
    "what are the parameter counts ...?" does."""
    slot = answer_slot("param counts of the biggest UL2 and ERNIE 3.0 models?")
    assert slot.kind == "quantity" and slot.terms == ("paramet",)
    assert answer_slot("size of the CaseHOLD dataset?").kind == "quantity"
    assert answer_slot("Results of the MeCo paper?").kind == "open"


def test_an_ask_after_a_sentence_of_descriptions_refers_to_one_of_them() -> None:
    """ "Three papers ...: a benchmark about case holdings, ..., and ... . How many questions are
    in the holdings dataset, ...": the ask is the sentence after the descriptions, and "the
    holdings dataset" repeats a word of the first."""
    from rag.questions import referred_description

    q = (
        "Three papers here work on legal text: a multiple-choice benchmark about case holdings,"
        " a BERT adapted to Turkish legal documents, and retrieval linking EU directives to UK"
        " law. How many questions are in the holdings dataset, which Turkish model does the"
        " second one compare against, and which sparse retriever does the third one use?"
    )
    part = question_parts(q)[0]
    assert referred_description(part, q) == "a multiple-choice benchmark about case holdings"


def test_a_number_is_read_where_it_stands_as_a_whole() -> None:
    """ "4 times larger" fills "how much larger", though "420 days" holds a "4" before it."""
    q = "How much larger are its pretraining corpora compared with the original BERT's?"
    s = (
        "We released 10 models pretrained with a large compute budget (equivalent to 420 days"
        " on a V100) and corpora that are 4 times larger than the original BERT's."
    )
    assert fills(answer_slot(q), s, q, None, True)


def test_a_count_of_labelled_data_is_stated_with_its_labels() -> None:
    """ "How many labelled documents were used to train the fastText scorer?": a training detail,
    which a sentence with token counts and model sizes does not state (three blind batches asked
    it of PreSelect); a plain count may still be given under another word."""
    q = "How many labelled documents were used to train the fastText scorer in PreSelect?"
    s = "Models trained on 30B tokens selected with PreSelect beat a baseline trained on 300B."
    slot = answer_slot(q)
    assert not fills(unworded(slot, s), s, q, None, True)
    assert fills(unworded(slot, s), "We release 5,000 labelled documents.", q, None, True)
    plain = answer_slot("How many examples were used?")
    assert fills(unworded(plain, s), s, "How many examples were used?", None, True)


def test_what_a_long_subject_scores_on_a_benchmark_is_that_benchmarks_score() -> None:
    """ "What does the 1.6B model trained with metadata conditioning score on MMLU?" asks the
    MMLU score, as "What MMLU score does ... get?" does."""
    slot = answer_slot("What does the 1.6B model trained with metadata conditioning score on MMLU?")
    assert (slot.kind, slot.terms) == ("quantity", ("mmlu",))


def test_a_modifier_that_says_which_value_names_no_quantity() -> None:
    """ "the headline size": a size (of a model, of data), not a size of a headline."""
    slot = answer_slot("What's the headline size or efficiency number each one reports?")
    assert "headlin" not in slot.terms and "paramet" in slot.terms


def test_a_tokenizer_counts_no_tokens() -> None:
    """ "a URL tokenizer on a corpus of billions of URLs": "tokenizer" stems as "token", but the
    number counts URLs, no tokens."""
    q = "How many tokens is the cybersecurity text corpus used to train the security BERT?"
    s = "We first train a URL tokenizer on a corpus of billions of URLs."
    assert not fills(answer_slot(q), s, q, None, True)
    assert fills(answer_slot(q), "The corpus holds 4 billion tokens.", q, None, True)


def test_a_score_on_a_task_in_plain_words_is_a_score() -> None:
    """ "In TAPE, what does the best model score on secondary structure prediction?": a score
    (a number of a metric), not any sentence about the task."""
    slot = answer_slot(
        "In TAPE, what does the best model score on secondary structure prediction and contact"
        " prediction?"
    )
    assert slot.kind == "quantity" and "accuraci" in slot.terms


def test_a_coefficient_is_a_number_named_by_what_it_weighs() -> None:
    """ "What KL penalty coefficient was used ...?": a number next to "penalty", which a
    sentence about the objective without one does not give."""
    q = "What KL penalty coefficient was used for the conditional training objective?"
    slot = answer_slot(q)
    assert slot.kind == "quantity" and slot.terms == ("penalti",)
    assert not fills(slot, "Conditional training reduces undesirable content by 10x.", q)


def test_a_likening_asked_prefers_the_sentence_that_likens() -> None:
    """ "How does each relate the learned behaviour to Bayesian estimation?", "which estimator
    does it behave like?": the answer is where an abstract likens its finding to a known one
    ("can be viewed as an efficient implementation of ...", "aligns with that of ridge
    regression"), not any sentence naming a method; "web links ... add to" relates nothing."""
    for q in (
        "How does each relate the learned behaviour to Bayesian estimation?",
        "Once it's pretrained above that threshold, which estimator does it behave like?",
        "Theoretically, which Bayesian algorithm is it equivalent to?",
        "What classical method does each paper connect the transformer's behaviour to?",
    ):
        slot = answer_slot(q)
        assert slot.asks_outcome and not slot.checked, q
        assert fills(slot, "Its behavior aligns with that of ridge regression.", q)
        assert fills(
            slot, "We show DPT can be viewed as an implementation of posterior sampling.", q
        )
        assert not fills(slot, "We introduce DPT, a supervised pretraining method.", q)
    q = "What did the model for classifying web links and the one for forum posts add to pretraining?"
    assert answer_slot(q).head != "relation"


def test_which_gpus_asks_the_accelerator_named() -> None:
    """ "What GPUs / what kind of GPUs / which GPU model ...?" asks which accelerator: a sentence
    that names one fills it ("on a V100"; "consumer GPUs" for a kind, not for a model), one
    that only mentions GPUs does not ("within the same GPU configuration")."""
    for q in (
        "What GPUs were the SOBert models trained on?",
        "What kind of GPUs were they trained on?",
        "Which GPU model did the unpadded BERT submission run on?",
    ):
        slot = answer_slot(q)
        assert slot.kind == "detail", q
        assert fills(slot, "A compute budget equivalent to 420 days on a V100.", q)
        assert not fills(slot, "It ranks first within the same GPU configuration.", q)
    kind = "What kind of GPUs can it be fine-tuned on?"
    assert fills(answer_slot(kind), "It can be fine-tuned on consumer GPUs.", kind)
    model = "Which GPU model was it fine-tuned on?"
    assert not fills(answer_slot(model), "It can be fine-tuned on consumer GPUs.", model)
    assert answer_slot("How many GPU hours did it take?").head == "gpu hours"


def test_a_name_with_digits_is_not_the_initials_of_words() -> None:
    """ "D4RL" or "GSM8K" is a benchmark's name: "deep reinforcement learning" does not mention
    it (the abstention gate found it "mentioned" and answered which D4RL datasets DoC used);
    "GPT4" is "GPT-4" typed without its hyphen."""
    hay = "we train deep reinforcement learning agents and compare with gpt-4 on math."
    assert not mentioned("D4RL", hay)
    assert not mentioned("GSM8K", hay)
    assert mentioned("GPT4", hay)
    assert mentioned("DRL", hay)  # a plain acronym still is its words' initials


def test_indefinite_descriptions_asked_of_by_place_are_several_papers() -> None:
    """ "A web agent ..., and a family of RL algorithms ...: ... the first ..., and ... the
    second ...?": two papers described, each asked of by its place; one indefinite description
    with no place asked of is no second paper."""
    from rag.questions import describes_several

    assert describes_several(
        "A web agent trained on its own search trajectories, and a family of RL algorithms that"
        " query a black-box guide LLM: where is the first validated, and which tasks does the"
        " second use?"
    )
    assert not describes_several(
        "A web agent trained on its own search trajectories, and a family of RL algorithms that"
        " query a black-box guide LLM: where are they validated?"
    )


def test_where_a_paper_is_evaluated_asks_for_its_benchmark_by_name() -> None:
    """ "Where did it rank first?", "where were they tested?": a benchmark, testbed or robot,
    by name where the abstract gives one (soft: "on real robots" answers too); "where does the
    data come from?" is no evaluation."""
    for q in ("Where did the unpadded BERT rank first?", "And where were they tested?"):
        slot = answer_slot(q)
        assert (slot.kind, slot.head, slot.soft) == ("name", "benchmark", True), q
        assert "benchmark" in slot.terms and "robot" in slot.terms
    assert answer_slot("Where does the data come from?").kind == "open"


def test_a_count_of_papers_in_the_question_is_not_its_own_number() -> None:
    """ "Two ... papers": a count of the papers asked about, which the answer's "as few as two
    trajectories" does not merely repeat; "two trajectories" in the question would be."""
    sentence = "We show that pre-training a policy from as few as two trajectories can help."
    slot = answer_slot("Two RL papers: how few trajectories did the second need?")
    assert fills(slot, sentence, "Two RL papers: how few trajectories did the second need?")
    asked = "Did the second need only two trajectories, and how few did it need?"
    assert not fills(answer_slot(asked), sentence, asked)


def test_one_and_another_parted_by_a_semicolon_are_two_descriptions() -> None:
    """ "One RL paper ...; another ...": as with a comma between them."""
    for sep in (",", ";"):
        assert descriptions(
            f"One RL paper keeps a frozen pretrained model{sep} another studies small"
            " transformers. How big are the second's models?"
        ) == ["One RL paper keeps a frozen pretrained model", "another studies small transformers"]


def test_the_name_of_a_score_is_a_name_not_a_number() -> None:
    """ "What's the name of the score that ranks ...?" asks what the score is called: no slot
    that only a number fills (which abstained for want of one); "what score did it reach" still
    asks for a number."""
    q = "What's the name of the score that ranks sim2real policies by combining OOD detection?"
    assert answer_slot(q).kind != "quantity"
    assert answer_slot("What is the name of the metric they report?").kind != "quantity"
    assert answer_slot("What score does the model reach on GLUE?").kind == "quantity"
