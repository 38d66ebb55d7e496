"""`rag` command line: a thin front end over `rag.pipeline.Pipeline`.

JSON goes to stdout; progress bars, logs and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.schema import SearchFilters

if TYPE_CHECKING:
    from rag.settings import Settings

# commands of the CLI core: they need none of the sub-command modules (rag.cli_eval alone pulls
# in the eval harness), so a parse for them skips importing those (a cold `rag search` is timed)
CORE_COMMANDS = ("ingest", "search", "stats", "check")


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _settings() -> Settings:
    from rag.settings import Settings

    return Settings()


def _pipeline(args: argparse.Namespace):  # noqa: ANN202 - keeps the import lazy
    from rag.pipeline import Pipeline

    return Pipeline(_settings())


def _filters(args: argparse.Namespace) -> SearchFilters | None:
    f = SearchFilters(
        year_from=args.year_from,
        year_to=args.year_to,
        venue=args.venue,
        ids=[i for i in (args.ids or "").split(",") if i] or None,
    )
    return None if f.is_empty() else f


# --- ingest ----------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    # a path that does not exist is a typo in the command: report each (as loading words it) and
    # ingest nothing, before anything is opened or the model loads (a file that exists but is
    # malformed costs only itself, in the loader)
    missing = [p for p in args.paths if not os.path.lexists(p)]
    for p in missing:
        _err(f"{p}: error: no such file or directory")
    if missing:
        if len(missing) == len(args.paths):
            _err(f"rag ingest: error: no papers could be read from {' '.join(args.paths)}")
        else:
            _err("rag ingest: error: nothing was ingested: fix or drop the missing path(s)")
        return 1
    from rag.indexing import issues_text, summarise

    pipe = _pipeline(args)
    report = pipe.ingest(
        args.paths, prune=args.prune, reindex=args.reindex, wait=args.wait, progress=True
    )
    if report.issues:
        _err(issues_text(report.issues))
    _err(f"rag ingest: {summarise(report)}")
    if args.json:
        _out(report.to_json())
    if not (report.added or report.updated or report.unchanged):
        # a bad file costs only that file, but when no file gave a paper nothing was done
        _err(f"rag ingest: error: no papers could be read from {' '.join(args.paths)}")
        return 1
    return 0


# --- search ----------------------------------------------------------------------------------
def _result_set(query: str, hits: list) -> dict[str, Any]:
    return {"query": query, "results": [h.to_json(i + 1) for i, h in enumerate(hits)]}


def has_words(text: str) -> bool:
    """A query of only spaces or punctuation matches nothing in particular: refuse it."""
    return any(ch.isalnum() for ch in text)


def positive_int(text: str) -> int:
    """argparse type for -k: 0 or a negative count is a usage error, not "the default"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def cmd_search(args: argparse.Namespace) -> int:
    filters = _filters(args)
    if args.queries:
        return _search_file(args, filters)
    if not args.query or not has_words(args.query):
        _err("rag search: give a query with words in it, or --queries FILE.jsonl")
        return 2
    from rag.embedding import preload

    preload(_settings())  # the model loads while Chroma and BM25 open
    pipe = _pipeline(args)
    hits = pipe.search(args.query, k=args.k, filters=filters, method=args.method)
    if args.json:
        _out(_result_set(args.query, hits))
    else:
        if not hits:
            print("no results")
        for i, h in enumerate(hits, 1):
            year = f" ({h.year})" if h.year else ""
            print(f"{i:2d}. [{h.score:.3f}] {h.title}{year}  <{h.paper_id}>")
            print(f"    {h.evidence[:240]}")
    return 0


