"""`rag eval run --llm`: both answerers over the same questions, side by side, checkpointed and
resumable; the LLM side against the scripted server (tests/fake_openai.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply

from rag import eval_llm
from rag.evaluation import DEFAULT_DATASET
from rag.pipeline import Pipeline
from rag.settings import Settings


def _lines() -> list[dict]:
    return [json.loads(x) for x in DEFAULT_DATASET.read_text().splitlines() if x.strip()]


def _dataset(tmp_path: Path) -> Path:
    rows = _lines()
    pick = [next(r for r in rows if r["id"] == "factoid-001")]
    pick.append(next(r for r in rows if r["type"] == "unanswerable"))
    for r, split in zip(pick, ("tune", "test"), strict=True):
        r["split"] = split
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in pick))
    return path


def _llm_pipe(seed_pipeline: Pipeline, fake_openai: FakeOpenAI, **kw: object) -> Pipeline:
    return Pipeline(
        Settings(
            home=seed_pipeline.settings.home,
            llm_model="m",
            llm_base_url=fake_openai.base_url,
            llm_max_retries=0,
            **kw,  # type: ignore[arg-type]
        )
    )


def test_select_by_split_type_and_limit(tmp_path: Path) -> None:
    path = _dataset(tmp_path)
    assert [o["id"] for o in eval_llm.select_lines(path, split="tune")] == ["factoid-001"]
    assert [o["type"] for o in eval_llm.select_lines(path, types=["unanswerable"])] == [
        "unanswerable"
    ]
    assert len(eval_llm.select_lines(path, limit=1)) == 1
    with pytest.raises(ValueError, match="no question has split 'dev'"):
        eval_llm.select_lines(path, split="dev")


def test_side_by_side_run_is_checkpointed_and_resumes(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline, tmp_path: Path
) -> None:
    path = _dataset(tmp_path)
    llm_pipe = _llm_pipe(seed_pipeline, fake_openai)
    # the factoid goes to the model (which also cites a source it was never given); the
    # unanswerable question is stopped by the answerability gate before any request
    fake_openai.enqueue(
        "Fine-tuning raised task completion by 43.6% in VirtualHome [1]. It also flies [42]."
    )
    out = tmp_path / "reports"

    def run(resume: bool) -> dict:
        return eval_llm.compare_runs(
            seed_pipeline, llm_pipe, path, out=out, resume=resume, log=lambda m: None
        )

    result = run(resume=False)
    ext, llm = result["extractive"], result["llm"]
    assert [r["id"] for r in llm["rows"]] == [o["id"] for o in eval_llm.select_lines(path)]
    rows = {r["id"]: r for r in llm["rows"]}
    assert rows["factoid-001"]["backend"] == "llm:m" and rows["factoid-001"]["gold_cited"] == 1.0
    assert ext["rows"][0]["backend"] == "extractive"
    assert (
        llm["cost"]["removed_citations"] == 1 and llm["cost"]["answers_with_removed_citations"] == 1
    )
    assert llm["cost"]["seconds_per_answer"] > 0 and llm["cost"]["answers"] == 2
    assert llm["overall"]["unanswerable_abstained"] == 1.0
    ckpt = Path(result["checkpoint"])
    assert len(ckpt.read_text().splitlines()) == 2

    table = eval_llm.side_by_side(ext, llm)
    assert "| gold cited |" in table and "| seconds per answer (mean) |" in table
    assert "| invented citations removed | 0 | 1 |" in table
    files = eval_llm.write(result, out)
    assert "Extractive vs LLM" in Path(files["md"]).read_text()

    n_requests = len(fake_openai.chat_requests)
    again = run(resume=True)  # nothing left to ask: the checkpoint answers
    assert len(fake_openai.chat_requests) == n_requests
    assert again["llm"]["overall"] == llm["overall"]
    run(resume=False)  # a fresh run asks again (the scripted server has no reply left: fallback)
    assert len(fake_openai.chat_requests) > n_requests


def test_a_run_with_a_reply_cache_replays_and_counts_the_models_seconds(
    fake_openai: FakeOpenAI, seed_pipeline: Pipeline, tmp_path: Path
) -> None:
    """A second run over the same questions replays the model's replies (no request) and still
    states the model's cost: each replayed reply counts the seconds it took when it was asked."""
    path = _dataset(tmp_path)
    llm_pipe = _llm_pipe(seed_pipeline, fake_openai, llm_cache_dir=tmp_path / "replies")
    fake_openai.enqueue(
        Reply("Fine-tuning raised task completion by 43.6% in VirtualHome [1].", chunk_delay=0.05)
    )

    def run() -> dict:
        return eval_llm.compare_runs(
            seed_pipeline, llm_pipe, path, out=tmp_path / "r", log=lambda m: None
        )

    first = run()
    n = len(fake_openai.chat_requests)
    second = run()
    assert len(fake_openai.chat_requests) == n  # nothing asked again
    assert first["llm"]["rows"][0]["answer"] == second["llm"]["rows"][0]["answer"]
    assert first["llm"]["overall"]["gold_cited"] == second["llm"]["overall"]["gold_cited"] == 1.0
    cost1, cost2 = first["llm"]["cost"], second["llm"]["cost"]
    assert cost1["replayed"] == 0 and cost2["replayed"] == 1
    # the replayed reply brings its recorded seconds into its turn's latency (the model's cost)
    (entry,) = (tmp_path / "replies").glob("*.json")
    recorded = json.loads(entry.read_text())["seconds"]
    assert recorded >= 0.3  # ~12 chunks 0.05 s apart
    row = next(r for r in second["llm"]["rows"] if r["id"] == "factoid-001")
    assert row["replayed"] == 1 and row["latency_ms"] >= recorded * 1000
    assert cost2["seconds_per_answer"] >= recorded / cost2["answers"]
