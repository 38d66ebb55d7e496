"""A disk cache of LLM replies, keyed by everything the reply depends on.

Why: a small model on 2 cores takes ~17 s per answer, so one pass of the eval set through it costs
hours, while most changes to the LLM path (citation checks, fallbacks, screening rules) act on the
model's reply, not on the prompt. With `RAG_LLM_CACHE_DIR` set (`rag eval run --llm --llm-cache
DIR`), a reply to a request already sent (same model name, messages, temperature and token
budget; not the endpoint, since a local server gets a new port each run) is replayed from disk in
milliseconds and only new prompts reach the model. Each entry keeps the seconds the model took, so a report over replayed replies still states the model's cost
(`ReplyCache.replayed_s`). Off by default: a chat user wants the model, not yesterday's reply.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_CACHES: dict[Path, ReplyCache] = {}


class ReplyCache:
    """One directory of `<sha256>.json` files {"text", "seconds"}; counts hits since creation."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.hits = 0
        self.replayed_s = 0.0  # the recorded model seconds of every replayed reply
        self.stored = 0

    @staticmethod
    def key(request: dict[str, Any]) -> str:
        blob = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        try:
            entry = json.loads((self.dir / f"{key}.json").read_text(encoding="utf-8"))
            text = entry["text"]
            seconds = float(entry.get("seconds", 0.0))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: ask the model
        if not isinstance(text, str):
            return None
        with _LOCK:
            self.hits += 1
            self.replayed_s += seconds
        return text

    def put(self, key: str, text: str, seconds: float) -> None:
        """Atomic write (a run killed mid-write leaves no half entry)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps({"text": text, "seconds": round(seconds, 3)}), encoding="utf-8")
        os.replace(tmp, self.dir / f"{key}.json")
        with _LOCK:
            self.stored += 1

    def counters(self) -> tuple[int, float]:
        with _LOCK:
            return self.hits, self.replayed_s


def cache_for(directory: Path | None) -> ReplyCache | None:
    """The one cache object per directory (so every client of a run adds to the same counters)."""
    if directory is None:
        return None
    path = Path(directory).expanduser().resolve()
    with _LOCK:
        cache = _CACHES.get(path)
        if cache is None:
            cache = _CACHES[path] = ReplyCache(path)
        return cache