def _search_file(args: argparse.Namespace, filters: SearchFilters | None) -> int:
    """One result line per {"id", "text"} line; a bad line costs that line (named on stderr).
    Lines are read as they come, so FILE may be a pipe."""
    path = Path(args.queries)
    if path.is_dir():
        _err(f"rag search: --queries {path} is a directory; give a JSONL file")
        return 2
    try:
        fh = path.open("rb")
    except OSError as exc:
        _err(f"rag search: cannot read --queries {path}: {exc.strerror or exc}")
        return 2
    pipe = _pipeline(args)
    n = bad = 0
    with fh:
        for lineno, raw in enumerate(fh, 1):
            where = f"{path}:{lineno}"
            try:
                line = raw.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                _err(f"{where}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
                bad += 1
                continue
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                qid, text = str(q["id"]), str(q["text"])
            except (ValueError, KeyError, TypeError) as exc:
                _err(f'{where}: not a {{"id", "text"}} object ({exc})')
                bad += 1
                continue
            if not has_words(text):
                _err(f"{where}: query {qid!r} has no words; skipped")
                bad += 1
                continue
            hits = pipe.search(text, k=args.k, filters=filters, method=args.method)
            _out({"id": qid, **_result_set(text, hits)})
            n += 1
    _err(f"rag search: {n} queries" + (f", {bad} bad lines skipped" if bad else ""))
    return 1 if bad and not n else 0


# --- stats / check ---------------------------------------------------------------------------
def cmd_stats(args: argparse.Namespace) -> int:
    _out(_pipeline(args).stats())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from rag.consistency import check

    result = check(_pipeline(args), repair=args.repair)
    _out(result)
    return 0 if result.get("ok") or args.repair else 1


# --- eval ------------------------------------------------------------------------------------
def cmd_eval_beir(args: argparse.Namespace) -> int:
    from rag.beir import format_table, run_beir

    result = run_beir(_settings(), Path(args.dir), split=args.split, limit=args.limit)
    if args.json:
        _out(result)
    else:
        print(format_table(result))
    return 0


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole CLI; given the arguments about to be parsed, a parser for a core command
    leaves out the sub-command modules (their commands are then unknown to it)."""
    p = argparse.ArgumentParser(prog="rag", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="add or update papers from files or directories")
    s.add_argument("paths", nargs="+")
    s.add_argument("--prune", action="store_true", help="remove papers not in these sources")
    s.add_argument("--reindex", action="store_true", help="drop the collection and rebuild")
    s.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="hybrid paper search")
    s.add_argument("query", nargs="?")
    s.add_argument("-k", type=positive_int, default=10)
    s.add_argument("--json", action="store_true")
    s.add_argument("--queries", help="JSONL file of {id, text}; one result line per query")
    s.add_argument("--method", choices=["fused", "dense", "bm25"], default="fused")
    _add_filter_args(s)
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("stats", help="papers, chunks, model, store")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("check", help="verify (and --repair) that BM25 and Chroma agree")
    s.add_argument("--repair", action="store_true")
    s.set_defaults(func=cmd_check)

    ev = sub.add_parser("eval", help="measure retrieval and answers").add_subparsers(
        dest="eval_command", required=True
    )
    s = ev.add_parser("beir", help="nDCG@10 / Recall on a BEIR-style directory")
    s.add_argument("dir")
    s.add_argument("--split", default="train")
    s.add_argument("--limit", type=int, default=None, help="only the first N queries")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_eval_beir)

    if not _core_only(argv):
        _register_answer_commands(sub, ev)
    return p


def _core_only(argv: list[str] | None) -> bool:
    words = [a for a in (argv or []) if not a.startswith("-")]
    if "-h" in (argv or []) or "--help" in (argv or []) or not words:
        return False
    return words[0] in CORE_COMMANDS or words[:2] == ["eval", "beir"]


def _add_filter_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--year-from", type=int, dest="year_from")
    s.add_argument("--year-to", type=int, dest="year_to")
    s.add_argument("--venue")
    s.add_argument("--ids", help="comma-separated paper ids to search within")


def _register_answer_commands(sub: Any, ev: Any) -> None:
    """ask / chat (rag.cli_answers), ui (rag.cli_ui), eval run (rag.cli_eval), llm setup / serve
    (rag.cli_llm): each module
    owns its sub-commands and gets the shared helpers."""
    import importlib

    helpers = CliHelpers(_add_filter_args, _pipeline, _filters, _out, _err)
    for name in ("rag.cli_answers", "rag.cli_ui", "rag.cli_eval", "rag.cli_llm"):
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.register(sub, ev, helpers)


class CliHelpers:
    """What sub-command modules need from the CLI core, passed explicitly."""

    def __init__(self, add_filter_args, pipeline, filters, out, err) -> None:  # noqa: ANN001
        self.add_filter_args = add_filter_args
        self.pipeline = pipeline
        self.filters = filters
        self.out = out
        self.err = err


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        _err("rag: interrupted")
        return 130
    except (FileNotFoundError, PermissionError) as exc:  # before rag.errors, which opens Chroma
        _err(f"rag: error: {exc}")
        return 1
    except Exception as exc:  # user-facing errors: one clear line, no traceback
        from rag.errors import user_message

        message = user_message(exc, _settings(), args.command)
        if message is not None:
            _err(f"rag: error: {message}")
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
