"""Offline compare-mode scoring variants, each measured like `eval/calibrate.py` measures the
shipped one: grid-fitted cutoffs, leave-one-question-out CV, and the per-question ceiling (the mean
F1 if every question got its own best cutoff, which no single calibrated cutoff can beat).

    .venv/bin/python eval/compare_variants.py [--home DIR] [VARIANT_JSON ...]

A variant is a JSON object of switches; none = the shipped scorer (`rag.compare.screen_offline`).
  seen: 1        a slot weighs only its members that occur in the collection ("llama-family")
  framing: 1     drop slots made only of framing words ("report", "study", "propose", ...)
  title: 1       the title is scored as one more sentence
  doclex: W      + W x slot coverage of the whole abstract
  top2: 1        mean of the two best sentences instead of the best
  aside: 1       the "i.e./e.g." part of the criterion is embedded as an alternative query
  center: A      subtract A x the collection's mean sentence vector before cosines (all-but-the-top)
  prf: B         + B x cosine to the centroid of the 5 best papers (pseudo-relevance feedback)
Results of a run are in the issue note for #3; none lifts the ceiling above ~0.85.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from calibrate import compare_grid, open_seeds  # noqa: E402

from rag.compare import core_of, criterion_of, screen_offline, slot_overlap, slots  # noqa: E402
from rag.extractive import W_DENSE, W_LEX, Corpus  # noqa: E402
from rag.schema import Paper  # noqa: E402
from rag.sentences import embed_sentences, split_sentences, terms  # noqa: E402

FRAMING = frozenset(
    terms(
        "report experiment provide propose study use deal work paper method approach new "
        "present introduce focus"
    )
)


class Variant:
    def __init__(self, emb: Any, corpus: Corpus, papers: list[Paper], v: dict[str, float]):
        self.emb, self.corpus, self.papers, self.v = emb, corpus, papers, v
        self.mu = 0.0
        if v.get("center"):
            sents = [s for p in papers for s in split_sentences(p.abstract)]
            self.mu = embed_sentences(emb, sents).mean(0)

    def _unit(self, m: np.ndarray) -> np.ndarray:
        if self.v.get("center"):
            m = m - self.v["center"] * self.mu
        return m / np.linalg.norm(m, axis=-1, keepdims=True)

    def scores(self, criterion: str) -> dict[str, tuple[float, float]]:
        core = core_of(criterion)
        sl = slots(core)
        if self.v.get("framing"):
            sl = [s for s in sl if not s <= FRAMING] or sl
        if self.v.get("seen"):  # members the collection never uses cannot be matched anyway
            sl = [k for k in (frozenset(t for t in s if t in self.corpus.idf) for s in sl) if k]
        queries = [core]
        aside = re.search(r"\b(?:i\.e\.|e\.g\.)\s*(.*)$", criterion, re.IGNORECASE)
        if self.v.get("aside") and aside and aside.group(1).strip(" ,;)?"):
            queries.append(aside.group(1).strip(" ,;)?"))
        qv = self._unit(embed_sentences(self.emb, queries))
        out: dict[str, tuple[float, float]] = {}
        means: dict[str, np.ndarray] = {}
        for p in self.papers:
            sents = ([p.title] if self.v.get("title") else []) + split_sentences(p.abstract)
            vecs = self._unit(embed_sentences(self.emb, sents))
            cos = (vecs @ qv.T).max(axis=1)
            sc = sorted(
                (W_DENSE * float(c) + W_LEX * slot_overlap(sl, set(terms(s)), self.corpus))
                for s, c in zip(sents, cos, strict=True)
            )[::-1]
            best = (sc[0] + sc[min(1, len(sc) - 1)]) / 2 if self.v.get("top2") else sc[0]
            best += self.v.get("doclex", 0.0) * slot_overlap(
                sl, set(terms(p.abstract)), self.corpus
            )
            m = vecs.astype(np.float64).sum(0)
            means[p.id] = m / np.linalg.norm(m)
            out[p.id] = (best, float(means[p.id] @ qv[0]))
        if self.v.get("prf"):
            top = sorted(out, key=lambda k: -(out[k][0] + 0.4 * out[k][1]))[:5]
            c = sum(means[k] for k in top)
            c = c / np.linalg.norm(c)
            out = {k: (b + self.v["prf"] * float(means[k] @ c), t) for k, (b, t) in out.items()}
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", help="store with the seeds ingested (default: a temporary one)")
    ap.add_argument("variants", nargs="*", help="JSON switches, e.g. '{\"center\": 1}'")
    args = ap.parse_args(argv)
    pipe, corpus, by_id, t2id = open_seeds(args.home)
    papers = list(by_id.values())
    items = [json.loads(x) for x in open(ROOT / "eval" / "seed_questions.jsonl") if x.strip()]
    comp = [it for it in items if it["type"] == "compare"]
    ths = [x / 100 for x in range(-10, 140)]
    for spec in [None, *args.variants]:
        rels = []
        v = Variant(pipe.embedder, corpus, papers, json.loads(spec)) if spec else None
        for it in comp:
            crit = criterion_of(it["turns"][-1])
            if v is None:
                ds = screen_offline(pipe.embedder, corpus, crit, papers, 0, 9, 0)
                r = {d.paper.id: (d.sentence, d.topic) for d in ds}
            else:
                r = v.scores(crit)
            rels.append((r, {t2id[x] for x in it["gold"]}, {t2id[x] for x in it["acceptable"]}))
        fit = compare_grid(rels, ths)
        print(
            f"{spec or 'shipped'}: mean F1 {fit.mean:.3f}, leave-one-question-out "
            f"{statistics.mean(fit.cv):.3f}, ceiling {fit.ceiling:.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
