"""The eval harness: metrics on hand-built Answers with known values, report files, the gate, and
one small end-to-end run over the seed store."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from rag import evaluation as ev
from rag.schema import Answer, Citation, ComparedPaper, Hit


def hit(pid: str) -> Hit:
    return Hit(paper_id=pid, title=pid.upper(), score=1.0, evidence="")


def answer(
    text: str = "",
    cited: list[str] = (),  # type: ignore[assignment]
    retrieved: list[str] = (),  # type: ignore[assignment]
    papers: list[str] = (),  # type: ignore[assignment]
    abstained: bool = False,
    mode: str = "qa",
    backend: str = "extractive",
    evidence: dict[str, str] | None = None,
    total_ms: float = 100.0,
) -> Answer:
    return Answer(
        question="q",
        standalone_question="q",
        mode=mode,
        backend=backend,
        answer=text,
        abstained=abstained,
        citations=[
            Citation(n=i, paper_id=p, title=p, evidence=(evidence or {}).get(p, ""), support=1.0)
            for i, p in enumerate(cited, 1)
        ],
        papers=[ComparedPaper(paper_id=p, title=p, evidence="", confidence=0.9) for p in papers],
        retrieved=[hit(p) for p in retrieved],
        timings_ms={"total": total_ms},
    )


def item(qid: str, qtype: str, gold=(), acceptable=(), facts=()) -> ev.EvalItem:  # noqa: ANN001
    return ev.EvalItem(qid, qtype, ["q?"], list(gold), list(acceptable), list(facts))


# --- retrieval -----------------------------------------------------------------------------------
def test_retrieval_recall_mrr_ndcg_follow_the_answer_order() -> None:
    runs = {
        "a": ["x", "g1", "y", "z", "w", "v", "g2"],  # g1 at rank 2, g2 at rank 7
        "b": ["g"],
        "c": ["x", "y"],
        "u": ["x"],  # no gold: skipped
    }
    rel = {"a": {"g1", "g2"}, "b": {"g"}, "c": {"g"}, "u": set()}
    got = ev.retrieval_scores(runs, rel)
    assert set(got) == {"a", "b", "c"}
    assert got["a"]["recall_at_5"] == pytest.approx(0.5)
    assert got["a"]["recall_at_10"] == pytest.approx(1.0)
    assert got["a"]["mrr"] == pytest.approx(0.5)
    import math

    dcg = 1 / math.log2(3) + 1 / math.log2(8)
    idcg = 1 + 1 / math.log2(3)
    assert got["a"]["ndcg_at_10"] == pytest.approx(dcg / idcg)
    assert got["b"] == {"recall_at_5": 1.0, "recall_at_10": 1.0, "ndcg_at_10": 1.0, "mrr": 1.0}
    assert got["c"]["mrr"] == 0.0 and got["c"]["recall_at_10"] == 0.0


def test_retrieval_keeps_rank_order_even_when_ids_would_sort_otherwise() -> None:
    # pytrec_eval sorts by score then id; equal scores would put "zz" first
    got = ev.retrieval_scores({"q": ["aa", "zz"]}, {"q": {"zz"}})
    assert got["q"]["mrr"] == 0.5
    assert got["q"]["ndcg_at_10"] == pytest.approx(1 / __import__("math").log2(3))


# --- citations / compare / facts -----------------------------------------------------------------
def test_citation_recall_and_precision_with_acceptable_papers() -> None:
    a = answer(cited=["g1", "acc", "other", "g1"])
    s = ev.citation_scores(a, gold={"g1", "g2"}, acceptable={"acc"})
    assert s["gold_citation_recall"] == pytest.approx(0.5)
    assert s["gold_cited"] == 1.0
    assert s["citation_precision"] == pytest.approx(2 / 3)  # g1, acc of {g1, acc, other}
    none = ev.citation_scores(answer(), {"g"}, set())
    assert none["citation_precision"] is None and none["gold_cited"] == 0.0


def test_compare_f1_ignores_acceptable_papers() -> None:
    s = ev.set_scores(["g1", "g2", "acc", "bad"], gold={"g1", "g2", "g3", "g4"}, acceptable={"acc"})
    assert s["compare_precision"] == pytest.approx(2 / 3)
    assert s["compare_recall"] == pytest.approx(0.5)
    assert s["compare_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    only_acc = ev.set_scores(["acc"], {"g"}, {"acc"})
    assert only_acc == {"compare_precision": 0.0, "compare_recall": 0.0, "compare_f1": 0.0}
    perfect = ev.set_scores(["g", "acc"], {"g"}, {"acc"})
    assert perfect["compare_f1"] == 1.0


def test_fact_normalisation() -> None:
    text = "Completion rose by 43.6 percent in  VIRTUALHOME, using\n970k demos; 12 per cent"
    recall, missing = ev.fact_scores(text, ["43.6%", "VirtualHome", "970k", "12%", "3 hours"])
    assert missing == ["3 hours"]
    assert recall == pytest.approx(0.8)
    assert ev.fact_scores("43.6 %", ["43.6%"])[0] == 1.0
    assert ev.fact_scores("x\u2013y", ["x-y"])[0] == 1.0
    assert ev.fact_scores("anything", []) == (None, [])


# --- abstention ----------------------------------------------------------------------------------
def test_abstention_accuracy_precision_and_rates() -> None:
    items_answers = [
        (item("f1", "factoid", ["g"]), answer(cited=["g"])),  # answered, correct
        (item("f2", "factoid", ["g"]), answer(cited=["x"])),  # answered, wrong paper
        (item("f3", "factoid", ["g"]), answer(abstained=True)),  # wrong abstention
        (item("u1", "unanswerable"), answer(abstained=True)),  # correct abstention
        (item("u2", "unanswerable"), answer(cited=["x"])),  # answered: wrong
    ]
    rows = [
        ev.score_item(it, a, set(it.gold), set(), {}, latencies=[a.timings_ms["total"]])
        for it, a in items_answers
    ]
    overall, by_type = ev.summarise(rows)
    assert overall["abstention_accuracy"] == pytest.approx(2 / 5)
    assert overall["abstention_precision"] == pytest.approx(1 / 3)  # f1 of {f1, f2, u2}
    assert overall["wrong_abstention"] == pytest.approx(1 / 3)
    assert overall["unanswerable_abstained"] == pytest.approx(1 / 2)
    assert by_type["factoid"]["gold_cited"] == pytest.approx(1 / 3)
    assert by_type["unanswerable"]["gold_cited"] is None
    assert ev.flat_metrics({"overall": overall, "by_type": by_type})["factoid_gold_cited"] == (
        pytest.approx(1 / 3)
    )


def test_compare_answer_counts_table_rows_as_used() -> None:
    it = item("c1", "compare", ["g1", "g2"], ["acc"])
    row = ev.score_item(it, answer(papers=["g1", "acc"], mode="compare"), {"g1", "g2"}, {"acc"}, {})
    assert row["correct"] is True
    assert row["compare_recall"] == 0.5 and row["compare_precision"] == 1.0
    assert row["compare_routed"] == 1.0


def test_error_row_counts_as_failure() -> None:
    row = ev.score_item(item("f", "factoid", ["g"], facts=["x"]), None, {"g"}, set(), {}, error="E")
    assert row["correct"] is False and row["citation_validity"] == 0.0
    assert row["fact_recall"] == 0.0 and row["recall_at_10"] == 0.0
    overall, _ = ev.summarise([row])
    assert overall["errors"] == 1


# --- citation validity ---------------------------------------------------------------------------
ABSTRACT = "We study robots. Our method improves success by 43.6% (on VirtualHome). It is fast."


def test_citation_validity_accepts_verbatim_extractive_answer() -> None:
    text = "Our method improves success by 43.6% (on VirtualHome) [1]. It is fast [1]."
    a = answer(text, cited=["p"], evidence={"p": "It is fast."})
    assert ev.citation_validity(a, {"p": ABSTRACT}) == (True, [])


def test_citation_validity_catches_unlisted_marker() -> None:
    a = answer("It is fast [1]. We study robots [2].", cited=["p"])
    valid, problems = ev.citation_validity(a, {"p": ABSTRACT})
    assert not valid and problems == ["[2] is not a listed citation"]
    # also for LLM answers, where quotes are not checked
    valid, _ = ev.citation_validity(answer("Paraphrase [3].", cited=["p"], backend="llm:x"), {})
    assert not valid


def test_citation_validity_catches_non_verbatim_quote() -> None:
    a = answer("It is very fast [1].", cited=["p"])
    valid, problems = ev.citation_validity(a, {"p": ABSTRACT})
    assert not valid and "not verbatim" in problems[0]
    # an LLM answer paraphrases: only the markers are checked
    assert ev.citation_validity(answer("It is very fast [1].", cited=["p"], backend="llm:m"), {})[0]


def test_cited_sentences_split_on_markers() -> None:
    got = ev.cited_sentences("- A b c [1, 2]. D e [3][4]! Tail without marker.")
    assert got == [("A b c", [1, 2]), ("D e", [3, 4])]


def test_percentile_interpolates() -> None:
    assert ev.percentile([1, 2, 3, 4], 50) == 2.5
    assert ev.percentile([10.0], 95) == 10.0
    assert ev.percentile([], 50) is None


def test_title_resolution_exact_then_normalised() -> None:
    index = ev.title_index([("p1", "A Title: With Colon"), ("p2", "Other")])
    ids, missing = ev.resolve_titles(["a  title: with COLON", "Other", "Nope"], index)
    assert ids == ["p1", "p2"] and missing == ["Nope"]


# --- reports and gate ----------------------------------------------------------------------------
def synthetic_report(value: float = 1.0) -> dict[str, Any]:
    pairs = [
        (item("factoid-1", "factoid", ["g"], facts=["fast"]), answer("fast [1].", ["g"], ["g"])),
        (
            item("compare-1", "compare", ["g", "h"]),
            answer("", papers=["g"] if value < 1 else ["g", "h"], mode="compare"),
        ),
        (item("unanswerable-1", "unanswerable"), answer(abstained=True)),
    ]
    runs = {it.id: [h.paper_id for h in a.retrieved] for it, a in pairs if it.answerable}
    ret = ev.retrieval_scores(runs, {it.id: set(it.gold) for it, _ in pairs if it.answerable})
    rows = [
        ev.score_item(it, a, set(it.gold), set(), {"g": "fast."}, ret.get(it.id), [50.0])
        for it, a in pairs
    ]
    overall, by_type = ev.summarise(rows)
    return {
        "created": "now",
        "dataset": "synthetic.jsonl",
        "n_questions": len(rows),
        "backend": "extractive",
        "runtime_s": 1.0,
        "ask_s": 1.0,
        "ingest_s": 0.0,
        "overall": overall,
        "by_type": by_type,
        "rows": rows,
    }


def test_reports_written_with_diff(tmp_path: Path) -> None:
    first = ev.write_reports(synthetic_report(0.5), tmp_path)
    assert first["previous"] is None
    second = ev.write_reports(synthetic_report(1.0), tmp_path, {"compare_f1_min": 0.85})
    for key in ("json", "md", "png"):
        assert Path(second[key]).exists() and Path(second[key]).stat().st_size > 0
    assert Path(second["png"]).read_bytes()[:4] == b"\x89PNG"
    assert second["previous"] == first["json"]
    deltas = {d["metric"]: d for d in second["diff"]}
    assert deltas["compare_f1"]["delta"] == pytest.approx(1 - 2 / 3)
    assert "compare_f1" in second["diff_text"]
    data = json.loads(Path(second["json"]).read_text())
    assert [r["id"] for r in data["rows"]] == ["factoid-1", "compare-1", "unanswerable-1"]
    assert data["diff"]["previous"] == Path(first["json"]).name
    md = Path(second["md"]).read_text()
    assert "## Changes since" in md and "| compare_f1 |" in md and "factoid-1" in md
    assert "| compare_f1_min | 0.85 | 1.000 | ok |" in md


def test_gate_reports_each_failed_threshold(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text(
        "[seed]\ncompare_f1_min = 0.85\nwrong_abstention_max = 0.05\n"
        "factoid_gold_cited_min = 0.95\nno_such_metric_min = 1\n"
        "[ci]\ncompare_f1_min = 0.5\n"
    )
    report = synthetic_report(0.5)
    failures = ev.check_gate(report, ev.load_thresholds(path, "seed"))
    assert len(failures) == 2
    assert failures[0].startswith("compare_f1_min: compare_f1 = 0.6667 < 0.85")
    assert "no_such_metric" in failures[1]
    assert ev.check_gate(report, ev.load_thresholds(path, "ci")) == []
    with pytest.raises(KeyError):
        ev.load_thresholds(path, "nightly")


def write_dataset(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(x) for x in rows) + "\n")
    return path


CASEHOLD = "When Does Pretraining Help? Assessing Self-Supervised Learning for Law and the CaseHOLD Dataset"


def test_run_eval_followups_pass_history_and_score_last_turn(
    seed_pipeline: Any, tmp_path: Path
) -> None:
    """On the real pipeline: the second turn only finds 7.2% if the first turn reached it as
    history, and only the last turn is scored."""
    row = {
        "id": "followup-x",
        "split": "tune",
        "type": "followup",
        "tags": ["pronoun"],
        "turns": ["What is CaseHOLD?", "How much did domain pretraining improve F1 on it?"],
        "gold": [CASEHOLD],
        "acceptable": [],
        "facts": ["7.2%"],
    }
    report = ev.run_eval(seed_pipeline, write_dataset(tmp_path / "q.jsonl", [row]), log=print)
    (r,) = report["rows"]
    assert len(r["turn_latencies_ms"]) == 2 and r["question"] == row["turns"][1]
    assert r["correct"] and r["fact_recall"] == 1.0 and r["citation_validity"] == 1.0
    assert report["splits"]["tune"]["by_tag"]["pronoun"]["gold_cited"] == 1.0


def test_cli_gate_exits_nonzero(
    seed_pipeline: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate fails the run on the real pipeline's answers: a question whose gold paper the
    answer cannot cite (the label names another paper) misses factoid_gold_cited."""
    from rag import cli_eval
    from rag.cli import CliHelpers

    rows = [
        {
            "id": "factoid-x",
            "split": "test",
            "type": "factoid",
            "tags": [],
            "turns": ["How many multiple-choice questions does the CaseHOLD dataset contain?"],
            "gold": ["OpenVLA: An Open-Source Vision-Language-Action Model"],
            "acceptable": [],
            "facts": [],
        }
    ]
    thresholds = tmp_path / "t.toml"
    thresholds.write_text(
        '[seed]\nsplit = "test"\nfactoid_gold_cited_min = 0.95\ncitation_validity_min = 1.0\n'
    )
    errors: list[str] = []
    helpers = CliHelpers(None, lambda a: seed_pipeline, None, lambda o: None, errors.append)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd")
    evp = sub.add_parser("eval").add_subparsers(dest="ev")
    cli_eval.register(sub, evp, helpers)
    argv = ["eval", "run", "--dataset", str(write_dataset(tmp_path / "q.jsonl", rows))]
    argv += ["--out", str(tmp_path / "reports"), "--thresholds", str(thresholds), "--gate"]
    args = parser.parse_args(argv)
    assert args.func(args) == 1
    text = "\n".join(errors)
    assert "test.factoid_gold_cited_min: test.factoid_gold_cited = 0.0000 < 0.95" in text
    assert "citation_validity" not in text  # the quotes themselves are valid
    assert len(list((tmp_path / "reports").glob("*.json"))) == 1
    assert "test split (1 questions)" in capsys.readouterr().out


