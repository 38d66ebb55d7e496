"""`python -m ui.serve run ui/app.py [streamlit flags]`: what `rag ui` runs. Starts warming the
pipeline (store, BM25, embedder, sentence cache, collection overview) on a thread, then runs the
Streamlit CLI in this same process, so the first page load finds the collection loading or
loaded and the first answer is as fast as later ones."""

from __future__ import annotations

import sys
import threading


def _warm() -> None:
    import rag  # noqa: F401  (offline switches before anything else loads)
    from rag.settings import Settings
    from ui.widgets.session import start_warmup

    start_warmup(Settings())


def main(argv: list[str] | None = None) -> int:
    import rag  # noqa: F401

    # imports and warming run beside Streamlit's own start-up
    threading.Thread(target=_warm, name="rag-warm-start", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
