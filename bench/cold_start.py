"""Cold start of the CLI, side by side with a bare `python -c "import chromadb"` (the floor: a
query cannot avoid Chroma), runs interleaved (A B C ... A B C ...) so load drift on a shared
machine lands on every command alike; the medians' ratios are what count.

Commands timed (process start to exit, fresh processes, seed store ingested first):
  bare     python -c "import chromadb"
  search   rag search "reset-free robot fine-tuning" --json -k 5
  stats    rag stats
  argerr   rag search -k x          (an argument error)
  missing  rag ingest /no/such/path (a missing path)
  baseline the same search with another checkout's rag (--baseline-rag, e.g. main's torch path)

Each command is also run once under `python -X importtime` to list which heavy packages it
imports (torch, sentence_transformers, llama_index, ...).

Usage: .venv/bin/python bench/cold_start.py [--repeat 3] [--baseline-rag PATH] [--json]
       [--out bench/results/cold_start.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUERY = "reset-free robot fine-tuning"
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "llama_index.core",
    "onnxruntime",
    "tokenizers",
    "chromadb",
    "bm25s",
    "pytrec_eval",
    "matplotlib",
    "sklearn",
)


def commands(py: str, rag: str, baseline: str | None) -> dict[str, list[str]]:
    cmds = {
        "bare": [py, "-c", "import chromadb"],
        "search": [rag, "search", QUERY, "--json", "-k", "5"],
        "stats": [rag, "stats"],
        "argerr": [rag, "search", "-k", "x"],
        "missing": [rag, "ingest", "/no/such/path"],
    }
    if baseline:
        cmds["baseline"] = [baseline, "search", QUERY, "--json", "-k", "5"]
    return cmds


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def imported(cmd: list[str], env: dict[str, str]) -> list[str]:
    """Top-level heavy packages the command imports (from `-X importtime`)."""
    exe = cmd[0]
    if exe.endswith("/rag") or exe == "rag":  # run the console script's module under importtime
        py = str(Path(exe).parent / "python")
        cmd = [py, "-X", "importtime", "-m", "rag.cli", *cmd[1:]]
    else:
        cmd = [cmd[0], "-X", "importtime", *cmd[1:]]
    # cwd: the store folder, so `-m rag.cli` finds the rag installed beside that python
    err = subprocess.run(
        cmd, env=env, cwd=env["RAG_HOME"], capture_output=True, text=True, check=False
    ).stderr
    names = {
        line.rsplit("|", 1)[-1].strip()
        for line in err.splitlines()
        if line.startswith("import time:")
    }
    return [h for h in HEAVY if h in names]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-rag", default=None, help="another checkout's rag executable")
    ap.add_argument("--out", default=None, help="write the JSON result here too")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    py = sys.executable
    rag = str(Path(py).parent / "rag")
    with tempfile.TemporaryDirectory(prefix="rag-cold-") as home:
        env = dict(os.environ, RAG_HOME=home)
        subprocess.run([rag, "ingest", str(SEEDS)], env=env, check=True, capture_output=True)
        cmds = commands(py, rag, args.baseline_rag)
        for cmd in cmds.values():  # warm the page cache: every timed run starts alike
            timed(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        cpus: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                wall, cpu = timed(cmd, env)
                times[name].append(round(wall, 3))
                cpus[name].append(round(cpu, 3))
        modules = {name: imported(cmd, env) for name, cmd in cmds.items()}

    med = {name: statistics.median(ts) for name, ts in times.items()}
    cpu_med = {name: statistics.median(ts) for name, ts in cpus.items()}
    result = {
        "repeat": args.repeat,
        "seconds": times,
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "ratio_to_bare": {k: round(v / med["bare"], 2) for k, v in med.items() if k != "bare"},
        # CPU time is steadier than wall time on a busy machine; it misses time spent waiting
        # (disk), and the overlap a background model load buys on an idle one
        "cpu_s": cpus,
        "cpu_ratio_to_bare": {
            k: round(v / cpu_med["bare"], 2) for k, v in cpu_med.items() if k != "bare"
        },
        "heavy_imports": modules,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
    }
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result))
    else:
        for name in cmds:
            ratio = "" if name == "bare" else f" {result['ratio_to_bare'][name]:5.2f}x bare"
            cpu = "" if name == "bare" else f" {result['cpu_ratio_to_bare'][name]:5.2f}x"
            print(
                f"{name:9s} median {med[name]:6.2f}s{ratio:>12s}  cpu {cpu_med[name]:5.2f}s{cpu:>7s}"
                f"  imports: {', '.join(modules[name])}"
            )


if __name__ == "__main__":
    main()
