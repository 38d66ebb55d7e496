"""`rag eval run` (the seed-question harness) and `rag eval summary` (one table for `make eval`).

Kept out of rag/cli.py so the harness can change without touching the CLI core; registered by
`rag.cli._register_answer_commands`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rag import evaluation as ev_mod


def cmd_eval_run(args: argparse.Namespace, helpers: Any) -> int:
    if args.llm:
        return cmd_eval_llm(args, helpers)
    thresholds: dict[str, float] | None = None
    thresholds_path = Path(args.thresholds)
    if args.gate:
        thresholds = ev_mod.load_thresholds(thresholds_path, args.gate)
    elif thresholds_path.exists():
        try:  # shown as targets in the report even without --gate
            thresholds = ev_mod.load_thresholds(thresholds_path, "seed")
        except (KeyError, ValueError):
            thresholds = None
    pipe = helpers.pipeline(args)
    report = ev_mod.run_eval(
        pipe,
        Path(args.dataset),
        limit=args.limit,
        types=args.type or None,
        log=helpers.err,
        judge=not args.no_judge,
        splits=None if args.split == "all" else [args.split],
    )
    files: dict[str, Any] | None = None
    if not args.no_report:
        files = ev_mod.write_reports(report, Path(args.out), thresholds)
    if args.json:
        helpers.out({**report, "files": files})
    else:
        print(ev_mod.summary_table(report))
    if files:
        helpers.err(files["diff_text"])
        helpers.err(f"rag eval run: wrote {files['json']}, {files['md']}, {files['png']}")
    if args.gate:
        failures = ev_mod.check_gate(report, thresholds or {})
        if failures:
            helpers.err(f"rag eval run: gate [{args.gate}] FAILED ({len(failures)}):")
            for f in failures:
                helpers.err(f"  - {f}")
            return 1
        helpers.err(f"rag eval run: gate [{args.gate}] passed ({len(thresholds or {})} checks)")
    return 0


def cmd_eval_llm(args: argparse.Namespace, helpers: Any) -> int:
    """`--llm`: the same questions through the extractive and the LLM answerer, side by side. With
    no endpoint configured (RAG_LLM_MODEL), a local llama-server (`rag llm setup`) is started for
    the run and stopped after it."""
    import contextlib
    import platform

    from rag import eval_llm
    from rag.local_llm import LocalLLMError, LocalServer
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    settings = Settings(**({"llm_cache_dir": Path(args.llm_cache)} if args.llm_cache else {}))
    with contextlib.ExitStack() as stack:
        if not settings.llm_model:
            server = LocalServer.from_settings(args.local_model, settings)
            helpers.err(
                f"rag eval run: starting {server.spec.key} locally ({server.threads} threads)"
            )
            try:
                stack.enter_context(server)
            except LocalLLMError as exc:
                helpers.err(f"rag eval run: error: {exc}")
                return 1
            # a new Settings, not a copy: the small-model budgets are applied on validation
            settings = Settings(
                llm_model=server.spec.key,
                llm_base_url=server.base_url,
                llm_cache_dir=settings.llm_cache_dir,
            )
        llm_pipe = Pipeline(settings)
        ext_pipe = Pipeline(Settings(llm_model=None))
        threads = settings.llm_threads or os.cpu_count()
        result = eval_llm.compare_runs(
            ext_pipe,
            llm_pipe,
            Path(args.dataset),
            out=Path(args.out),
            split=None if args.split == "all" else args.split,
            types=args.type or None,
            limit=args.limit,
            per_type=args.per_type,
            resume=args.resume,
            judge=not args.no_judge and args.judge,
            log=helpers.err,
            command="rag " + " ".join(sys.argv[1:]),
            machine=f"{platform.machine()}, {os.cpu_count()} cores, llm threads {threads}",
        )
    if args.json:
        helpers.out(result)
    else:
        print(eval_llm.side_by_side(result["extractive"], result["llm"]))
    if not args.no_report:
        files = eval_llm.write(result, Path(args.out))
        helpers.err(f"rag eval run: wrote {files['json']}, {files['md']}")
    return 0


def cmd_eval_summary(args: argparse.Namespace, helpers: Any) -> int:
    seed_path = Path(args.seed) if args.seed else ev_mod.previous_report(Path(args.out))
    seed = json.loads(seed_path.read_text(encoding="utf-8")) if seed_path else None
    beir = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.beir]
    if seed is None and not beir:
        helpers.err("rag eval summary: no seed report and no --beir result to summarise")
        return 1
    print(ev_mod.combined_summary(seed, beir))
    return 0


def register(sub: Any, ev: Any, helpers: Any) -> None:
    """Add `eval run` and `eval summary` to the `rag eval` sub-commands."""
    s = ev.add_parser("run", help="answer the seed questions and score them (reports + gate)")
    s.add_argument("--dataset", default=str(ev_mod.DEFAULT_DATASET), help="question JSONL")
    s.add_argument("--json", action="store_true", help="print the whole report as JSON")
    s.add_argument("--out", default=str(ev_mod.DEFAULT_REPORTS), help="report directory")
    s.add_argument("--limit", type=int, default=None, help="only the first N questions")
    s.add_argument(
        "--split",
        choices=[*ev_mod.SPLITS, "all"],
        default="all",
        help="tune (calibrate on it), test (sealed), or all (default; reported side by side)",
    )
    s.add_argument(
        "--type", action="append", choices=ev_mod.TYPES, help="only this question type (repeat)"
    )
    s.add_argument(
        "--gate",
        nargs="?",
        const="seed",
        default=None,
        metavar="TABLE",
        help="exit 1 if a threshold of this table (default [seed]) is missed",
    )
    s.add_argument("--thresholds", default=str(ev_mod.DEFAULT_THRESHOLDS), help="TOML file")
    s.add_argument("--no-report", action="store_true", help="do not write report files")
    s.add_argument("--no-judge", action="store_true", help="skip the LLM faithfulness judge")
    s.add_argument(
        "--llm",
        action="store_true",
        help="also run the LLM answerer and report both side by side (RAG_LLM_MODEL's endpoint, "
        "or a local model started for the run)",
    )
    s.add_argument("--per-type", type=int, help="--llm: only the first N questions of each type")
    s.add_argument("--resume", action="store_true", help="--llm: continue an interrupted run")
    s.add_argument(
        "--llm-cache",
        metavar="DIR",
        help="--llm: replay replies to prompts already sent from DIR, store new ones there "
        "(re-scores the LLM path without re-asking the model; RAG_LLM_CACHE_DIR)",
    )
    s.add_argument(
        "--local-model", default="default", help="--llm without an endpoint: the local model"
    )
    s.add_argument("--judge", action="store_true", help="--llm: also run the LLM judge (slow)")
    s.set_defaults(func=lambda a: cmd_eval_run(a, helpers))

    s = ev.add_parser("summary", help="one table from a seed report and BEIR results")
    s.add_argument("--seed", help="seed report JSON (default: the newest in --out)")
    s.add_argument("--out", default=str(ev_mod.DEFAULT_REPORTS))
    s.add_argument("--beir", action="append", default=[], help="`rag eval beir --json` output")
    s.set_defaults(func=lambda a: cmd_eval_summary(a, helpers))


if __name__ == "__main__":  # pragma: no cover
    from rag.cli import main

    sys.exit(main(["eval", *sys.argv[1:]]))
