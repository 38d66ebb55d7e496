"""Which exceptions are the user's to fix (shown as one line) rather than bugs (traceback).

Besides our own errors, two failures come from outside and must read as one line that says what
happened and what to run: the Chroma server going away in the middle of a command (httpx transport
errors: refused, reset, closed mid-reply) and a store that cannot be written (a full disk shows up
as a `chromadb.errors.InternalError` from the embedded store, or ENOSPC/EFBIG from our own files).
Nothing is lost in either case: ingest writes a paper's new chunks before deleting its old ones
and the BM25 index is rebuilt from Chroma when it disagrees, so the advice is always the same:
bring the server back or free space, run `rag check`, re-run an interrupted ingest.
"""

from __future__ import annotations

import errno
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from rag.settings import Settings

_DISK_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_DISK_WORDS = ("disk is full", "no space left", "file too large", "disk quota")


def is_user_error(exc: BaseException) -> bool:
    from rag.indexing import IngestLockedError
    from rag.store import StoreError

    return isinstance(
        exc, StoreError | IngestLockedError | FileNotFoundError | PermissionError
    ) or _is_outside_failure(exc)


def user_message(exc: BaseException, settings: Settings, command: str = "") -> str | None:
    """One line for a failure the user can act on, or None for a bug (show the traceback)."""
    if _is_disk_full(exc):
        return _disk_message(exc, settings, command)
    if _is_transport(exc):
        return _connection_message(exc, settings, command)
    if _is_chroma(exc):
        return _chroma_message(exc, settings, command)
    if is_user_error(exc):
        return str(exc)
    return None


# --- classification ----------------------------------------------------------------------------
def _is_outside_failure(exc: BaseException) -> bool:
    return _is_disk_full(exc) or _is_transport(exc) or _is_chroma(exc)


def _is_transport(exc: BaseException) -> bool:
    httpx = sys.modules.get("httpx")  # not imported: the error cannot be one of its
    return httpx is not None and isinstance(exc, httpx.TransportError)


def _is_chroma(exc: BaseException) -> bool:
    errors = sys.modules.get("chromadb.errors")
    return errors is not None and isinstance(exc, errors.ChromaError)


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return True
    return _is_chroma(exc) and any(w in str(exc).lower() for w in _DISK_WORDS)


# --- messages ----------------------------------------------------------------------------------
def _then(command: str) -> str:
    """What to run afterwards: check the store; an interrupted ingest resumes when re-run."""
    if command == "ingest":
        return "then re-run the same `rag ingest` (it resumes) and `rag check`"
    return "then run `rag check` and try again"


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _connection_message(exc: BaseException, settings: Settings, command: str) -> str:
    target = _request_target(exc)
    chroma = settings.chroma_url
    if chroma and (target is None or target == _netloc(chroma)):
        what = f"lost the connection to the Chroma server at {chroma} ({_brief(exc)})"
        return f"{what}; nothing written so far is lost: start the server, {_then(command)}"
    where = f" to {target}" if target else ""
    return f"network error{where} ({_brief(exc)}); {_then(command)}"


def _chroma_message(exc: BaseException, settings: Settings, command: str) -> str:
    free = _free_space(settings)
    hint = f"; {free} free on the disk holding it (a full disk shows up like this)" if free else ""
    return (
        f"the store at {settings.store_location} failed ({_brief(exc)}){hint}; fix that, "
        f"{_then(command)}"
    )


def _disk_message(exc: BaseException, settings: Settings, command: str) -> str:
    name = getattr(exc, "filename", None)
    where = f"writing {name}" if name else f"writing the store at {settings.store_location}"
    free = _free_space(settings)
    left = f" ({free} free)" if free else ""
    return (
        f"the disk is full{left}: {where} failed ({_brief(exc)}); nothing stored before is lost: "
        f"free space, {_then(command)}"
    )


def _request_target(exc: BaseException) -> str | None:
    try:
        url = exc.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is set
        return None
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _free_space(settings: Settings) -> str | None:
    """Free space where the embedded store lives (a server's disk is not ours to see)."""
    if settings.chroma_url:
        return None
    path = Path(settings.home)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        return None
    return f"{free / 2**20:.1f} MiB" if free < 2**30 else f"{free / 2**30:.1f} GiB"
