"""The process-wide Pipeline, warmed once (at server start when launched by `rag ui`), and the
collection overview, kept per store generation.

Why not `st.cache_resource`: `ui.serve` starts warming before Streamlit's runtime exists, so the
registry is a plain module-level dict that the first page load finds already filling.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from rag.display import short_error
from rag.overview import Overview, build_overview
from rag.pipeline import Pipeline
from rag.settings import Settings

log = logging.getLogger(__name__)


def settings_fingerprint(settings: Settings) -> str:
    """A key that changes whenever the settings (incl. the secret key) change, so two apps or
    tests with different RAG_HOME or LLM settings never share a Pipeline; hashed, so it never
    shows the secret."""
    data = settings.model_dump(mode="json")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    data["llm_api_key"] = hashlib.sha256(key.encode()).hexdigest()
    raw = repr(sorted(data.items()))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Warmup:
    """One pipeline being opened and warmed on its own thread."""

    pipe: Pipeline
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    seconds: float = 0.0

    def run(self) -> None:
        t = time.perf_counter()
        try:
            self.pipe.warm()
            overview(self.pipe)
        except BaseException as exc:  # shown on the page; the next load tries again
            log.exception("warming the pipeline failed")
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - t
            self.done.set()


_LOCK = threading.Lock()
_WARMUPS: dict[str, Warmup] = {}
_OVERVIEWS: dict[tuple[str, int, int], Overview] = {}


def start_warmup(settings: Settings) -> Warmup:
    """The warmup for these settings, started on first call (a daemon thread)."""
    key = settings_fingerprint(settings)
    with _LOCK:
        w = _WARMUPS.get(key)
        if w is None or (w.done.is_set() and w.error is not None):
            w = Warmup(Pipeline(settings))
            _WARMUPS[key] = w
            threading.Thread(target=w.run, name="rag-warmup", daemon=True).start()
        return w


def load_pipeline() -> Pipeline | None:
    """The warmed pipeline; while it warms the page says so with the elapsed time. None after
    showing why the collection could not be opened."""
    try:
        w = start_warmup(Settings())
    except Exception as exc:
        log.exception("could not open the pipeline")
        st.error(f"Could not open the collection: {short_error(exc)}")
        return None
    if not w.done.is_set():
        msg = "Loading the collection (search index, embedding model, sentence cache)..."
        with st.spinner(msg, show_time=True):
            w.done.wait()
    if w.error is not None:
        st.error(f"Could not open the collection: {short_error(w.error)}")
        return None
    return w.pipe


def overview(pipe: Pipeline) -> Overview:
    """The collection overview for the store's current generation (rebuilt after an ingest)."""
    store = pipe.store
    key = (settings_fingerprint(pipe.settings), store.generation, store.count())
    with _LOCK:
        found = _OVERVIEWS.get(key)
    if found is not None:
        return found
    ov = build_overview(pipe)
    with _LOCK:
        for k in [k for k in _OVERVIEWS if k[0] == key[0]]:
            del _OVERVIEWS[k]
        _OVERVIEWS[key] = ov
    return ov


def cached_stats(pipe: Pipeline) -> dict[str, Any]:
    """`pipeline.stats()` scans all chunk metadata; cache it briefly per store."""
    return _cached_stats(settings_fingerprint(pipe.settings), pipe)


@st.cache_resource(ttl=30, show_spinner=False)
def _cached_stats(fingerprint: str, _pipe: Pipeline) -> dict[str, Any]:
    return _pipe.stats()


def clear_stats_cache() -> None:
    """Called after an ingest so the sidebar counts are current."""
    _cached_stats.clear()
