"""The Library page's parts: upload + ingest on a job that page reruns cannot interrupt, the
outcome in the tone of what happened, and the paper list."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from rag.display import paper_meta_line
from rag.loading import SUPPORTED_SUFFIXES
from rag.markup import escape_markdown
from rag.pipeline import Pipeline
from rag.schema import Paper
from rag.upload import UploadOutcome, ingest_upload
from ui.widgets.session import clear_stats_cache

JOB = "ingest_job"
POLL_S = 0.25


@dataclass
class IngestJob:
    """One upload being ingested on its own thread. A rerun (a search typed meanwhile) stops
    only the page's polling; the page finds the job in session state and keeps showing it."""

    name: str
    done: int = 0
    total: int = 0
    outcome: UploadOutcome | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def run(self, pipe: Pipeline, data: bytes) -> None:
        try:
            self.outcome = ingest_upload(pipe, self.name, data, on_progress=self._progress)
        finally:
            clear_stats_cache()
            self.finished.set()

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def _show_outcome(outcome: UploadOutcome, limit: int = 100) -> None:
    level, text = outcome.headline()
    show = {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success}
    show[level](escape_markdown(text))
    if len(outcome.errors) > 1 or (outcome.errors and level != "error"):
        st.caption(f"{len(outcome.errors)} record(s) skipped:")
        st.text("\n".join(str(i) for i in outcome.errors[:limit]))
    if outcome.warnings:
        st.caption(f"{len(outcome.warnings)} warning(s):")
        st.text("\n".join(str(i) for i in outcome.warnings[:limit]))


def render_upload(pipe: Pipeline) -> None:
    """Upload one file in any format `rag ingest` reads; its ingest runs as a job whose progress
    and then outcome replace each other in one place (no stale result beside a new run)."""
    job: IngestJob | None = st.session_state.get(JOB)
    running = job is not None and not job.finished.is_set()
    up = st.file_uploader(
        "Add papers (" + ", ".join(SUPPORTED_SUFFIXES) + ")",
        type=list(SUPPORTED_SUFFIXES),
        key="upload",
    )
    start = st.button("Ingest this file", key="ingest", disabled=up is None or running)
    slot = st.empty()
    if start and up is not None and not running:
        job = IngestJob(up.name)
        st.session_state[JOB] = job
        threading.Thread(target=job.run, args=(pipe, up.getvalue()), daemon=True).start()
    if job is None:
        return
    if not job.finished.is_set():
        while not job.finished.is_set():
            frac = min(1.0, job.done / job.total) if job.total else 0.0
            text = f"Ingesting {job.name}: embedded {job.done} of {job.total} papers"
            slot.progress(
                frac, text=escape_markdown(text if job.total else f"Reading {job.name}...")
            )
            time.sleep(POLL_S)
        st.rerun()  # the page's count and list, drawn before, now include the new papers
    with slot.container():
        if job.outcome is not None:
            _show_outcome(job.outcome)


def render_paper(p: Paper) -> None:
    label = escape_markdown(p.title) + (f" ({p.year})" if p.year else "")
    with st.expander(label):
        st.caption(escape_markdown(paper_meta_line(p.id, p.year, p.venue)))
        if p.authors:
            st.caption(escape_markdown(", ".join(p.authors)))
        st.text(p.abstract)
