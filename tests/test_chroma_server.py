"""The Chroma server path: a real `chroma run` on loopback, RAG_CHROMA_URL pointing at it; ingest,
search, restart the server, and the data is still there."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.cli import main
from rag.consistency import check
from rag.pipeline import Pipeline
from rag.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"
START_TIMEOUT_S = 90


def _chroma_exe() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    if beside.exists():
        return str(beside)
    return shutil.which("chroma")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, exe: str, path: Path, log: Path) -> None:
        self.exe, self.path, self.log = exe, path, log
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _alive(self) -> bool:
        for api in ("v2", "v1"):
            try:
                with urllib.request.urlopen(f"{self.url}/api/{api}/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                continue
        return False

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.exe,
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma server exited ({self.proc.returncode}):\n{self.log_text()}")
            if self._alive():
                return
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"chroma server did not answer within {START_TIMEOUT_S}s:\n{self.log_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    exe = _chroma_exe()
    if exe is None:  # chromadb installs it: missing means a broken install, not a skip
        pytest.fail("the `chroma` CLI (chromadb's server) is not installed")
    server = ChromaServer(exe, tmp_path / "chroma-data", tmp_path / "chroma.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_ingest_search_and_restart_over_http(
    chroma_server: ChromaServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RAG_CHROMA_URL", chroma_server.url)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))  # BM25 index + lock stay local

    pipe = Pipeline(Settings())
    report = pipe.ingest([FILTER_PAPERS], progress=False)
    assert report.added == 10 and report.chunks_written == 10
    assert not (tmp_path / "home" / "chroma").exists()  # nothing written to embedded Chroma
    assert pipe.store.count() == 10
    first = [h.paper_id for h in pipe.search("protein language model structure", k=3)]
    assert first[0] == "core-f06"
    assert pipe.search("speech recognition", k=1, method="bm25")[0].paper_id == "core-f07"
    assert main(["stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["store"] == chroma_server.url
    assert (stats["papers"], stats["chunks"]) == (10, 10)

    # restart the server on the same data directory and port: everything is still there
    chroma_server.stop()
    chroma_server.start()
    again = Pipeline(Settings())
    assert again.store.count() == 10
    assert again.store.model_info() == ("all-MiniLM-L6-v2", 384)
    assert [h.paper_id for h in again.search("protein language model structure", k=3)] == first
    report = again.ingest([FILTER_PAPERS], progress=False)
    assert (report.unchanged, report.chunks_written) == (10, 0)
    assert check(again)["ok"]

    assert main(["search", "weather forecasting", "-k", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["results"][0]["paper_id"] == "core-f08"


def test_unreachable_server_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()  # nothing listens here
    monkeypatch.setenv("RAG_CHROMA_URL", f"http://127.0.0.1:{port}")
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rag: error:")
    assert f"127.0.0.1:{port}" in err
    assert "Traceback" not in err
