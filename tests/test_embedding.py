"""The ONNX embedding path: same vectors as sentence-transformers, a torch-free query process, a
fail-fast ingest of a missing path, and a cached graph that is rebuilt when its checksums do not
match. The real packaged model throughout; torch is loaded once here, as the reference."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.chunking import embed_text, paper_nodes
from rag.embedding import (
    LocalEmbedder,
    OnnxEmbedder,
    TorchEmbedder,
    embed_for_ingest,
    get_embedder,
    packaged_model_dir,
)
from rag.loading import load_papers
from rag.onnx_graph import GRAPH, MANIFEST, graph_path, weights_digest
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"
QUERY_PATH_FORBIDDEN = ("torch", "sentence_transformers", "transformers", "llama_index.core")


@pytest.fixture(scope="module")
def seed_chunks() -> list[str]:
    settings = Settings()
    papers = load_papers([SEED_FILE]).papers
    return [
        embed_text(n)
        for p in papers
        for n in paper_nodes(p, settings.chunk_size, settings.chunk_overlap)
    ]


@pytest.fixture(scope="module")
def torch_vectors(seed_chunks: list[str]) -> np.ndarray:
    return TorchEmbedder("cpu").embed_documents(seed_chunks)


def test_onnx_fp32_matches_torch_on_every_seed_chunk(
    seed_chunks: list[str], torch_vectors: np.ndarray
) -> None:
    emb = get_embedder(Settings(embed_device="cpu", embed_quant="fp32"))
    assert isinstance(emb, LocalEmbedder) and emb.dim == 384
    got = emb.embed_documents(seed_chunks)
    assert np.array_equal(embed_for_ingest(emb, seed_chunks), got)  # fp32 ingest: one graph
    cos = (got * torch_vectors).sum(1)
    assert len(cos) == len(seed_chunks) > 150
    assert cos.min() >= 0.999, seed_chunks[int(cos.argmin())][:80]
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # a query alone (no padding) and the same text inside a length-sorted batch agree
    single = emb.embed_query(seed_chunks[5])
    assert float(single @ got[5]) >= 0.99999


def test_int8_ingest_stays_close_and_queries_stay_exact(
    seed_chunks: list[str], torch_vectors: np.ndarray
) -> None:
    """The default: ingest embeds with the int8 graph, an approximation whose quantisation recipe
    (per-channel MatMul weights) this guards (worst seed chunk ~0.989; per-tensor weights gave
    0.89); queries and answer sentences stay on fp32."""
    emb = get_embedder(Settings(embed_device="cpu", embed_quant="int8"))
    bulk = embed_for_ingest(emb, seed_chunks)
    cos = (bulk * torch_vectors).sum(1)
    assert cos.min() >= 0.98 and cos.mean() >= 0.99
    assert cos.max() < 0.99999  # it really is the int8 graph
    exact = emb.embed_documents(seed_chunks[:20])
    assert (exact * torch_vectors[:20]).sum(1).min() >= 0.999
    assert float(emb.embed_query(seed_chunks[3]) @ torch_vectors[3]) >= 0.999


def test_long_text_is_cut_at_the_packaged_max_length() -> None:
    """sentence-transformers reads 256 word pieces (sentence_bert_config.json); the tokenizer
    file says 128. Text after piece 256 must not change the vector; text before it must."""
    emb = get_embedder(Settings(embed_device="cpu"))
    words = [f"w{i}" for i in range(400)]  # "w12" is 2+ word pieces: well over 256 in all
    base = emb.embed_documents([" ".join(words)])[0]
    tail_changed = emb.embed_documents([" ".join(words[:-5] + ["protein"] * 5)])[0]
    head_changed = emb.embed_documents([" ".join(["protein"] * 5 + words[5:])])[0]
    assert float(base @ tail_changed) > 0.99999
    assert float(base @ head_changed) < 0.999


def _run_importtime(args: list[str], home: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    env = dict(os.environ, RAG_HOME=str(home))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rag.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    modules = {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    return proc, modules


def test_fresh_search_process_imports_no_torch(seed_home: Path) -> None:
    proc, modules = _run_importtime(["search", "robot fine-tuning", "--json", "-k", "3"], seed_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    hits = json.loads(proc.stdout)["results"]
    assert hits[0]["paper_id"].startswith("robot-fine-tuning-made-easy")
    assert "onnxruntime" in modules and "chromadb" in modules  # the import list is real
    assert not [m for m in QUERY_PATH_FORBIDDEN if m in modules]


def test_stats_and_argument_errors_import_only_what_they_need(seed_home: Path) -> None:
    proc, modules = _run_importtime(["stats"], seed_home)
    assert proc.returncode == 0 and json.loads(proc.stdout)["chunks"] > 0
    assert "chromadb" in modules
    assert not {"onnxruntime", "bm25s", *QUERY_PATH_FORBIDDEN} & modules

    proc, modules = _run_importtime(["search", "-k", "many", "q"], seed_home)
    assert proc.returncode == 2 and "argument -k" in proc.stderr
    assert not {"chromadb", "onnxruntime", "pydantic_settings", *QUERY_PATH_FORBIDDEN} & modules


def test_ingest_of_a_missing_path_fails_before_loading_anything(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing = tmp_path / "no" / "such.jsonl"
    proc, modules = _run_importtime(["ingest", str(SEED_FILE), str(missing)], home)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("import time:")]
    assert errors == [
        f"{missing}: error: no such file or directory",
        "rag ingest: error: nothing was ingested: fix or drop the missing path(s)",
    ]
    assert not {"chromadb", "onnxruntime", *QUERY_PATH_FORBIDDEN} & modules
    assert not home.exists()  # nothing was opened or created


def test_graph_cache_rebuilds_on_checksum_mismatch(tmp_path: Path) -> None:
    """A private copy of the packaged model and a private cache: build once, survive a touched
    (unchanged) weights file without rebuilding, rebuild a damaged graph, and key a changed
    config to another folder."""
    model = tmp_path / "model"
    shutil.copytree(packaged_model_dir(), model)
    cache = tmp_path / "cache"

    int8 = graph_path("int8", cache, model, progress=False)
    fp32 = graph_path("fp32", cache, model, progress=False)
    assert int8.parent.parent == fp32.parent.parent  # one folder per weights hash
    data = fp32.with_name(GRAPH + ".data")
    built = {p: p.stat().st_mtime_ns for p in (data, int8.with_name(GRAPH + ".data"))}
    reference = OnnxEmbedder(fp32, model).embed_documents(["protein folding", "robot arms"])

    # same content, new mtime: re-hashed, found equal, nothing rebuilt
    os.utime(model / "model.safetensors")
    assert graph_path("fp32", cache, model, progress=False) == fp32
    assert {p: p.stat().st_mtime_ns for p in built} == built

    # a damaged int8 graph is rebuilt (from the fp32 graph, which stays as it was)
    bad = int8.with_name(GRAPH + ".data")
    with bad.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\xff" * 64)
    assert graph_path("int8", cache, model, progress=False) == int8
    manifest = json.loads((int8.parent.parent / MANIFEST).read_text())
    rec = manifest["graphs"]["int8"]["files"][GRAPH + ".data"]
    assert bad.stat().st_mtime_ns != built[bad] and rec["stat"][1] == bad.stat().st_mtime_ns
    assert data.stat().st_mtime_ns == built[data]
    q = OnnxEmbedder(int8, model).embed_documents(["protein folding", "robot arms"])
    assert (q * reference).sum(1).min() > 0.98

    # other weights or config: another key, so the existing graph is not used for them
    before = weights_digest(model)
    with (model / "config.json").open("a") as fh:
        fh.write("\n")
    assert weights_digest(model) != before
