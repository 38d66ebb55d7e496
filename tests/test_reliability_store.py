"""The store when its surroundings fail (issue #13, items 2, 3 and 8), with real processes.

* A real `chroma run` killed in the middle of `rag search` (a request in flight) and of
  `rag ingest` (between its writes): one `rag: error:` line that names the server and says what to
  run, exit 1, no traceback; after a restart `rag check` passes, the re-run ingest completes and
  nothing stored before is lost. (The `rag` processes are real; the checks afterwards run in this
  process, which is cheaper than starting more of them.)
* A disk that fills up during `rag ingest`: a real small filesystem (tmpfs) where this machine may
  mount one, and always a real per-process file-size limit (RLIMIT_FSIZE, which the kernel enforces
  on every write the way a full disk does). Same promises.
* Two writers with different RAG_HOME on one Chroma server (so two different locks), interleaved
  with SIGSTOP/SIGCONT: `rag stats` and `rag check` agree on the paper count.
* Many threads and processes saving the BM25 index at once: every save succeeds.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from test_chroma_server import FILTER_PAPERS, ChromaServer, chroma_server  # noqa: F401

from rag.consistency import check
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.sparse import SparseIndex

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"
RAG = str(Path(sys.executable).with_name("rag"))
WAIT_S = 120  # hang guard for waits on other processes (not a performance bound)


# --- helpers -------------------------------------------------------------------------------------
def rag_env(home: Path, server: ChromaServer | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env["RAG_HOME"] = str(home)
    if server is not None:
        env["RAG_CHROMA_URL"] = server.url
    return env


def run_rag(
    *argv: str, env: dict[str, str], preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RAG, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=preexec,  # noqa: PLW1509 - only sets a resource limit before exec
    )


def start_rag(*argv: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [RAG, *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def error_line(stderr: str) -> str:
    """The one `rag: error:` line; no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.startswith("rag: error:")]
    assert len(lines) == 1, stderr
    return lines[0]


