"""Shared fixtures. The embedding model loads once per session (it is cached per process) and the
79 seed abstracts are ingested once into a session store that end-to-end tests only read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import rag  # noqa: F401  (offline switches before anything else)
from rag.pipeline import Pipeline
from rag.settings import Settings

pytest_plugins = ["fake_openai"]

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"

_ENV_KEYS = (
    "RAG_HOME",
    "RAG_CHROMA_URL",
    "RAG_LLM_MODEL",
    "RAG_LLM_BASE_URL",
    "RAG_LLM_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "RAG_EMBED_BACKEND",
)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own RAG_HOME and no LLM endpoint unless it sets one."""
    for key in _ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "rag-home"))
    from rag.llm import reset_endpoints

    reset_endpoints()  # an endpoint one test found down is not down for the next
    yield


def make_settings(home: Path, **kw: object) -> Settings:
    return Settings(home=home, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("seed-store")
    pipe = Pipeline(Settings(home=home))
    report = pipe.ingest([SEED_FILE], progress=False)
    assert report.added == 79, report
    return home


@pytest.fixture(scope="session")
def seed_pipeline(seed_home: Path) -> Pipeline:
    """A read-only pipeline over the 79 seed abstracts (do not ingest into it)."""
    return Pipeline(Settings(home=seed_home))


@pytest.fixture
def fresh_pipeline(tmp_path: Path) -> Pipeline:
    return Pipeline(Settings(home=tmp_path / "store"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"rag tests; shared data at {SHARED_DATA} ({'present' if SHARED_DATA.exists() else 'absent'})"


os.environ.setdefault("RAG_TEST", "1")
