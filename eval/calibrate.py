"""Calibrate the extractive answerer on the TUNE split of eval/seed_questions.jsonl (the test
split is never read here) and print what each rule does there.

    .venv/bin/python eval/calibrate.py [--home DIR]

It reads the same analysis the answers are built from (`Answerer.analyse`) and prints:

* abstention: which rule (rag.abstention: name, head-to-head, slot, relevance) stops how many
  answerable and unanswerable questions, then a grid for rule 4's ABSTAIN_THRESHOLD / OOV_WEIGHT
  (maximise unanswerable abstained minus answerable abstained, with at most 5% answerable
  abstained), in-sample, leave-one-question-out and leave-one-batch-out;
* compare mode (rag.compare): a grid for COMPARE_THRESHOLD, COMPARE_RELATIVE and
  CONTRIBUTION_WEIGHT (mean paper-set F1, acceptable papers neutral), in-sample, leave-one-
  question-out, leave-one-batch-out, and the ceiling (the best cutoff chosen separately for
  every question).

Each question is scored at every grid point once; a held-out fit only sums the other questions'
scores, so the cross-validation costs no more than the in-sample fit. A batch (the blind batches
of eval/README.md, one writer each) held out whole is the closer stand-in for unseen questions.

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
TYPES = {"factoid", "compare", "followup", "multi", "summary", "unanswerable"}


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


def batch(question_id: str) -> str:
    """The batch a question was written in ("fd-compare-014" -> "fd"; the first batch's ids
    start with their type): its questions share a writer, so leaving a whole batch out says
    more about unseen questions than leaving one question out."""
    head = question_id.split("-", 1)[0]
    return "first" if head in TYPES else head


# --- abstention ----------------------------------------------------------------------------------
def abstention(pipe: Pipeline, items: list[dict]) -> None:
    answerer = get_answerer(pipe)  # earlier turns answered as in use; the last one analysed
    rows: list[tuple[bool, Gate, str]] = []
    for it in items:
        if it["type"] in ("compare", "summary"):
            continue
        history: list[Answer] = []
        for turn in it["turns"][:-1]:
            history.append(answerer.answer(turn, history))
        a = answerer.analyse(it["turns"][-1], history)
        if a.gate is not None:
            rows.append((it["type"] != "unanswerable", a.gate, batch(it["id"])))
    ans = [g for ok, g, _ in rows if ok]
    una = [g for ok, g, _ in rows if not ok]
    print(f"abstention on the tune split: {len(ans)} answerable, {len(una)} unanswerable")
    for rule in ("name", "head-to-head", "slot"):
        a_n = sum(g.rule == rule for g in ans)
        u_n = sum(g.rule == rule for g in una)
        print(f"  rule {rule:<13} stops {u_n:3d} unanswerable, {a_n:3d} answerable (wrongly)")

    grid = [(t, w) for t in np.arange(0.10, 0.45, 0.01) for w in np.arange(0.0, 1.01, 0.1)]
    ok = np.array([o for o, _, _ in rows], dtype=bool)
    groups = np.array([b for _, _, b in rows])

    def stops_at(t: float, w: float) -> np.ndarray:
        return np.array(
            [
                g.rule in ("name", "head-to-head", "slot")
                or (g.floor and g.rule in ("", "relevance") and g.below(t, w))
                for _, g, _ in rows
            ],
            dtype=bool,
        )

    # stops[i, j]: does question i abstain at grid point j; computed once, so that every fit
    # below (leave-one-out included) only sums its columns
    stops = np.stack([stops_at(t, w) for t, w in grid], axis=1)
    lowest_first = -np.array([t for t, _ in grid])

    answerable, unanswerable = stops[ok].sum(axis=0), stops[~ok].sum(axis=0)

    def fit(out: np.ndarray) -> int:
        """The grid point with at most WRONG_MAX answerable abstained and the most unanswerable
        abstained beyond that (the lowest threshold on ties), without the rows in `out` (the
        totals less theirs: no copy of the matrix per fold)."""
        a, u = out & ok, out & ~ok
        wrong = (answerable - stops[a].sum(axis=0)) / max(int(ok.sum() - a.sum()), 1)
        right = (unanswerable - stops[u].sum(axis=0)) / max(int((~ok).sum() - u.sum()), 1)
        return int(np.lexsort((lowest_first, right - wrong, wrong <= WRONG_MAX))[-1])

    def report(label: str, stopped: np.ndarray) -> None:
        print(
            f"    {label}: unanswerable abstained {stopped[~ok].mean():.3f}, "
            f"answerable abstained {stopped[ok].mean():.3f}"
        )

    from rag.abstention import ABSTAIN_THRESHOLD, OOV_WEIGHT

    print(f"  shipped ({ABSTAIN_THRESHOLD}, {OOV_WEIGHT}):")
    report("in-sample", stops_at(ABSTAIN_THRESHOLD, OOV_WEIGHT))
    j = fit(np.zeros(len(rows), dtype=bool))
    print(f"  rule relevance fit: ABSTAIN_THRESHOLD={grid[j][0]:.2f} OOV_WEIGHT={grid[j][1]:.1f}")
    report("in-sample", stops[:, j])
    for label, held_out in (
        ("leave-one-out", np.arange(len(rows))),
        ("leave-one-batch-out", groups),
    ):
        stopped = np.zeros(len(rows), dtype=bool)
        for g in np.unique(held_out):
            out = held_out == g
            stopped[out] = stops[out, fit(out)]
        report(label, stopped)


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
        qs.append((batch(it["id"]), [d.paper.id for d in ds], base, sign, gold, acc))

    thresholds = np.arange(0.30, 0.66, 0.02)
    relatives = np.arange(0.20, 0.80, 0.02)
    weights = (0.0, 0.05, 0.1, 0.15, 0.2)
    grid = [(a, c, w) for w in weights for a in thresholds for c in relatives]

    def prefix_f1(ids: list[str], order: np.ndarray, gold: set[str], acc: set[str]) -> np.ndarray:
        """F1 of listing the first m papers of `order`, for m = 0 .. len(order)."""
        g = np.array([ids[i] in gold for i in order], dtype=float)
        counted = np.array([ids[i] not in acc for i in order], dtype=float)
        tp = np.concatenate([[0.0], np.cumsum(g)])
        listed = np.concatenate([[0.0], np.cumsum(counted)])
        return np.where(tp > 0, 2 * tp / np.maximum(listed + len(gold), 1), 0.0)

    def f1_at(q: tuple, a: float, c: float, w: float) -> float:
        _, ids, base, sign, gold, acc = q
        rel = base + w * sign
        med = float(np.median(rel))
        cut = max(a, med + c * (rel.max() - med))
        return _f1({i for i, r in zip(ids, rel, strict=True) if r >= cut}, gold, acc)

    def scores(q: tuple) -> np.ndarray:
        """The question's F1 at every grid point: the listed papers are a prefix of the ranking,
        so each cutoff is one count of the scores above it."""
        _, ids, base, sign, gold, acc = q
        out = []
        for w in weights:
            rel = base + w * sign
            order = np.argsort(-rel)
            f1 = prefix_f1(ids, order, gold, acc)
            med = float(np.median(rel))
            cut = np.maximum(thresholds[:, None], med + relatives[None, :] * (rel.max() - med))
            listed = (rel[None, None, :] >= cut[:, :, None]).sum(axis=2)
            out.append(f1[listed].ravel())
        return np.concatenate(out)

    m = np.stack([scores(q) for q in qs])  # questions x grid points
    groups = np.array([q[0] for q in qs])

    total = m.sum(axis=0)

    def fit(out: np.ndarray) -> int:
        """The best grid point without the questions in `out` (the total less theirs)."""
        return int((total - m[out].sum(axis=0)).argmax())

    j = fit(np.zeros(len(qs), dtype=bool))
    a, c, w = grid[j]
    print(f"compare on the tune split ({len(qs)} questions):")
    print(f"  fit: COMPARE_THRESHOLD={a:.2f} COMPARE_RELATIVE={c:.2f} CONTRIBUTION_WEIGHT={w:.2f}")
    print(f"    in-sample F1 {m[:, j].mean():.3f}")
    shipped = (cmp.COMPARE_THRESHOLD, cmp.COMPARE_RELATIVE, cmp.CONTRIBUTION_WEIGHT)
    print(f"    shipped {shipped}: F1 {statistics.fmean(f1_at(q, *shipped) for q in qs):.3f}")
    plain = max((k for k, g in enumerate(grid) if g[2] == 0.0), key=lambda k: m[:, k].mean())
    print(f"    without the contribution check: F1 {m[:, plain].mean():.3f}")
    for label, held_out in (("leave-one-out", np.arange(len(qs))), ("leave-one-batch-out", groups)):
        f1s = np.zeros(len(qs))
        for g in np.unique(held_out):
            out = held_out == g
            f1s[out] = m[out, fit(out)]
        print(f"    {label} F1 {f1s.mean():.3f}")

    def ceiling(q: tuple) -> float:
        _, ids, base, sign, gold, acc = q
        rel = base + w * sign
        return float(prefix_f1(ids, np.argsort(-rel), gold, acc)[1:].max())

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