def wait_for(cond: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def collection_meta(server: ChromaServer) -> dict[str, Any]:
    url = (
        f"{server.url}/api/v2/tenants/default_tenant/databases/default_database/collections/papers"
    )
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return dict(json.load(r).get("metadata") or {})
    except OSError:
        return {}


def request_in_flight(port: int) -> bool:
    """A connection to `port` holds bytes the (stopped) server has not read: a request."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "01":
                if int(queues.split(":")[1], 16) > 0:
                    return True
    return False


def process_state(pid: int) -> str:
    """The one-letter state of a process ("T": stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def readable(stream: IO[str] | None) -> bool:
    """The stream has output waiting (without reading it)."""
    return stream is not None and bool(select.select([stream], [], [], 0)[0])


def kill_server(server: ChromaServer) -> None:
    assert server.proc is not None
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=WAIT_S)
    server.proc = None


@pytest.fixture(scope="module")
def seeds30(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 of the seed papers (60 chunks): enough to overflow the small disk, and seconds of
    embedding between an ingest's first store change and its first write."""
    path = tmp_path_factory.mktemp("seeds30") / "seeds30.jsonl"
    papers = load_papers(SEED_FILE).papers[:30]
    rows = [{"id": p.id, "title": p.title, "abstract": p.abstract} for p in papers]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def settings_for(env: dict[str, str]) -> Settings:
    return Settings(home=Path(env["RAG_HOME"]), chroma_url=env.get("RAG_CHROMA_URL"))


def verify(env: dict[str, str], papers: int) -> None:
    """In this process, after the `rag` processes are done: `rag check` passes, every paper is
    there, and a search finds a paper of the first ingest."""
    pipe = Pipeline(settings_for(env))
    result = check(pipe)
    assert result["ok"] and result["papers"] == papers, result
    assert pipe.search("protein language model structure", k=1)[0].paper_id == "core-f06"
    pipe.store.close()


# --- item 2: the Chroma server dies mid-operation -------------------------------------------------
@pytest.mark.timeout(600)
def test_server_killed_mid_search(chroma_server: ChromaServer, tmp_path: Path) -> None:  # noqa: F811
    env = rag_env(tmp_path / "home", chroma_server)
    Pipeline(settings_for(env)).ingest([FILTER_PAPERS], progress=False)

    # `rag search --queries FIFO`: one real process that answers a first query (store open,
    # everything warm), then gets its second query while the server is stopped, and the server
    # is killed with that request in flight
    fifo = tmp_path / "queries.fifo"
    os.mkfifo(fifo)
    proc = start_rag("search", "--json", "-k", "3", "--queries", str(fifo), env=env)
    try:
        with fifo.open("w") as queries:
            queries.write(json.dumps({"id": "q1", "text": "protein language model structure"}))
            queries.write("\n")
            queries.flush()
            first = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
            assert first["results"][0]["paper_id"] == "core-f06"
            assert chroma_server.proc is not None
            chroma_server.proc.send_signal(signal.SIGSTOP)
            # SIGSTOP lands asynchronously: on a busy machine a server still running would
            # answer q2, and the search would then wait for q3 with nothing in flight
            server_pid = chroma_server.proc.pid
            wait_for(lambda: process_state(server_pid) == "T", "the server to stop")
            queries.write(json.dumps({"id": "q2", "text": "weather forecasting"}) + "\n")
            queries.flush()
            # (or the search already ended, or answered: what it wrote is then what the asserts
            # below read, not a two-minute wait for a request that will never come)
            wait_for(
                lambda: (
                    proc.poll() is not None
                    or request_in_flight(chroma_server.port)
                    or readable(proc.stdout)
                ),
                "the search's request",
            )
            assert not readable(proc.stdout), proc.stdout.readline()  # type: ignore[union-attr]
            kill_server(chroma_server)
            out, err = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    line = error_line(err)
    assert f"lost the connection to the Chroma server at {chroma_server.url}" in line, line
    assert "`rag check`" in line and "start the server" in line
    assert out == ""  # no half result line for q2

    chroma_server.start()  # same data directory and port
    verify(env, 10)


@pytest.mark.timeout(600)
def test_server_killed_mid_ingest(
    chroma_server: ChromaServer,  # noqa: F811
    tmp_path: Path,
    seeds30: Path,
) -> None:
    env = rag_env(tmp_path / "home", chroma_server)
    Pipeline(settings_for(env)).ingest([FILTER_PAPERS], progress=False)
    gen = int(collection_meta(chroma_server)["generation"])

    proc = start_rag("ingest", str(seeds30), env=env)
    # the ingest marks the store changed just before it embeds and writes its first batch
    wait_for(
        lambda: int(collection_meta(chroma_server).get("generation", 0)) > gen,
        "the ingest to start writing",
    )
    kill_server(chroma_server)
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 1, err
    line = error_line(err)
    assert f"lost the connection to the Chroma server at {chroma_server.url}" in line, line
    assert "re-run the same `rag ingest` (it resumes)" in line and "`rag check`" in line

    chroma_server.start()
    again = run_rag("ingest", str(seeds30), env=env)
    assert again.returncode == 0, again.stderr
    verify(env, 10 + 30)


# --- item 2: the disk fills up during an ingest ---------------------------------------------------
def _limit_file_size(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


class SmallDisk:
    """Where `rag` writes and how full it may get: a 1.5 MB tmpfs, or a 1 MB file-size limit."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind, self.home = kind, root / "mnt" / "home"
        self.mount = root / "mnt"
        self.mount.mkdir()
        self.mounted = False
        self.limit: Callable[[], None] | None = None

    def __enter__(self) -> SmallDisk:
        if self.kind == "tmpfs":
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(self.mount)],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); rlimit runs")
            self.mounted = True
        else:
            self.limit = _limit_file_size(1_000_123)  # not page-aligned: short writes first
        return self

    def grow(self) -> None:
        """Free space: the disk gets bigger, or the limit goes."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,size=256m", str(self.mount)], check=True)
        self.limit = None

    def __exit__(self, *exc: object) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.mount)], check=False)


