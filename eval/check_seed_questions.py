#!/usr/bin/env python3
"""Validate eval/seed_questions.jsonl against the seed corpus (stdlib only).

The seed file is a saved "papers" listing page: a header of five non-blank
lines (the last one is the date line, e.g. "Mar 11"), then for each paper a
title line, a blank line, an abstract line and a blank line.

Checks, for every line of the question file:
  * valid JSON object with the fields id/split/type/tags/turns/gold/acceptable/facts of
    the right types (str, str, non-empty list of non-empty str, lists of str);
  * type is one of the allowed types and the id is unique;
  * every gold/acceptable title is exactly a title of the seed file, no title
    is repeated and none is in both gold and acceptable;
  * every fact occurs verbatim (case-sensitive) in at least one gold abstract;
  * answerable questions have >= 1 gold title, unanswerable ones have no gold
    and no facts; followups have >= 2 turns;
  * the number of questions per type meets the minima.

Usage:
    python eval/check_seed_questions.py [--seed SEED] [--questions JSONL]

Prints a summary; exits 1 and lists every problem if any check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = HERE.parent / "seeds" / "000_ff2e801dd48b50d8.txt"
DEFAULT_QUESTIONS = HERE / "seed_questions.jsonl"

HEADER_LINES = 5  # non-blank header lines, ending with the date line
EXPECTED_PAPERS = 79

# per split: the tune split (calibration and rule-making) and the sealed test split (reported,
# never looked at while changing the answerer) each need every type and every hard case
MINIMA = {
    "factoid": 35,
    "multi": 8,
    "compare": 15,
    "summary": 8,
    "followup": 25,
    "unanswerable": 30,
}
TAG_MINIMA = {
    "near-miss": 15,
    "ordinal": 6,
    "plural": 6,
    "new-topic": 6,
    "contribution": 6,
    "quantity": 12,
}
ALLOWED_TYPES = set(MINIMA)
ALLOWED_TAGS = set(TAG_MINIMA) | {"far", "pronoun", "paraphrase"}
SPLITS = ("tune", "test")
MIN_TOTAL = 250
FIELDS = {
    "id": str,
    "split": str,
    "type": str,
    "tags": list,
    "turns": list,
    "gold": list,
    "acceptable": list,
    "facts": list,
}


def parse_seed(path: Path) -> dict[str, str]:
    """Return {title: abstract} in file order; raise ValueError on bad layout."""
    lines = path.read_text(encoding="utf-8").splitlines()
    nonblank = [ln for ln in lines if ln.strip()]
    if len(nonblank) < HEADER_LINES:
        raise ValueError(f"{path}: fewer than {HEADER_LINES} non-blank lines")
    body = nonblank[HEADER_LINES:]
    # Sanity-check the layout: after the header, blocks are separated by
    # exactly one blank line, so every title/abstract must sit on its own line.
    if len(body) % 2:
        raise ValueError(f"{path}: odd number of title/abstract lines ({len(body)})")
    papers: dict[str, str] = {}
    for i in range(0, len(body), 2):
        title, abstract = body[i], body[i + 1]
        if title in papers:
            raise ValueError(f"{path}: duplicate title {title!r}")
        papers[title] = abstract
    return papers


def check(questions_path: Path, papers: dict[str, str]) -> tuple[list[str], Counter]:
    problems: list[str] = []
    counts: Counter = Counter()  # (split, type) and (split, "#tag")
    seen_ids: dict[str, int] = {}

    try:
        raw_lines = questions_path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"cannot read {questions_path}: {exc}"], counts

    n_questions = 0
    for lineno, line in enumerate(raw_lines, 1):
        where = f"line {lineno}"
        if not line.strip():
            problems.append(f"{where}: blank line")
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: invalid JSON ({exc})")
            continue
        if not isinstance(q, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        n_questions += 1

        qid = q.get("id")
        if isinstance(qid, str):
            where = f"line {lineno} ({qid})"

        ok = True
        for field, ftype in FIELDS.items():
            if field not in q:
                problems.append(f"{where}: missing field {field!r}")
                ok = False
            elif not isinstance(q[field], ftype):
                problems.append(f"{where}: field {field!r} must be {ftype.__name__}")
                ok = False
        extra = set(q) - set(FIELDS)
        if extra:
            problems.append(f"{where}: unexpected fields {sorted(extra)}")
        if not ok:
            continue
        for field in ("turns", "gold", "acceptable", "facts", "tags"):
            for item in q[field]:
                if not isinstance(item, str) or not item.strip():
                    problems.append(
                        f"{where}: {field} items must be non-empty strings, got {item!r}"
                    )
                    ok = False
        if not ok:
            continue

        if not qid.strip():
            problems.append(f"{where}: empty id")
        elif qid in seen_ids:
            problems.append(f"{where}: duplicate id (first on line {seen_ids[qid]})")
        else:
            seen_ids[qid] = lineno

        qtype, split = q["type"], q["split"]
        if split not in SPLITS:
            problems.append(f"{where}: split {split!r} not in {list(SPLITS)}")
        for tag in q["tags"]:
            if tag not in ALLOWED_TAGS:
                problems.append(f"{where}: tag {tag!r} not in {sorted(ALLOWED_TAGS)}")
            counts[(split, "#" + str(tag))] += 1
        if qtype not in ALLOWED_TYPES:
            problems.append(f"{where}: type {qtype!r} not in {sorted(ALLOWED_TYPES)}")
        else:
            counts[(split, qtype)] += 1
            if not re.match(rf"^(?:[a-z]{{1,2}}-)?{re.escape(qtype)}-", qid):
                problems.append(f"{where}: id should start with {qtype + '-'!r} (or x-{qtype}-)")

        if not q["turns"]:
            problems.append(f"{where}: no turns")
        if qtype == "followup" and len(q["turns"]) < 2:
            problems.append(f"{where}: followup needs >= 2 turns")

        gold, acceptable, facts = q["gold"], q["acceptable"], q["facts"]
        for field, titles in (("gold", gold), ("acceptable", acceptable)):
            for title in titles:
                if title not in papers:
                    problems.append(f"{where}: {field} title not in seed file: {title!r}")
            for title, k in Counter(titles).items():
                if k > 1:
                    problems.append(f"{where}: {field} title repeated: {title!r}")
        for title in sorted(set(gold) & set(acceptable)):
            problems.append(f"{where}: title in both gold and acceptable: {title!r}")

        if qtype == "unanswerable":
            if gold:
                problems.append(f"{where}: unanswerable question has gold titles")
            if facts:
                problems.append(f"{where}: unanswerable question has facts")
        elif qtype in ALLOWED_TYPES and not gold:
            problems.append(f"{where}: {qtype} question needs >= 1 gold title")

        gold_abstracts = [papers[t] for t in gold if t in papers]
        for fact in facts:
            if not any(fact in abstract for abstract in gold_abstracts):
                problems.append(f"{where}: fact not found verbatim in any gold abstract: {fact!r}")
        for fact, k in Counter(facts).items():
            if k > 1:
                problems.append(f"{where}: fact repeated: {fact!r}")

    for split in SPLITS:
        for qtype, minimum in MINIMA.items():
            if counts[(split, qtype)] < minimum:
                got = counts[(split, qtype)]
                problems.append(
                    f"{split} split, type {qtype!r}: {got} questions, need >= {minimum}"
                )
        for tag, minimum in TAG_MINIMA.items():
            if counts[(split, "#" + tag)] < minimum:
                got = counts[(split, "#" + tag)]
                problems.append(f"{split} split, tag {tag!r}: {got} questions, need >= {minimum}")
    if n_questions < MIN_TOTAL:
        problems.append(f"{n_questions} questions in total, need >= {MIN_TOTAL}")
    return problems, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    args = ap.parse_args(argv)

    try:
        papers = parse_seed(args.seed)
    except (OSError, ValueError) as exc:
        print(f"FAIL: cannot parse seed file: {exc}")
        return 1
    problems, counts = check(args.questions, papers)
    if len(papers) != EXPECTED_PAPERS:
        problems.insert(0, f"seed file has {len(papers)} papers, expected {EXPECTED_PAPERS}")

    total = sum(v for k, v in counts.items() if not k[1].startswith("#"))
    print(f"seed: {args.seed} ({len(papers)} papers)")
    print(f"questions: {args.questions} ({total} with a known type)")
    print(f"  {'':<13}" + "".join(f"{s:>6}" for s in SPLITS) + "   min per split")
    for qtype in MINIMA:
        row = "".join(f"{counts[(s, qtype)]:>6}" for s in SPLITS)
        print(f"  {qtype:<13}{row}   {MINIMA[qtype]}")
    for tag in sorted(ALLOWED_TAGS):
        row = "".join(f"{counts[(s, '#' + tag)]:>6}" for s in SPLITS)
        print(f"  #{tag:<12}{row}   {TAG_MINIMA.get(tag, '-')}")
    if problems:
        print(f"FAIL: {len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
