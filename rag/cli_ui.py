"""`rag ui [--port P]`: start the Streamlit chat on 127.0.0.1, ingesting the seeds first if the
store is empty (so a fresh checkout opens on something to ask about).

It runs `python -m ui.serve`, which starts warming the pipeline before Streamlit serves the first
page. The Streamlit options are passed as flags, not only via `.streamlit/config.toml`, because
Streamlit reads that file from the current directory and `rag ui` may be run from anywhere.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "ui" / "app.py"
SEEDS = ROOT / "seeds"
DEFAULT_PORT = 8501


def register(sub: Any, ev: Any, helpers: Any) -> None:
    s = sub.add_parser("ui", help="start the chat in the browser (Streamlit, 127.0.0.1)")
    s.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port (default: $STREAMLIT_SERVER_PORT or {DEFAULT_PORT})",
    )
    s.add_argument(
        "--local-llm",
        nargs="?",
        const="default",
        default=None,
        metavar="MODEL",
        help="also serve a local model (`rag llm setup`) and answer with it; stopped with the UI",
    )
    s.set_defaults(func=lambda args: cmd_ui(args, helpers))


def resolve_port(cli_port: int | None, env: dict[str, str] | None = None) -> int:
    """--port wins, then STREAMLIT_SERVER_PORT, then 8501."""
    if cli_port:
        return int(cli_port)
    env = dict(os.environ) if env is None else env
    raw = env.get("STREAMLIT_SERVER_PORT", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_PORT


def streamlit_command(port: int, app: Path = APP) -> list[str]:
    """The `streamlit run` argv (through `ui.serve`, which warms the pipeline first): loopback
    only, headless, no usage statistics, no file watcher."""
    return [
        sys.executable,
        "-m",
        "ui.serve",
        "run",
        str(app),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def ensure_seeded(pipe: Any, err: Any) -> None:
    """Ingest `seeds/` when the store holds nothing yet."""
    if pipe.store.count() > 0:
        return
    if not SEEDS.is_dir():
        err(f"rag ui: the store is empty and {SEEDS} is missing; add papers with `rag ingest`")
        return
    from rag.indexing import summarise

    err(f"rag ui: the store is empty; ingesting the seed abstracts from {SEEDS}")
    report = pipe.ingest([SEEDS], progress=True)
    err(f"rag ui: {summarise(report)}")


def cmd_ui(args: argparse.Namespace, helpers: Any) -> int:
    pipe = helpers.pipeline(args)
    ensure_seeded(pipe, helpers.err)
    port = resolve_port(args.port)
    env = dict(os.environ)
    if not pipe.settings.chroma_url:
        # the app must open the same store even though Streamlit may change its cwd later
        env["RAG_HOME"] = str(pipe.settings.home.resolve())
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    cmd = streamlit_command(port)
    if args.local_llm:
        return _ui_with_local_llm(args, helpers, cmd, env, port)
    helpers.err(f"rag ui: http://127.0.0.1:{port}  (Ctrl+C to stop)")
    if os.name == "posix":
        # become Streamlit: Ctrl+C, SIGTERM and the exit status then reach it directly, and no
        # orphaned server is left behind when this process is killed
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(cmd[0], cmd, env)
    return subprocess.call(cmd, env=env)  # pragma: no cover - non-POSIX


def _ui_with_local_llm(
    args: argparse.Namespace, helpers: Any, cmd: list[str], env: dict[str, str], port: int
) -> int:
    """Serve the local model, run Streamlit pointed at it as a child, and stop both together
    (Ctrl+C, SIGTERM, or either one exiting)."""
    import signal

    from rag.local_llm import LocalLLMError, LocalServer, signals_deferred
    from rag.settings import Settings

    server = LocalServer.from_settings(args.local_llm, Settings())
    server.log_file = server.layout.home / f"server-ui-{port}.log"

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    ui: subprocess.Popen[bytes] | None = None
    try:
        helpers.err(f"rag ui: starting {server.spec.title} (log {server.log_file})")
        server.start()
        env = {**env, "OPENAI_BASE_URL": server.base_url, "RAG_LLM_MODEL": server.spec.key}
        helpers.err(
            f"rag ui: http://127.0.0.1:{port}, answers by {server.spec.key} (Ctrl+C stops both)"
        )
        ui = subprocess.Popen(cmd, env=env)
        while ui.poll() is None:
            if server.proc is None or server.proc.poll() is not None:
                helpers.err(f"rag ui: the local model stopped; see {server.log_file}")
                return 1
            time.sleep(0.5)
        return ui.returncode
    except LocalLLMError as exc:
        helpers.err(f"rag ui: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        with signals_deferred():  # a second Ctrl+C must not leave either one running
            if ui is not None and ui.poll() is None:
                ui.terminate()
                try:
                    ui.wait(10)
                except subprocess.TimeoutExpired:
                    ui.kill()
            server.stop()