@pytest.fixture(params=["tmpfs", "rlimit"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SmallDisk]:
    with SmallDisk(request.param, tmp_path) as disk:
        yield disk


@pytest.mark.timeout(600)
def test_full_disk_during_ingest(small_disk: SmallDisk, seeds30: Path) -> None:
    env = rag_env(small_disk.home)
    first = run_rag("ingest", str(FILTER_PAPERS), env=env, preexec=small_disk.limit)
    assert first.returncode == 0, first.stderr  # 10 papers fit

    full = run_rag("ingest", str(seeds30), env=env, preexec=small_disk.limit)
    assert full.returncode == 1, full.stderr
    line = error_line(full.stderr)
    assert f"the store at {small_disk.home}" in line or "disk is full" in line, line
    assert "free" in line and "re-run the same `rag ingest` (it resumes)" in line, line

    small_disk.grow()
    again = run_rag("ingest", str(seeds30), env=env)
    assert again.returncode == 0, again.stderr
    verify(env, 10 + 30)  # the first 10 were not lost


# --- item 3: two writers with different RAG_HOME on one server -------------------------------------
@pytest.mark.timeout(600)
def test_two_homes_writing_to_one_server_agree_on_the_count(
    chroma_server: ChromaServer,  # noqa: F811
    tmp_path: Path,
    seeds30: Path,
) -> None:
    env_a, env_b = rag_env(tmp_path / "a", chroma_server), rag_env(tmp_path / "b", chroma_server)
    writer_a = start_rag("ingest", str(seeds30), env=env_a)
    try:
        # A has read the store (empty) and is about to embed and write: stop it there
        wait_for(
            lambda: int(collection_meta(chroma_server).get("generation", 0)) > 0,
            "writer A to start",
        )
        writer_a.send_signal(signal.SIGSTOP)
        assert "papers" not in collection_meta(chroma_server), "A finished before it was stopped"
        # B (another RAG_HOME: another lock) ingests its papers from start to end meanwhile
        writer_b = run_rag("ingest", str(FILTER_PAPERS), env=env_b)
        assert writer_b.returncode == 0, writer_b.stderr
    finally:
        writer_a.send_signal(signal.SIGCONT)
    _, err = writer_a.communicate(timeout=600)
    assert writer_a.returncode == 0, err

    pipe = Pipeline(settings_for(env_a))
    stats, result = pipe.stats(), check(pipe)  # what `rag stats` and `rag check` print
    assert result["ok"], result
    assert stats["papers"] == result["papers"] == result["papers_recorded"] == 10 + 30


def test_check_reports_a_stale_paper_count_and_repair_rewrites_it(tmp_path: Path) -> None:
    """What two racing writers can leave behind: a recorded count for the current generation
    that is not the count of the papers stored. `rag check` says so; --repair re-records it."""
    pipe = Pipeline(Settings(home=tmp_path / "home"))
    pipe.ingest([FILTER_PAPERS], progress=False)
    store = pipe.store
    md = store.meta
    store._set_meta(papers=7, papers_generation=md["generation"])  # a record that missed 3
    assert store.paper_count() == 7  # its row count still matches, so `rag stats` trusts it
    result = check(pipe)
    assert not result["ok"] and result["papers_recorded"] == 7 and result["papers"] == 10
    repaired = check(pipe, repair=True)
    assert repaired["repaired"]
    again = check(Pipeline(Settings(home=tmp_path / "home")))
    assert again["ok"] and again["papers_recorded"] == 10


# --- item 8: concurrent saves of the BM25 index ---------------------------------------------------
def test_concurrent_bm25_saves_all_succeed(seed_home: Path, tmp_path: Path) -> None:
    """80 saves of one index path from 8 threads, while 2 other processes save it in a loop:
    each save swaps directories, and before the lock 32 of 80 failed (FileNotFoundError /
    FileExistsError)."""
    settings = Settings(home=seed_home)
    index = Pipeline(settings).sparse
    target = tmp_path / "bm25-papers"
    errors: list[BaseException] = []
    child = (
        "import sys; from pathlib import Path; from rag.sparse import SparseIndex\n"
        "for g in range(20): SparseIndex(None, []).save(Path(sys.argv[1]), 1000 + g, 0)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", child, str(target)], stderr=subprocess.PIPE)
        for _ in range(2)
    ]

    def work(t: int) -> None:
        for i in range(10):
            try:
                index.save(target, t * 100 + i, len(index))
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT_S)
    results = [p.wait(timeout=WAIT_S) for p in procs]
    assert not errors, errors[:3]
    assert results == [0, 0], [p.stderr.read() for p in procs if p.stderr]
    loaded = SparseIndex.load(target)
    assert loaded is not None  # the last save, whichever it was, is whole
    assert not list(tmp_path.glob("bm25-papers.tmp*")) and not list(tmp_path.glob("*.old"))
