"""One typed settings object for the whole library; every front end builds it and passes it in.

Environment prefix `RAG_`; the LLM key and endpoint also follow the `openai` client's own variables
(`OPENAI_API_KEY`, `OPENAI_BASE_URL`) so existing set-ups work unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# the models `rag llm serve` serves (rag/local_llm.py) and the budgets they get by default
SMALL_MODELS = frozenset({"qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-0.5b-instruct"})
SMALL_MODEL_BUDGET: dict[str, object] = {
    "llm_sources": 4,
    "llm_excerpt": 5,
    "llm_max_tokens": 300,
    "llm_screen_max": 20,
    "llm_screen_batch": 10,
    "llm_timeout": 180.0,  # the first token waits for the whole prompt to be read
    "llm_max_retries": 1,
    "llm_no_answer_fallback": True,
    # tune factoids through the 1.5B, replayed (rag/replies.py): gold cited 0.926 with no such
    # fallback, 0.958 above half flagged (19 fallbacks of 95), 0.968 on any flagged (27)
    "llm_flagged_fallback": 0.5,
    "llm_screen_mode": "add",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", populate_by_name=True)

    # storage
    home: Path = Field(default=Path(".rag"), description="store directory (Chroma + BM25 + lock)")
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server")
    collection: str = "papers"

    # chunking: MiniLM reads 256 word pieces; ~200 tiktoken tokens + title stays under that
    chunk_size: int = 200
    chunk_overlap: int = 30

    # embedding
    embed_backend: Literal["local", "openai"] = "local"
    embed_model: str = "all-MiniLM-L6-v2"  # local: packaged model; openai: the endpoint's model
    # cpu: ONNX Runtime, no torch; cuda: sentence-transformers on the GPU; auto: ONNX for queries,
    # the GPU for ingest when one is present (rag/embedding.py)
    embed_device: Literal["auto", "cpu", "cuda"] = "auto"
    # the ONNX graph ingest embeds with (queries and answers always use fp32): int8 embeds ~2.2x
    # faster than torch fp32 on CPU (fp32 ONNX ~1.3x) for SciFact train nDCG@10 0.728 vs 0.732
    # (README "Ingest and query speed", bench/embed_speed.py)
    embed_quant: Literal["fp32", "int8"] = "int8"
    model_cache: Path | None = None  # where the ONNX graphs are cached; default ~/.cache/rag
    embed_batch_size: int = 64
    embed_base_url: str | None = None  # for embed_backend=openai; defaults to llm_base_url

    # writes to Chroma in batches below its max batch size
    write_batch_size: int = 2000

    # retrieval
    top_k: int = 10
    candidate_k: int = 100  # per retriever, before fusion
    # chosen by bench/tune_fusion.py on SciFact train + the seed questions (README, "Retrieval"):
    # min-max normalised weighted sum, 0.4 dense: 0.732 nDCG@10 on SciFact train vs 0.715 for the
    # best RRF; z-scores scored 0.002 higher there but collapse when BM25 matches a single paper
    # (its z-score is 0), which loses exact-fact queries such as "43.6% VirtualHome"
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = 0.4
    fusion_norm: Literal["max", "minmax", "zscore"] = "minmax"
    rrf_k: int = 60

    # answering
    llm_model: str | None = None
    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("RAG_LLM_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RAG_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = 30.0  # seconds of silence (connect, first byte, between chunks)
    # seconds one LLM call may take in all, streamed reply included (a server trickling tokens
    # or keep-alive comments never trips llm_timeout); past it the extractive answer is shown
    llm_deadline: float = 120.0
    llm_max_retries: int = 2
    llm_temperature: float = 0.0
    llm_max_tokens: int = 800
    # how many of the retrieved abstracts (best first) the LLM sees; None: all top_k
    llm_sources: int | None = None
    # sentences of each source abstract the answer prompt shows (its best for the question, in
    # abstract order); None: the whole abstract
    llm_excerpt: int | None = None
    # compare mode: how many screened papers (pre-ranked offline, best first) the LLM judges, in
    # batches of llm_screen_batch; None: all of them
    llm_screen_max: int | None = None
    llm_screen_batch: int = 10
    # when the model says it found no answer to a question the answerability gate passed: show
    # the extractive answer as a labelled fallback instead of abstaining (small models abstain
    # needlessly; on for them by default)
    llm_no_answer_fallback: bool = False
    # when more than this share of the model's sentences are flagged (no cited source supports
    # them, or they cite nothing): show the extractive answer as a labelled fallback; None: never
    llm_flagged_fallback: float | None = None
    # compare mode with an LLM: "decide" (the model's yes/no per paper stands) or "add" (the
    # offline matches stand and the model may add papers; for small models, whose yes/no
    # screening says no to nearly everything: compare F1 0.10 vs 0.77 offline on a sample)
    llm_screen_mode: Literal["decide", "add"] = "decide"
    prompts_dir: Path | None = None  # default: the repository's prompts/
    # replay replies to requests already sent from this directory (rag/replies.py; for eval runs
    # that re-score the LLM path without re-asking the model); None: always ask
    llm_cache_dir: Path | None = None

    # local model (`rag llm setup|serve`, rag/local_llm.py): runtime and weights live under
    # llm_home (default: the user's cache dir, rag/llm), outside the repository
    llm_home: Path | None = None
    llm_threads: int | None = None  # llama-server threads (default: all cores but one)
    llm_ctx: int = 8192

    @model_validator(mode="after")
    def _small_model_budget(self) -> Settings:
        """The local models of `rag llm setup` get CPU-sized budgets unless a value is set
        explicitly: on 2 cores each 1k prompt tokens costs ~8 s and each 100 generated ~4 s."""
        if self.llm_model and self.llm_model.strip().lower() in SMALL_MODELS:
            for name, value in SMALL_MODEL_BUDGET.items():
                if name not in self.model_fields_set:
                    self.__dict__[name] = value  # not marked as set: an explicit value still wins
        return self

    @property
    def store_location(self) -> str:
        return self.chroma_url or str(self.home.resolve())
