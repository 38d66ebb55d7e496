"""First answer in the browser after `rag ui` starts vs later (warm) answers, same run.

Starts the real `rag ui --port P` over a seed store, opens it in headless Chromium (Playwright,
/usr/bin/chromium), and asks each question of a small mixed set (qa, summary, compare) twice: the
first pass holds the first answer after start, the second pass the same questions warm. Time is
measured in the browser, from pressing Enter to the final answer drawn (its "Searched for:" line).
Also reported: seconds from starting `rag ui` until the chat input is usable (the warm-up, shown as
"Loading the collection...").

Usage: .venv/bin/python bench/ui_first_answer.py [--home DIR] [--out bench/results/ui_first_answer.json]
       (--home: a seed store; default: a temporary one, ingested from seeds/ first)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
QUESTIONS = [
    ("qa", "What does RoboFuME do, and how quickly can it improve on a target task?"),
    ("summary", "Summarise what the papers say about reinforcement learning."),
    ("compare", "Which papers evaluate their method on real robots?"),
    ("qa", "Which pretrained visual encoders does OpenVLA fuse?"),
]
LABELS = {"auto": "Auto", "qa": "Q&A", "summary": "Summary", "compare": "Compare"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag ui exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("rag ui did not start")


# checked on every animation frame (Playwright's expect() polls up to 1 s apart)
DRAWN = """n => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
  .filter(e => e.innerText.startsWith('Searched for:')).length >= n"""


def ask(page, mode: str, question: str, done: int) -> float:  # noqa: ANN001
    page.get_by_test_id("stBottom").get_by_role("radio", name=LABELS[mode], exact=True).click()
    page.wait_for_timeout(300)  # the mode's rerun
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    t = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(DRAWN, arg=done + 1, polling="raf", timeout=600_000)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ui_first_answer.json")
    args = ap.parse_args()
    rag_bin = str(Path(sys.executable).parent / "rag")
    tmp = tempfile.TemporaryDirectory(prefix="rag-ui-bench-")
    home = args.home or Path(tmp.name) / "store"
    env = dict(os.environ, RAG_HOME=str(home))
    subprocess.run([rag_bin, "ingest", str(ROOT / "seeds")], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(tmp.name) / "ui.log", "wb")  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen([rag_bin, "ui", "--port", str(port)], env=env, stdout=log, stderr=log)
    try:
        wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=600_000)
            ready = time.perf_counter() - t0
            times: list[tuple[int, str, str, float]] = []
            for rnd in (1, 2):
                for mode, q in QUESTIONS:
                    times.append((rnd, mode, q, ask(page, mode, q, len(times))))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    first = times[0][3]
    warm_same = times[len(QUESTIONS)][3]
    warm = [t for r, _, _, t in times if r == 2]
    result = {
        "command": "rag ui (seeds), questions asked in headless Chromium",
        "seconds_until_chat_usable": round(ready, 2),
        "first_answer_s": round(first, 3),
        "same_question_warm_s": round(warm_same, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "ratio_first_vs_same_warm": round(first / warm_same, 2),
        "ratio_first_vs_warm_median": round(first / statistics.median(warm), 2),
        "answers": [
            {"round": r, "mode": m, "question": q, "seconds": round(t, 3)} for r, m, q, t in times
        ],
    }
    text = json.dumps(result, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    tmp.cleanup()
    ok = result["ratio_first_vs_same_warm"] <= 2.0
    print(f"first answer / same question warm = {result['ratio_first_vs_same_warm']} (target <= 2)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
