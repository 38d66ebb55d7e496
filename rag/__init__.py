"""rag: chat over research-paper abstracts with citations a reader can check."""

from rag import offline as _offline

_offline.configure()

__version__ = "0.1.0"
