"""End to end in a real headless browser: `streamlit run ui/app.py` on a free loopback port over
the seed store, driven with Playwright and Debian's chromium.

Why: AppTest does not run the frontend; this proves the page actually renders the chat, the
citations and the <mark>-highlighted evidence in a browser. A screenshot is kept for review in
test-artifacts/ui-chat.png.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = (
    "What does RoboFuME do, and how quickly can it improve on a target task in the real world?"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing (install it with `apt-get install -y chromium`)",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health in {timeout:.0f}s")


@pytest.fixture
def server(seed_home: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, RAG_HOME=str(seed_home), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "ui" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        text = (tmp_path / "streamlit.log").read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]


def test_chat_in_browser_shows_cited_answer_with_highlight(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(server, wait_until="domcontentloaded")
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=90_000)
            box.fill(QUESTION)
            box.press("Enter")
            # the first reference expander appears once the answer is in
            ref = page.get_by_test_id("stExpander").filter(has_text="[1]").first
            expect(ref).to_be_visible(timeout=180_000)
            answer = page.get_by_test_id("stChatMessage").last
            expect(answer).to_contain_text("[1]")
            ref.locator("summary").click()
            mark = ref.locator("mark").first
            expect(mark).to_be_visible(timeout=10_000)
            assert len(mark.inner_text().strip()) > 10
            assert page.get_by_test_id("stException").count() == 0
            mark.scroll_into_view_if_needed()
            page.wait_for_timeout(800)  # let the expander finish opening
            page.screenshot(path=str(ARTIFACTS / "ui-chat.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "ui-chat.png").stat().st_size > 10_000
