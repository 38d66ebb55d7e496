"""Calibrate the extractive answerer's thresholds on eval/seed_questions.jsonl and print the rates.

    .venv/bin/python eval/calibrate.py [--home DIR] [--questions FILE]

Runs every question (follow-ups turn by turn) with abstention switched off, records the gate's
features, then grid-searches:

* abstention (rag.answering.ABSTAIN_THRESHOLD, OOV_WEIGHT): maximise unanswerable-abstained minus
  answerable-wrongly-abstained, subject to <= 5% of answerable abstained (the rule-based checks,
  missing names / "how many X" without a number / a direct comparison no abstract makes, always
  abstain);
* compare mode (rag.compare.COMPARE_THRESHOLD, COMPARE_RELATIVE, COMPARE_TOPIC_WEIGHT): maximise
  mean paper-set F1 (acceptable papers count neither way).

Each fit is also run leave-one-question-out (fit on the others, decide the held-out one) and the
cross-validated rates are printed next to the in-sample ones.
It also prints gold-cited rate on factoid answers, citation validity and warm latency (p50/p95).
Without --home the seeds are ingested into a temporary store first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.answering import Gate, gate, get_answerer  # noqa: E402
from rag.compare import criterion_of, screen_offline  # noqa: E402
from rag.extractive import Corpus, corpus_for, score_sentences  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.schema import Answer, Paper  # noqa: E402
from rag.settings import Settings  # noqa: E402

SEEDS = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"


def _f1(pred: set[str], gold: set[str], acceptable: set[str]) -> float:
    pred = pred - acceptable
    tp = len(pred & gold)
    if not tp:
        return 0.0
    p, r = tp / len(pred), tp / len(gold)
    return 2 * p * r / (p + r)


def open_seeds(home: str | None) -> tuple[Pipeline, Corpus, dict[str, Paper], dict[str, str]]:
    """The seed store at `home` (or a temporary one, ingested now), its corpus statistics, its
    papers by id and the id of each title (the eval set names gold papers by title)."""
    path = Path(home) if home else Path(tempfile.mkdtemp(prefix="rag-calibrate-"))
    pipe = Pipeline(Settings(home=path))
    if not home:
        pipe.ingest([SEEDS], progress=False)
    corpus = corpus_for(pipe)
    papers = pipe.papers(corpus.paper_ids)
    return pipe, corpus, papers, {p.title: p.id for p in papers.values()}


@dataclass
class CompareFit:
    grid: list[tuple[float, float, float]]  # (topic weight, threshold, relative)
    table: list[list[float]]  # F1 of each question at each grid point
    best: int  # grid index of the best mean F1
    mean: float
    cv: list[float]  # per question, fitted on the others
    ceiling: float  # mean of each question's own best grid point: no global cutoff beats it


def compare_grid(
    rels: list[tuple[dict[str, tuple[float, float]], set[str], set[str]]],
    ths: list[float] | None = None,
) -> CompareFit:
    """Grid-search the offline compare cutoffs on (per-paper (sentence, topic) scores, gold,
    acceptable) per question; leave-one-question-out CV and the per-question ceiling."""
    topic_ws = [0.0, 0.1, 0.2, 0.3, 0.4]
    rel_ws = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1.0]
    ths = ths or [x / 100 for x in range(20, 120)]
    grid = [(tw, th, rl) for tw in topic_ws for th in ths for rl in rel_ws]

    def f1_row(r: dict[str, tuple[float, float]], gold: set[str], acc: set[str]) -> list[float]:
        out: list[float] = []
        for tw in topic_ws:
            v = {pid: s + tw * t for pid, (s, t) in r.items()}
            top = max(v.values())
            for th in ths:
                for rl in rel_ws:
                    out.append(
                        _f1({p for p, x in v.items() if x >= th and x >= top - rl}, gold, acc)
                    )
        return out

    table = [f1_row(*x) for x in rels]

    def fit(rows: list[list[float]]) -> tuple[float, int]:
        means = [statistics.mean(col) for col in zip(*rows, strict=True)]
        j = max(range(len(means)), key=lambda i: means[i])
        return means[j], j

    mean, best = fit(table)
    cv = [table[i][fit(table[:i] + table[i + 1 :])[1]] for i in range(len(table))]
    ceiling = statistics.mean(max(row) for row in table)
    return CompareFit(grid, table, best, mean, cv, ceiling)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", help="store with the seeds ingested (default: a temporary one)")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "seed_questions.jsonl"))
    args = ap.parse_args(argv)

    pipe, corpus, allp, t2id = open_seeds(args.home)
    items = [json.loads(line) for line in open(args.questions, encoding="utf-8") if line.strip()]

    ans = get_answerer(pipe)
    ans.abstain = False
    from rag.evaluation import citation_validity  # the project's own checker

    abstracts = {p.id: p.abstract for p in allp.values()}
    feats: list[tuple[bool, Gate]] = []
    gold_cited: list[bool] = []
    valid = 0
    total = 0
    for it in items:
        history: list[Answer] = []
        for turn in it["turns"]:
            a = ans.answer(turn, history)
            history.append(a)
            total += 1
            ok, problems = citation_validity(a, abstracts)
            valid += ok
            if not ok:
                print("INVALID", it["id"], problems[:2])
        last = history[-1]
        q = last.standalone_question
        if last.mode == "compare":
            continue
        # gate features exactly as the answerer computes them
        from rag.conversation import carry_over

        rw = carry_over(it["turns"][-1], history[:-1])
        papers = [allp[h.paper_id] for h in last.retrieved]
        scored = score_sentences(pipe.embedder, corpus, rw.scoring_question, papers)
        feats.append(
            (it["type"] != "unanswerable", gate(rw.scoring_question, scored, papers, corpus))
        )
        if it["type"] == "factoid":
            gold = {t2id[t] for t in it["gold"]}
            gold_cited.append(any(c.paper_id in gold for c in last.citations))
        del q

    print(f"citation validity: {valid}/{total} answers ({100 * valid / total:.1f}%)")
    print(f"gold cited in factoid answers: {sum(gold_cited)}/{len(gold_cited)}")

    # --- abstention grid ------------------------------------------------------------------------
    def abstains(g: Gate, t: float, w: float) -> bool:
        return bool(g.missing or g.why or g.relevance - w * g.oov < t)

    def fit_abstention(fs: list[tuple[bool, Gate]]) -> tuple[float, float, float, float]:
        pos = [g for a, g in fs if a]
        neg = [g for a, g in fs if not a]
        best = None
        for w in [x / 20 for x in range(0, 13)]:
            for t in [x / 200 for x in range(40, 140)]:
                fa = sum(abstains(g, t, w) for g in pos) / len(pos)
                ua = sum(abstains(g, t, w) for g in neg) / len(neg)
                if fa > 0.05:
                    continue
                key = (ua - fa, -fa, -abs(w - 0.25))
                if best is None or key > best[0]:
                    best = (key, t, w, ua, fa)
        assert best is not None
        return best[1:]

    t, w, ua, fa = fit_abstention(feats)
    n_pos = sum(1 for a, _ in feats if a)
    n_neg = len(feats) - n_pos
    print(
        f"abstention: ABSTAIN_THRESHOLD={t:.3f} OOV_WEIGHT={w:.2f} -> unanswerable abstained "
        f"{ua:.1%} ({n_neg}), answerable wrongly abstained {fa:.1%} ({n_pos})"
    )
    cv_u = cv_a = 0
    for i, (a, g) in enumerate(feats):
        ti, wi, _, _ = fit_abstention(feats[:i] + feats[i + 1 :])
        ab = abstains(g, ti, wi)
        cv_u += (not a) and ab
        cv_a += a and ab
    print(
        f"abstention, leave-one-question-out: unanswerable abstained {cv_u / n_neg:.1%}, "
        f"answerable wrongly abstained {cv_a / n_pos:.1%}"
    )

    # --- compare grid ---------------------------------------------------------------------------
    comp = [it for it in items if it["type"] == "compare"]
    rels: list[tuple[dict[str, tuple[float, float]], set[str], set[str]]] = []
    papers = list(allp.values())
    for it in comp:
        ds = screen_offline(pipe.embedder, corpus, criterion_of(it["turns"][-1]), papers, 0, 9, 0)
        r = {d.paper.id: (d.sentence, d.topic) for d in ds}
        rels.append((r, {t2id[x] for x in it["gold"]}, {t2id[x] for x in it["acceptable"]}))

    fit = compare_grid(rels)
    m_in, j_in, cv, grid, table = fit.mean, fit.best, fit.cv, fit.grid, fit.table
    tw, th, rl = grid[j_in]
    print(
        f"compare: COMPARE_THRESHOLD={th:.2f} COMPARE_RELATIVE={rl:.2f} "
        f"COMPARE_TOPIC_WEIGHT={tw:.2f} -> mean F1 {m_in:.3f} over {len(comp)} questions; "
        f"leave-one-question-out {statistics.mean(cv):.3f}; ceiling with the best cutoff chosen "
        f"per question {fit.ceiling:.3f}"
    )
    for it, row, c in zip(comp, table, cv, strict=True):
        print(f"  {it['id']}: in-sample {row[j_in]:.2f}, held out {c:.2f}")

    # --- latency (warm, current defaults) ------------------------------------------------------
    ans.abstain = True
    qa = [it["turns"][0] for it in items if it["type"] in ("factoid", "unanswerable")][:40]
    for q in qa[:5]:
        ans.answer(q)
    ms = []
    for q in qa:
        t0 = time.perf_counter()
        ans.answer(q)
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    print(
        f"warm extractive latency over {len(ms)} questions: p50 {statistics.median(ms):.0f} ms, "
        f"p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
