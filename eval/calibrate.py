"""Calibrate the extractive answerer on the TUNE split of eval/seed_questions.jsonl (the test
split is never read here) and print what each rule does there.

    .venv/bin/python eval/calibrate.py [--home DIR]

It reads the same analysis the answers are built from (`Answerer.analyse`) and prints:

* abstention: which rule (rag.abstention: name, head-to-head, slot, relevance) stops how many
  answerable and unanswerable questions, then a grid for rule 4's ABSTAIN_THRESHOLD / OOV_WEIGHT
  (maximise unanswerable abstained minus answerable abstained, with at most 5% answerable
  abstained), in-sample and leave-one-question-out;
* compare mode (rag.compare): a grid for COMPARE_THRESHOLD, COMPARE_RELATIVE and
  CONTRIBUTION_WEIGHT (mean paper-set F1, acceptable papers neutral), in-sample, leave-one-
  question-out, and the ceiling (the best cutoff chosen separately for every question).

Without --home the seeds are ingested into a temporary store first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import compare as cmp  # noqa: E402
from rag.abstention import Gate  # noqa: E402
from rag.answering import get_answerer  # noqa: E402
from rag.extractive import corpus_for  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.schema import Answer  # noqa: E402
from rag.settings import Settings  # noqa: E402

SEEDS = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"
QUESTIONS = ROOT / "eval" / "seed_questions.jsonl"
WRONG_MAX = 0.05


def _f1(pred: set[str], gold: set[str], acceptable: set[str]) -> float:
    pred = pred - acceptable
    tp = len(pred & gold)
    if not tp:
        return 0.0
    p, r = tp / len(pred), tp / len(gold)
    return 2 * p * r / (p + r)


def open_seeds(home: str | None) -> tuple[Pipeline, dict[str, str]]:
    """The seed store at `home` (or a temporary one, ingested now) and the id of each title."""
    path = Path(home) if home else Path(tempfile.mkdtemp(prefix="rag-calibrate-"))
    pipe = Pipeline(Settings(home=path))
    if not home:
        pipe.ingest([SEEDS], progress=False)
    ids = list(pipe.store.paper_states())
    return pipe, {p.title: p.id for p in pipe.papers(ids).values()}


def tune_items() -> list[dict]:
    rows = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x]
    return [r for r in rows if r["split"] == "tune"]


# --- abstention ----------------------------------------------------------------------------------
def abstention(pipe: Pipeline, items: list[dict]) -> None:
    answerer = get_answerer(pipe)  # earlier turns answered as in use; the last one analysed
    rows: list[tuple[bool, Gate]] = []
    for it in items:
        if it["type"] in ("compare", "summary"):
            continue
        history: list[Answer] = []
        for turn in it["turns"][:-1]:
            history.append(answerer.answer(turn, history))
        a = answerer.analyse(it["turns"][-1], history)
        if a.gate is not None:
            rows.append((it["type"] != "unanswerable", a.gate))
    ans = [g for ok, g in rows if ok]
    una = [g for ok, g in rows if not ok]
    print(f"abstention on the tune split: {len(ans)} answerable, {len(una)} unanswerable")
    for rule in ("name", "head-to-head", "slot"):
        a_n = sum(g.rule == rule for g in ans)
        u_n = sum(g.rule == rule for g in una)
        print(f"  rule {rule:<13} stops {u_n:3d} unanswerable, {a_n:3d} answerable (wrongly)")

    def rates(gs: list[tuple[bool, Gate]], t: float, w: float) -> tuple[float, float]:
        def stops(g: Gate) -> bool:
            return g.rule in ("name", "head-to-head", "slot") or (
                g.floor and g.rule in ("", "relevance") and g.below(t, w)
            )

        a = [g for ok, g in gs if ok]
        u = [g for ok, g in gs if not ok]
        wrong = sum(stops(g) for g in a) / max(len(a), 1)
        right = sum(stops(g) for g in u) / max(len(u), 1)
        return right, wrong

    grid = [(t, w) for t in np.arange(0.10, 0.45, 0.01) for w in np.arange(0.0, 1.01, 0.1)]

    def fit(gs: list[tuple[bool, Gate]]) -> tuple[float, float]:
        best = max(
            grid,
            key=lambda tw: (
                rates(gs, *tw)[1] <= WRONG_MAX,
                rates(gs, *tw)[0] - rates(gs, *tw)[1],
                -tw[0],
            ),
        )
        return float(best[0]), float(best[1])

    from rag.abstention import ABSTAIN_THRESHOLD, OOV_WEIGHT

    right, wrong = rates(rows, ABSTAIN_THRESHOLD, OOV_WEIGHT)
    print(
        f"  shipped ({ABSTAIN_THRESHOLD}, {OOV_WEIGHT}): unanswerable abstained {right:.3f}, "
        f"answerable abstained {wrong:.3f}"
    )
    t, w = fit(rows)
    right, wrong = rates(rows, t, w)
    print(f"  rule relevance fit: ABSTAIN_THRESHOLD={t:.2f} OOV_WEIGHT={w:.1f}")
    print(f"    in-sample: unanswerable abstained {right:.3f}, answerable abstained {wrong:.3f}")
    cv_right = cv_wrong = 0
    for i, (ok, g) in enumerate(rows):
        ti, wi = fit(rows[:i] + rows[i + 1 :])
        r1, w1 = rates([(ok, g)], ti, wi)
        cv_right += r1 if not ok else 0
        cv_wrong += w1 if ok else 0
    print(
        f"    leave-one-out: unanswerable abstained {cv_right / max(len(una), 1):.3f}, "
        f"answerable abstained {cv_wrong / max(len(ans), 1):.3f}"
    )


# --- compare -------------------------------------------------------------------------------------
def compare(pipe: Pipeline, items: list[dict], title_ids: dict[str, str]) -> None:
    corpus = corpus_for(pipe)
    papers_by_id = pipe.papers(corpus.paper_ids)
    papers = [papers_by_id[i] for i in corpus.paper_ids]
    qs = []
    for it in items:
        if it["type"] != "compare":
            continue
        crit = cmp.criterion_of(it["turns"][-1])
        ds = cmp.screen_offline(pipe.embedder, corpus, crit, papers, contribution=0.0)
        gold = {title_ids[t] for t in it["gold"]}
        acc = {title_ids[t] for t in it["acceptable"]}
        base = np.array([d.relevance for d in ds])
        sign = np.array([0.0 if d.stated is None else (1.0 if d.stated else -1.0) for d in ds])
        qs.append((it["id"], [d.paper.id for d in ds], base, sign, gold, acc))

    def f1(q: tuple, a: float, c: float, w: float) -> float:
        _, ids, base, sign, gold, acc = q
        rel = base + w * sign
        med = float(np.median(rel))
        cut = max(a, med + c * (rel.max() - med))
        return _f1({i for i, r in zip(ids, rel, strict=True) if r >= cut}, gold, acc)

    grid = [
        (a, c, w)
        for a in np.arange(0.30, 0.66, 0.02)
        for c in np.arange(0.20, 0.80, 0.02)
        for w in (0.0, 0.05, 0.1, 0.15, 0.2)
    ]

    def fit(sub: list) -> tuple[float, float, float]:
        return max(grid, key=lambda g: statistics.fmean(f1(q, *g) for q in sub))

    a, c, w = fit(qs)
    print(f"compare on the tune split ({len(qs)} questions):")
    print(f"  fit: COMPARE_THRESHOLD={a:.2f} COMPARE_RELATIVE={c:.2f} CONTRIBUTION_WEIGHT={w:.2f}")
    print(f"    in-sample F1 {statistics.fmean(f1(q, a, c, w) for q in qs):.3f}")
    shipped = (cmp.COMPARE_THRESHOLD, cmp.COMPARE_RELATIVE, cmp.CONTRIBUTION_WEIGHT)
    print(f"    shipped {shipped}: F1 {statistics.fmean(f1(q, *shipped) for q in qs):.3f}")
    print(
        f"    without the contribution check: F1 {statistics.fmean(f1(q, a, c, 0.0) for q in qs):.3f}"
    )
    loo = [f1(q, *fit(qs[:i] + qs[i + 1 :])) for i, q in enumerate(qs)]
    print(f"    leave-one-out F1 {statistics.fmean(loo):.3f}")

    def ceiling(q: tuple) -> float:
        _, ids, base, sign, gold, acc = q
        rel = base + w * sign
        order = [ids[i] for i in np.argsort(-rel)]
        return max(_f1(set(order[:m]), gold, acc) for m in range(1, len(order) + 1))

    print(f"    ceiling (best cutoff per question) {statistics.fmean(ceiling(q) for q in qs):.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", help="a seed store (default: ingest into a temporary one)")
    ap.add_argument("--only", choices=["abstention", "compare"], help="run one part")
    args = ap.parse_args(argv)
    pipe, title_ids = open_seeds(args.home)
    items = tune_items()
    if args.only != "compare":
        abstention(pipe, items)
    if args.only != "abstention":
        compare(pipe, items, title_ids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
