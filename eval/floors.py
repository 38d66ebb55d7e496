"""Write per-question floors for the sealed test split's compare questions into
eval/thresholds.toml ([ci.questions]), from an eval report.

    .venv/bin/python eval/floors.py eval/reports/<report>.json [--margin 0.2]

Each floor is the question's compare F1 in the report minus the margin, rounded down to 0.05, so
CI fails when any single compare question collapses while the mean still looks fine. Only ids
and numbers are read and written: the questions stay sealed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
HEADER = "[ci.questions]"


def floors(report: dict, margin: float) -> dict[str, float]:
    out = {}
    for r in report["rows"]:
        if r.get("split") == "test" and r.get("type") == "compare":
            f1 = float(r.get("compare_f1") or 0.0)
            out[r["id"]] = max(0.0, math.floor((f1 - margin) * 20 + 1e-9) / 20)
    return out


def write(table: dict[str, float], path: Path = THRESHOLDS) -> None:
    text = path.read_text(encoding="utf-8")
    # a reason written beside a floor stays with it ("routed to qa since ...")
    notes = dict(re.findall(r'^"([^"]+)"\s*=\s*[\d.]+\s*(#.*)$', text, re.MULTILINE))
    block = r"(?:\n# per-question floors[^\n]*\n?)*\n\[ci\.questions\]\n(?:.*\n)*?(?=\n\[|\Z)"
    text = re.sub(block, "\n", text).rstrip() + "\n"
    lines = [
        "",
        "# per-question floors (eval/floors.py): compare F1 of each test compare question",
        HEADER,
    ]
    lines += [
        f'"{qid}" = {v:.2f}' + (f"  {notes[qid]}" if qid in notes else "")
        for qid, v in sorted(table.items())
    ]
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--margin", type=float, default=0.2)
    args = ap.parse_args(argv)
    table = floors(json.loads(Path(args.report).read_text(encoding="utf-8")), args.margin)
    write(table)
    nonzero = sum(v > 0 for v in table.values())
    print(f"wrote {len(table)} floors ({nonzero} above 0) to {THRESHOLDS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
