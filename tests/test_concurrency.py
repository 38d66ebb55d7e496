"""One writer at a time (a second ingest is refused with a message naming the store), and many
threads searching through one Pipeline get exactly what sequential searches get."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT

from rag.cli import main
from rag.indexing import IngestLockedError, writer_lock
from rag.pipeline import Pipeline
from rag.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"

QUERIES = [
    "RoboFuME robot fine-tuning",
    "vision language action model open source",
    "continual pre-training stability gap",
    "biomedical domain specific pretraining",
    "protein transfer learning benchmark",
    "Minecraft video pretraining",
    "legal text classification",
    "cybersecurity language model",
    "human preferences pretraining",
    "graph neural network pretraining",
    "medical image encoders",
    "data quality for pre-training",
    "in-context reinforcement learning",
    "parameter efficient transfer learning",
    "language corrections for robots",
    "self-distillation transformers",
    "multilingual byte-level models",
    "URL classification",
    "knowledge enhanced pre-training",
    "offline RL from internet videos",
    "resume recommendation",
    "semantic segmentation self-training",
    "ad-hoc retrieval pre-training",
    "generative flow networks",
    "metadata conditioning",
]


def _signature(hits: list) -> list[tuple]:
    return [(h.paper_id, round(h.score, 5), h.chunk_id, h.evidence) for h in hits]


def test_second_ingest_is_refused_while_one_is_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home)
    lock = writer_lock(settings)
    try:
        # another process: clear one-line message naming the store, exit code 1
        env = dict(os.environ, RAG_HOME=str(home))
        proc = subprocess.run(
            [sys.executable, "-m", "rag.cli", "ingest", str(FILTER_PAPERS), "--wait", "0.3"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 1, proc.stderr
        assert "another ingest is writing" in proc.stderr
        assert str(home.resolve()) in proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""

        # the same process, through the CLI and the library
        monkeypatch.setenv("RAG_HOME", str(home))
        assert main(["ingest", str(FILTER_PAPERS)]) == 1
        assert str(home.resolve()) in capsys.readouterr().err
        pipe = Pipeline(settings)
        with pytest.raises(IngestLockedError, match="another ingest"):
            pipe.ingest([FILTER_PAPERS], progress=False)
        assert pipe.store.count() == 0  # nothing was written by the refused ingests
    finally:
        lock.release()

    report = Pipeline(settings).ingest([FILTER_PAPERS], progress=False)  # free again
    assert report.added == 10


def test_check_repair_is_refused_while_ingest_holds_the_lock(tmp_path: Path) -> None:
    from rag.consistency import check

    settings = Settings(home=tmp_path / "home")
    lock = writer_lock(settings)
    try:
        with pytest.raises(IngestLockedError):
            check(Pipeline(settings), repair=True)
        assert "ok" in check(Pipeline(settings))  # a read-only check still runs
    finally:
        lock.release()


def test_threads_share_one_pipeline_without_cross_talk(seed_home: Path) -> None:
    sequential_pipe = Pipeline(Settings(home=seed_home))
    expected = {q: _signature(sequential_pipe.search(q, k=5)) for q in QUERIES}
    assert len({tuple(v[0][:1]) for v in expected.values()}) > 15  # the queries differ

    shared = Pipeline(Settings(home=seed_home))  # parts opened lazily, racing on first use
    errors: list[BaseException] = []
    mismatches: list[tuple[str, list, list]] = []
    done = [0]
    count_lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(seed: int) -> None:
        order = list(QUERIES)
        random.Random(seed).shuffle(order)
        try:
            start.wait()
            for q in order:
                got = _signature(shared.search(q, k=5))
                if got != expected[q]:
                    mismatches.append((q, got, expected[q]))
                with count_lock:
                    done[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:3]
    assert not mismatches, mismatches[:2]
    assert done[0] == 8 * 25