def test_per_question_floors(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[ci]\nsplit = "test"\n[ci.questions]\n"t-compare-1" = 0.5\n')
    limits = ev.load_thresholds(path, "ci")
    assert limits == {"question:t-compare-1_min": 0.5}
    report = {"rows": [{"id": "t-compare-1", "type": "compare", "compare_f1": 0.4}]}
    (failure,) = ev.check_gate(report, limits)
    assert failure.startswith("question:t-compare-1_min")
    report["rows"][0]["compare_f1"] = 0.6
    assert ev.check_gate(report, limits) == []


def test_floors_rewrite_keeps_reasons_and_writes_one_block(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("floors", ev.DEFAULT_DATASET.parent / "floors.py")
    assert spec is not None and spec.loader is not None
    floors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floors)
    path = tmp_path / "t.toml"
    path.write_text(
        '[ci]\nsplit = "test"\n\n# per-question floors (eval/floors.py): old\n[ci.questions]\n'
        '"t-compare-1" = 0.50\n"t-compare-2" = 0.00  # routed to qa\n'
    )
    for _ in range(2):  # a second run changes nothing
        floors.write({"t-compare-1": 0.45, "t-compare-2": 0.0}, path)
    text = path.read_text()
    assert text.count("[ci.questions]") == 1 and text.count("# per-question floors") == 1
    assert '"t-compare-1" = 0.45\n' in text and '"t-compare-2" = 0.00  # routed to qa' in text
    assert ev.load_thresholds(path, "ci")["question:t-compare-1_min"] == 0.45


# --- end to end ----------------------------------------------------------------------------------
def test_harness_end_to_end_on_seed_questions(seed_pipeline: Any, tmp_path: Path) -> None:
    lines = ev.DEFAULT_DATASET.read_text(encoding="utf-8").splitlines()
    wanted = ("factoid-001", "multi-001", "compare-001", "followup-001", "unanswerable-001")
    picked = [ln for ln in lines if json.loads(ln)["id"] in wanted]
    dataset = tmp_path / "few.jsonl"
    dataset.write_text("\n".join(picked) + "\n")
    report = ev.run_eval(seed_pipeline, dataset, log=lambda m: None)
    assert [r["id"] for r in report["rows"]] == [json.loads(ln)["id"] for ln in picked]
    assert report["overall"]["errors"] == 0
    assert not any(r.get("missing_titles") for r in report["rows"])
    assert report["overall"]["recall_at_10"] is not None
    assert report["overall"]["latency_p50_ms"] is not None
    files = ev.write_reports(report, tmp_path / "reports")
    assert Path(files["md"]).exists()


def test_judge_scores_each_cited_sentence_by_its_best_source() -> None:
    from rag.schema import Paper

    papers = {"p": Paper("p", "P", ABSTRACT), "q": Paper("q", "Q", "Unrelated.")}
    a = answer("It is fast [1, 2]. We study robots [2].", cited=["p", "q"])

    def judge(claim: str, paper: Paper) -> float:
        if paper.id == "q" and claim == "We study robots":
            raise ValueError("unreadable verdict")  # skipped, not fatal
        return 1.0 if claim in paper.abstract else 0.0

    assert ev._judge_answer(judge, a, papers) == 1.0  # "We study robots" left out


def test_judge_only_with_an_llm_endpoint(fake_openai: Any) -> None:
    """The faithfulness judge exists only with an endpoint, and reads the verdict the endpoint
    sends (the network is faked; our parsing is not)."""
    from rag.schema import Paper
    from rag.settings import Settings

    class P:
        settings = Settings()

    assert ev._judge(P()) is None
    P.settings = Settings(llm_model="m", llm_base_url=fake_openai.base_url, llm_max_retries=0)
    judge = ev._judge(P())
    assert judge is not None
    verdict = {
        "statements": [
            {"statement": "a", "supported": True},
            {"statement": "b", "supported": False},
            {"statement": "c", "supported": True},
            {"statement": "d", "supported": False},
        ]
    }
    fake_openai.enqueue(json.dumps(verdict))
    assert judge("It is fast and cheap [1].", Paper("p", "P", ABSTRACT)) == 0.5
    (req,) = fake_openai.chat_requests
    assert "It is fast and cheap" in json.dumps(req.body) and ABSTRACT[:20] in json.dumps(req.body)
