"""`rag ask` and `rag chat`: the answer commands of the CLI (registered by rag.cli).

Plain text prints the answer then the numbered reference list; `--json` prints `Answer.to_json()`.
`rag chat --json` is for scripts: one question per stdin line, the conversation kept until an empty
line, one JSON object per answer. Errors are one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rag.schema import Answer

MODES = ["auto", "qa", "summary", "compare"]


def register(sub: Any, ev: Any, helpers: Any) -> None:
    """Add `ask` and `chat` to the `rag` parser (`ev` is the eval sub-parser, unused here)."""
    from rag.cli import positive_int

    s = sub.add_parser("ask", help="answer a question with cited abstracts")
    s.add_argument("question")
    s.add_argument("--mode", choices=MODES, default="auto")
    s.add_argument(
        "-k", type=positive_int, default=None, help="papers to retrieve (default: settings)"
    )
    s.add_argument("--json", action="store_true")
    helpers.add_filter_args(s)
    s.set_defaults(func=lambda args: cmd_ask(args, helpers))

    s = sub.add_parser("chat", help="interactive chat (with --json: one question per stdin line)")
    s.add_argument("--mode", choices=MODES, default="auto")
    s.add_argument("-k", type=positive_int, default=None)
    s.add_argument("--json", action="store_true")
    helpers.add_filter_args(s)
    s.set_defaults(func=lambda args: cmd_chat(args, helpers))


def format_answer(ans: Answer) -> str:
    """The answer, then notices, weak sentences and the numbered references."""
    lines = [ans.answer.strip()]
    if ans.notice:
        lines += ["", f"note: {ans.notice}"]
    if ans.citations:
        lines += ["", "References:"]
        for c in ans.citations:
            lines.append(f"[{c.n}] {c.title}  <{c.paper_id}>")
            lines.append(f'    "{c.evidence}"')
    if ans.papers and ans.mode == "compare":
        lines += ["", f"({ans.screened} papers screened)"]
    if ans.flagged:
        lines += ["", "Weakly supported:"] + [f"  - {f}" for f in ans.flagged]
    return "\n".join(lines)


def _ask_once(
    pipe: Any, question: str, history: list[Answer], args: argparse.Namespace, helpers: Any
) -> Answer:
    return pipe.ask(question, history, mode=args.mode, filters=helpers.filters(args), k=args.k)


def cmd_ask(args: argparse.Namespace, helpers: Any) -> int:
    from rag.cli import has_words

    question = (args.question or "").strip()
    if not has_words(question):
        helpers.err("rag ask: give a question with words in it")
        return 2
    try:
        pipe = helpers.pipeline(args)
        ans = _ask_once(pipe, question, [], args, helpers)
    except ValueError as exc:
        helpers.err(f"rag ask: {exc}")
        return 2
    if args.json:
        helpers.out(ans.to_json())
    else:
        print(format_answer(ans))
    return 0


def cmd_chat(args: argparse.Namespace, helpers: Any) -> int:
    pipe = helpers.pipeline(args)
    history: list[Answer] = []
    interactive = not args.json and sys.stdin.isatty()
    if interactive:
        print("rag chat: ask about the indexed papers; empty line = new conversation, Ctrl-D quits")
    while True:
        if interactive:
            try:
                line = input("> ")
            except EOFError:
                print()
                return 0
        else:
            line = sys.stdin.readline()
            if not line:
                return 0
        question = line.strip()
        if not question:
            history = []
            if interactive:
                print("(new conversation)")
            continue
        try:
            ans = _ask_once(pipe, question, history, args, helpers)
        except ValueError as exc:
            helpers.err(f"rag chat: {exc}")
            continue
        history.append(ans)
        if args.json:
            helpers.out(ans.to_json())
        else:
            print(format_answer(ans))
            print()
