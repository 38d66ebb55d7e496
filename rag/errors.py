"""Which exceptions are the user's to fix (shown as one line) rather than bugs (traceback)."""

from __future__ import annotations


def is_user_error(exc: BaseException) -> bool:
    from rag.indexing import IngestLockedError
    from rag.store import StoreError

    return isinstance(exc, StoreError | IngestLockedError | FileNotFoundError | PermissionError)
