"""A file handed over by a front end (an upload), ingested under its own name, and the outcome in
words whose tone matches what happened: nothing added is an error, some records skipped a
warning, everything read a success.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.display import short_error
from rag.schema import IngestReport, LoadIssue

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

log = logging.getLogger(__name__)

MAX_UPLOAD_NAME = 120


def upload_suffix(name: str) -> str | None:
    """The supported (possibly compound, e.g. .jsonl.gz) suffix of an uploaded file name."""
    from rag.loading import SUPPORTED_SUFFIXES

    low = name.lower()
    for suf in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if low.endswith(suf):
            return suf
    return None


def safe_upload_name(name: str) -> str:
    """A file name usable on disk that keeps the original suffix (the loader picks the format by
    suffix) and readable issue locations."""
    base = Path(name.replace("\\", "/")).name or "upload"
    suffix = upload_suffix(base) or ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "upload"
    return stem[:MAX_UPLOAD_NAME] + suffix


@dataclass
class UploadOutcome:
    name: str = ""
    report: IngestReport | None = None
    error: str = ""  # set when nothing was ingested (lock held, unsupported file, failure)

    @property
    def errors(self) -> list[LoadIssue]:
        return [i for i in (self.report.issues if self.report else []) if i.level == "error"]

    @property
    def warnings(self) -> list[LoadIssue]:
        return [i for i in (self.report.issues if self.report else []) if i.level != "error"]

    def headline(self) -> tuple[str, str]:
        """(level, message): level is "error", "warning", "info" (every paper was already in the
        collection, unchanged) or "success", by what happened."""
        if self.error or self.report is None:
            return "error", f"{self.name}: {self.error or 'nothing was read'}"
        r = self.report
        kept = r.added + r.updated + r.unchanged
        counts = f"{r.added} added, {r.updated} updated, {r.unchanged} unchanged"
        if r.skipped:
            counts += f", {r.skipped} skipped"
        if r.duplicates:
            counts += f", {r.duplicates} duplicates merged"
        if kept == 0:
            why = f": {self.errors[0].message}" if self.errors else ""
            return "error", f"{self.name}: no paper was added{why}"
        if self.errors or any(i.lost for i in r.issues):
            return "warning", f"{self.name}: {counts} (some records could not be read)"
        if r.added + r.updated == 0:
            return "info", f"{self.name}: already in the collection, nothing to add ({counts})"
        return "success", f"{self.name}: {counts}; {r.chunks_written} chunks in {r.seconds:.1f} s"


def ingest_upload(
    pipe: Pipeline,
    name: str,
    data: bytes,
    on_progress: Callable[[int, int], None] | None = None,
) -> UploadOutcome:
    """Save an upload under its own name (keeping the suffix) in a temp dir and ingest it.

    A second writer gets the lock message as `error` instead of an exception, so a page can
    show it as one line."""
    from rag.indexing import IngestLockedError

    if upload_suffix(name) is None:
        from rag.loading import SUPPORTED_SUFFIXES

        return UploadOutcome(
            name=name,
            error=f"unsupported file type (supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        path = Path(tmp) / safe_upload_name(name)
        path.write_bytes(data)
        try:
            report = pipe.ingest([path], progress=False, on_progress=on_progress)
        except IngestLockedError as exc:
            return UploadOutcome(name=name, error=str(exc))
        except Exception as exc:  # shown as one line; the traceback goes to the log
            log.exception("ingest of upload %s failed", name)
            return UploadOutcome(name=name, error=short_error(exc))
    report.issues = [_rename_issue(i, str(path), name) for i in report.issues]
    return UploadOutcome(name=name, report=report)


def _rename_issue(issue: LoadIssue, tmp_path: str, name: str) -> LoadIssue:
    """Issue locations name the user's file, not our temp copy."""
    if tmp_path in issue.where:
        return dataclasses.replace(issue, where=issue.where.replace(tmp_path, name))
    return issue
