"""Eval harness over `eval/seed_questions.jsonl`: asks the pipeline every question and scores
retrieval, citations, compare-mode paper sets, facts, abstention, citation validity and latency.

Why it is shaped this way: the metric functions are pure (they take `Answer`s and id sets), so they
are unit-tested on hand-built answers; the runner only asks, maps gold titles to paper ids and
aggregates. Every question id is carried into a per-question row (ragas-style), so a report says
not only how good the numbers are but which questions moved them.

Definitions (all per question, then averaged over the questions where they apply):

* retrieval (answerable questions): Recall@5/@10 and nDCG@10 by pytrec_eval on the order of
  `Answer.retrieved` with gold papers as the relevant set; MRR = 1 / rank of the first gold paper.
* gold citation recall: fraction of gold papers cited; `gold_cited`: 1 if any gold paper is cited
  (for factoids, with one gold paper, the two agree).
* citation precision: fraction of cited papers that are gold or acceptable (answers with citations).
* compare precision/recall/F1 (compare questions): `Answer.papers` (or the cited papers when the
  answer is not a compare table) vs gold; acceptable papers count neither for nor against.
* fact recall: fraction of facts found in the answer text after normalising case, whitespace and
  "percent" -> "%".
* abstention (LitQA2 sense): correct = abstained for unanswerable, answered and used a gold paper
  for answerable; accuracy = correct / all, precision = correct / answered.
* citation validity: every [n] names a listed citation, numbers are unique, and (extractive
  backend) every cited sentence and every evidence string is verbatim in a cited abstract.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytrec_eval

from rag.schema import Answer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT / "eval" / "seed_questions.jsonl"
DEFAULT_THRESHOLDS = ROOT / "eval" / "thresholds.toml"
DEFAULT_REPORTS = ROOT / "eval" / "reports"
SEEDS_DIR = ROOT / "seeds"

TYPES = ("factoid", "multi", "compare", "summary", "followup", "unanswerable")
# tune: every calibration and rule is made on it; test: sealed, reported beside tune, gated in CI
SPLITS = ("tune", "test")
REPORT_RE = re.compile(r"^\d{8}-\d{6}(?:-\d+)?\.json$")

# metric name -> short label used in tables; the order is the order of report tables
METRICS: dict[str, str] = {
    "recall_at_5": "Recall@5",
    "recall_at_10": "Recall@10",
    "mrr": "MRR",
    "ndcg_at_10": "nDCG@10",
    "gold_citation_recall": "gold cit. recall",
    "gold_cited": "gold cited",
    "citation_precision": "cit. precision",
    "compare_precision": "compare P",
    "compare_recall": "compare R",
    "compare_f1": "compare F1",
    "compare_routed": "compare routed",
    "fact_recall": "fact recall",
    "abstention_accuracy": "abst. accuracy",
    "abstention_precision": "abst. precision",
    "wrong_abstention": "wrong abstention",
    "unanswerable_abstained": "unans. abstained",
    "citation_validity": "cit. validity",
    "faithfulness": "judge faithfulness",
    "latency_p50_ms": "latency p50 ms",
    "latency_p95_ms": "latency p95 ms",
    "errors": "errors",
    "n": "questions",
}
# per-row values that are averaged directly (the rest are computed from the group)
ROW_MEANS = (
    "recall_at_5",
    "recall_at_10",
    "mrr",
    "ndcg_at_10",
    "gold_citation_recall",
    "gold_cited",
    "citation_precision",
    "compare_precision",
    "compare_recall",
    "compare_f1",
    "compare_routed",
    "fact_recall",
    "citation_validity",
    "faithfulness",
)
CHART_METRICS = (
    "recall_at_10",
    "mrr",
    "gold_citation_recall",
    "citation_precision",
    "compare_f1",
    "fact_recall",
    "abstention_accuracy",
    "citation_validity",
)


# --- dataset -------------------------------------------------------------------------------------
@dataclass
class EvalItem:
    """One line of the question file; `gold`/`acceptable` are titles, as written by annotators."""

    id: str
    type: str
    turns: list[str]
    gold: list[str] = field(default_factory=list)
    acceptable: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    split: str = ""  # "tune" / "test"; "" for a question file without splits
    tags: list[str] = field(default_factory=list)  # e.g. near-miss, ordinal, new-topic

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_dataset(path: Path) -> list[EvalItem]:
    """Read the JSONL question file; a bad line is an error with its line number (eval data must
    be exact, so nothing is skipped silently)."""
    items: list[EvalItem] = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                items.append(
                    EvalItem(
                        id=str(q["id"]),
                        type=str(q["type"]),
                        turns=[str(t) for t in q["turns"]],
                        gold=[str(t) for t in q.get("gold", [])],
                        acceptable=[str(t) for t in q.get("acceptable", [])],
                        facts=[str(t) for t in q.get("facts", [])],
                        split=str(q.get("split", "")),
                        tags=[str(t) for t in q.get("tags", [])],
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: not an eval question ({exc})") from exc
            if not items[-1].turns:
                raise ValueError(f"{path}:{lineno}: question {items[-1].id} has no turns")
    return items


def norm_title(title: str) -> str:
    """Titles are matched exactly first; this is the fallback (the loader collapses whitespace)."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def title_index(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(paper_id, title) pairs -> {title: id} with both exact and normalised keys."""
    index: dict[str, str] = {}
    for pid, title in rows:
        index.setdefault(title, pid)
        index.setdefault(norm_title(title), pid)
    return index


def resolve_titles(titles: Sequence[str], index: dict[str, str]) -> tuple[list[str], list[str]]:
    """Gold titles -> paper ids, plus the titles that are not in the store."""
    ids: list[str] = []
    missing: list[str] = []
    for t in titles:
        pid = index.get(t) or index.get(norm_title(t))
        if pid is None:
            missing.append(t)
        elif pid not in ids:
            ids.append(pid)
    return ids, missing


# --- metrics on one answer -----------------------------------------------------------------------
def retrieval_scores(
    runs: dict[str, list[str]], relevant: dict[str, set[str]]
) -> dict[str, dict[str, float]]:
    """Recall@5/@10 and nDCG@10 by pytrec_eval, MRR computed directly, per question id.

    The run is given as a ranked list; scores are made strictly decreasing by rank, because
    pytrec_eval re-sorts by score (and breaks ties by id), which would lose the answer's order.
    Questions without relevant papers are skipped (retrieval is undefined for them).
    """
    qrels = {q: {pid: 1 for pid in rel} for q, rel in relevant.items() if rel}
    if not qrels:
        return {}
    ranked_by_q = {q: list(dict.fromkeys(runs.get(q, []))) for q in qrels}
    run = {
        q: {pid: float(len(ranked) - i) for i, pid in enumerate(ranked)}
        for q, ranked in ranked_by_q.items()
    }
    per_q = pytrec_eval.RelevanceEvaluator(qrels, {"recall.5,10", "ndcg_cut.10"}).evaluate(run)
    out: dict[str, dict[str, float]] = {}
    for q, rel in qrels.items():
        got = per_q.get(q, {})
        ranked = ranked_by_q[q]
        first = next((i for i, pid in enumerate(ranked, 1) if pid in rel), None)
        out[q] = {
            "recall_at_5": float(got.get("recall_5", 0.0)),
            "recall_at_10": float(got.get("recall_10", 0.0)),
            "ndcg_at_10": float(got.get("ndcg_cut_10", 0.0)),
            "mrr": 1.0 / first if first else 0.0,
        }
    return out


def cited_ids(answer: Answer) -> list[str]:
    """Papers cited in the answer, in citation order, without repeats."""
    return list(dict.fromkeys(c.paper_id for c in answer.citations))


def used_ids(answer: Answer) -> list[str]:
    """Papers the answer puts in front of the reader: cited ones plus compare-table rows."""
    return list(dict.fromkeys([*cited_ids(answer), *(p.paper_id for p in answer.papers)]))


def citation_scores(
    answer: Answer, gold: set[str], acceptable: set[str]
) -> dict[str, float | None]:
    """Gold-paper citation recall, any-gold-cited, and citation precision (gold + acceptable)."""
    cited = set(cited_ids(answer))
    return {
        "gold_citation_recall": len(cited & gold) / len(gold) if gold else None,
        "gold_cited": (1.0 if cited & gold else 0.0) if gold else None,
        "citation_precision": len(cited & (gold | acceptable)) / len(cited) if cited else None,
    }


def set_scores(predicted: Iterable[str], gold: set[str], acceptable: set[str]) -> dict[str, float]:
    """Paper-set precision/recall/F1; acceptable papers are dropped from the prediction so they
    count neither for nor against. An empty prediction has precision 0 (nothing right was said)."""
    pred = set(predicted) - (acceptable - gold)
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"compare_precision": p, "compare_recall": r, "compare_f1": f1}


_PERCENT_RE = re.compile(r"\s*(?:per\s*cent|percent)\b")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise_fact_text(text: str) -> str:
    """Case, whitespace, unicode dashes/quotes and "43.6 percent" / "43.6 %" -> "43.6%"."""
    s = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES).casefold()
    s = " ".join(s.split())
    s = _PERCENT_RE.sub("%", s)
    return re.sub(r"\s+%", "%", s)


def fact_scores(text: str, facts: Sequence[str]) -> tuple[float | None, list[str]]:
    """Fraction of facts present in the answer text, and the ones that are missing."""
    if not facts:
        return None, []
    hay = normalise_fact_text(text)
    missing = [f for f in facts if normalise_fact_text(f) not in hay]
    return 1.0 - len(missing) / len(facts), missing


_MARK_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def citation_markers(text: str) -> list[int]:
    """Every number cited in the text: "[1]", "[2, 3]" and "[1][2]" forms."""
    return [int(n) for m in _MARK_RE.finditer(text) for n in re.split(r"[,;]", m.group(1))]


def _norm_ws(s: str) -> str:
    return " ".join(s.split())


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Split answer text into (claim, [n...]) pieces: the text before each run of markers.

    Why markers and not a sentence splitter: the extractive answerer quotes whole abstract
    sentences (which may contain "e.g." or "3.5"), so the citation marker is the only reliable
    boundary.
    """
    out: list[tuple[str, list[int]]] = []
    pos = 0
    for m in re.finditer(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+", text):
        claim = text[pos : m.start()]
        nums = citation_markers(m.group(0))
        pos = m.end()
        # only the last line/bullet before the markers is the claim (drop headings, bullets)
        claim = re.split(r"\n+", claim)[-1]
        claim = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", claim)
        claim = claim.strip().strip('"\u201c\u201d').strip()
        # a sentence may end in "." after the marker ("... text [1]." or "... (X) [1].)")
        tail = re.match(r"[.!?;,]*[\"')\]]*", text[pos:])
        pos += tail.end() if tail else 0
        if claim:
            out.append((claim, nums))
    return out


def _verbatim(claim: str, abstract: str) -> bool:
    c, a = _norm_ws(claim), _norm_ws(abstract)
    if not c:
        return True
    if c in a:
        return True
    # "... results.[1]" and "... results [1]." both cite "... results."; allow the sentence's
    # final punctuation to be moved or dropped, and a leading ellipsis/quote mark.
    core = c.rstrip(".;:,").lstrip("\u2026. ").strip()
    return bool(core) and core in a


def citation_validity(
    answer: Answer, abstracts: dict[str, str], verbatim: bool | None = None
) -> tuple[bool, list[str]]:
    """Is every citation checkable? Returns (valid, problems).

    Always: every [n] in the text names a listed citation and the citation numbers are unique.
    With `verbatim` (default: the extractive backend, which promises quotes): each cited claim
    appears verbatim in one of the abstracts it cites, and each citation's / compare row's
    evidence is verbatim in its own abstract.
    """
    problems: list[str] = []
    listed = [c.n for c in answer.citations]
    if len(listed) != len(set(listed)):
        problems.append(f"duplicate citation numbers {sorted(listed)}")
    by_n = {c.n: c for c in answer.citations}
    for n in sorted(set(citation_markers(answer.answer)) - set(by_n)):
        problems.append(f"[{n}] is not a listed citation")
    if verbatim is None:
        verbatim = answer.backend == "extractive"
    if verbatim:
        for c in answer.citations:
            abstract = abstracts.get(c.paper_id)
            if abstract is None:
                problems.append(f"[{c.n}] cites {c.paper_id}, which is not in the store")
            elif c.evidence and not _verbatim(c.evidence, abstract):
                problems.append(f"[{c.n}] evidence is not verbatim in {c.paper_id}")
        for p in answer.papers:
            abstract = abstracts.get(p.paper_id)
            if abstract is not None and p.evidence and not _verbatim(p.evidence, abstract):
                problems.append(f"compare row {p.paper_id}: evidence is not verbatim")
        for claim, nums in cited_sentences(answer.answer):
            sources = [abstracts.get(by_n[n].paper_id, "") for n in nums if n in by_n]
            if sources and not any(_verbatim(claim, a) for a in sources):
                short = claim if len(claim) <= 80 else claim[:77] + "..."
                problems.append(f"not verbatim in cited {nums}: {short!r}")
    return not problems, problems


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), without needing numpy here."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --- scoring a question --------------------------------------------------------------------------
def score_item(
    item: EvalItem,
    answer: Answer | None,
    gold: set[str],
    acceptable: set[str],
    abstracts: dict[str, str],
    retrieval: dict[str, float] | None = None,
    latencies: Sequence[float] = (),
    error: str | None = None,
) -> dict[str, Any]:
    """One per-question row: everything a reader needs to see why a question passed or failed."""
    row: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "split": item.split,
        "tags": list(item.tags),
        "question": item.turns[-1],
        "answerable": item.answerable,
        "gold_ids": sorted(gold),
        "acceptable_ids": sorted(acceptable),
        "error": error,
        "turn_latencies_ms": [round(x, 1) for x in latencies],
        "latency_ms": round(latencies[-1], 1) if latencies else None,
    }
    for k in ROW_MEANS:
        row[k] = None
    if answer is None:  # the pipeline raised: counts as answered wrongly, nothing valid
        row.update(
            mode=None,
            backend=None,
            abstained=False,
            answered=False,
            correct=False,
            citation_validity=0.0,
            validity_problems=[f"error: {error}"],
        )
        if item.answerable:
            row.update(retrieval or {k: 0.0 for k in ("recall_at_5", "recall_at_10", "mrr")})
            row.update(gold_citation_recall=0.0, gold_cited=0.0)
            if item.type == "compare":
                row.update(compare_precision=0.0, compare_recall=0.0, compare_f1=0.0)
                row["compare_routed"] = 0.0
            if item.facts:
                row["fact_recall"] = 0.0
        return row

    cited = cited_ids(answer)
    used = used_ids(answer)
    row.update(
        mode=answer.mode,
        backend=answer.backend,
        abstained=bool(answer.abstained),
        answered=not answer.abstained,
        retrieved_ids=[h.paper_id for h in answer.retrieved][:10],
        cited_ids=cited,
        compared_ids=[p.paper_id for p in answer.papers],
        answer=answer.answer,
        notice=answer.notice,
        timings_ms={k: round(float(v), 1) for k, v in answer.timings_ms.items()},
    )
    if item.answerable and retrieval is not None:
        row.update(retrieval)
    if item.answerable:
        row.update(citation_scores(answer, gold, acceptable))
    if item.type == "compare":
        predicted = [p.paper_id for p in answer.papers] or cited
        row.update(set_scores(predicted, gold, acceptable))
        row["compare_routed"] = 1.0 if answer.mode == "compare" else 0.0
    recall, missing = fact_scores(answer.answer, item.facts)
    row["fact_recall"] = recall
    row["facts_missing"] = missing
    if item.answerable:
        row["correct"] = (not answer.abstained) and bool(set(used) & gold)
    else:
        row["correct"] = bool(answer.abstained)
    valid, problems = citation_validity(answer, abstracts)
    row["citation_validity"] = 1.0 if valid else 0.0
    row["validity_problems"] = problems
    return row


# --- aggregation ---------------------------------------------------------------------------------
def _mean(values: Iterable[float | None]) -> float | None:
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def aggregate(rows: Sequence[dict[str, Any]], all_latencies: Sequence[float] = ()) -> dict:
    """Group metrics: means of the per-row values plus abstention rates and latency percentiles.

    Latency percentiles are over every asked turn (`all_latencies`, a follow-up's earlier turns
    are answers too) when given, else over the scored turns.
    """
    out: dict[str, Any] = {"n": len(rows), "errors": sum(1 for r in rows if r.get("error"))}
    for k in ROW_MEANS:
        out[k] = _mean(r.get(k) for r in rows)
    answered = [r for r in rows if r.get("answered")]
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    out["abstention_accuracy"] = (
        sum(1 for r in rows if r.get("correct")) / len(rows) if rows else None
    )
    out["abstention_precision"] = (
        sum(1 for r in answered if r.get("correct")) / len(answered) if answered else None
    )
    out["wrong_abstention"] = (
        sum(1 for r in answerable if r.get("abstained")) / len(answerable) if answerable else None
    )
    out["unanswerable_abstained"] = (
        sum(1 for r in unanswerable if r.get("abstained")) / len(unanswerable)
        if unanswerable
        else None
    )
    lat = list(all_latencies) or [r["latency_ms"] for r in rows if r.get("latency_ms") is not None]
    out["latency_p50_ms"] = percentile(lat, 50)
    out["latency_p95_ms"] = percentile(lat, 95)
    return {k: out.get(k) for k in METRICS if k in out}


def _lat(group: Sequence[dict[str, Any]]) -> list[float]:
    return [x for r in group for x in r.get("turn_latencies_ms", [])]


def summarise(rows: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Overall and per-type metrics (types in the canonical order, unknown types after)."""
    overall = aggregate(rows, _lat(rows))
    types = [t for t in TYPES if any(r["type"] == t for r in rows)]
    types += sorted({r["type"] for r in rows} - set(types))
    by_type = {}
    for t in types:
        group = [r for r in rows if r["type"] == t]
        by_type[t] = aggregate(group, _lat(group))
    return overall, by_type


def summarise_tags(rows: Sequence[dict[str, Any]]) -> dict[str, dict]:
    """Metrics per tag (near-miss, ordinal, new-topic, ...): the hard cases the types hide."""
    tags = sorted({t for r in rows for t in r.get("tags", [])})
    return {t: aggregate(g := [r for r in rows if t in r.get("tags", [])], _lat(g)) for t in tags}


def summarise_splits(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{split: {"n", "overall", "by_type", "by_tag"}} for the splits the rows have."""
    out: dict[str, dict[str, Any]] = {}
    names = [s for s in SPLITS if any(r.get("split") == s for r in rows)]
    names += sorted({r.get("split") or "" for r in rows} - set(names) - {""})
    for name in names:
        group = [r for r in rows if r.get("split") == name]
        overall, by_type = summarise(group)
        out[name] = {
            "n": len(group),
            "overall": overall,
            "by_type": by_type,
            "by_tag": summarise_tags(group),
        }
    return out


def _flat_group(group: dict[str, Any]) -> dict[str, float]:
    flat: dict[str, float] = {}
    for k, v in group.get("overall", {}).items():
        if v is not None:
            flat[k] = float(v)
    for t, metrics in group.get("by_type", {}).items():
        for k, v in metrics.items():
            if v is not None:
                flat[f"{t}_{k}"] = float(v)
    for t, metrics in group.get("by_tag", {}).items():
        for k, v in metrics.items():
            if v is not None:
                flat[f"#{t}_{k}"] = float(v)
    return flat


def flat_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Names the gate and the diff use: overall `<metric>`, per type `<type>_<metric>` (e.g.
    `factoid_gold_cited`, `compare_f1`, `runtime_s`), and the same per split and per tag:
    `test.factoid_gold_cited`, `tune.#near-miss_unanswerable_abstained`."""
    flat = _flat_group(report)
    for split, group in report.get("splits", {}).items():
        for k, v in _flat_group(group).items():
            flat[f"{split}.{k}"] = v
    if report.get("runtime_s") is not None:
        flat["runtime_s"] = float(report["runtime_s"])
    return flat


# --- the runner ----------------------------------------------------------------------------------
def ensure_seed_store(pipe: Any, dataset: Path, log: Callable[[str], None]) -> float:
    """For the default question set over an empty store, ingest the seed abstracts first, so
    `rag eval run` works on a fresh checkout. Returns seconds spent ingesting."""
    if Path(dataset).resolve() != DEFAULT_DATASET.resolve() or pipe.store.count() > 0:
        return 0.0
    files = sorted(p for p in SEEDS_DIR.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no seed files under {SEEDS_DIR}")
    log(f"rag eval run: store is empty; ingesting {len(files)} seed file(s) from {SEEDS_DIR}")
    t = time.perf_counter()
    pipe.ingest(files, progress=False)
    return time.perf_counter() - t


def store_titles(pipe: Any) -> list[tuple[str, str]]:
    """(paper_id, title) for every paper in the store."""
    seen: dict[str, str] = {}
    for _, _, md in pipe.store.iter_rows():
        seen.setdefault(str(md.get("paper_id")), str(md.get("title", "")))
    return list(seen.items())


def _judge(pipe: Any) -> Callable[[str, Any], float] | None:
    """The optional LLM judge (`rag.generation.judge_support(settings, claim, paper)`) when an
    endpoint is configured; None otherwise, or when that module is not importable."""
    s = pipe.settings
    if not (s.llm_model and (s.llm_base_url or s.llm_api_key)):
        return None
    try:
        from rag.generation import judge_support
    except ImportError:
        return None
    return lambda claim, paper: float(judge_support(s, claim, paper))


def _judge_answer(
    judge: Callable[[str, Any], float], answer: Answer, papers: dict[str, Any]
) -> float | None:
    """Faithfulness of one answer: the mean over its cited sentences of the best support any
    cited abstract gives the sentence. A sentence whose verdict cannot be read is left out."""
    by_n = {c.n: c for c in answer.citations}
    scores: list[float] = []
    for claim, nums in cited_sentences(answer.answer):
        best: float | None = None
        for n in nums:
            paper = papers.get(by_n[n].paper_id) if n in by_n else None
            if paper is None:
                continue
            try:
                score = judge(claim, paper)
            except Exception:  # noqa: BLE001 - an unreadable verdict skips this sentence only
                continue
            best = score if best is None else max(best, score)
        if best is not None:
            scores.append(best)
    return _mean(scores)


def run_eval(
    pipe: Any,
    dataset: Path = DEFAULT_DATASET,
    limit: int | None = None,
    types: Sequence[str] | None = None,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
    judge: bool = True,
    splits: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Ask every question (follow-ups turn by turn with the earlier Answers as history), score the
    last turn, and return the report dict (metrics + per-question rows)."""
    t0 = time.perf_counter()
    items = load_dataset(dataset)
    if types:
        items = [it for it in items if it.type in set(types)]
    if splits:
        items = [it for it in items if it.split in set(splits)]
    if limit:
        items = items[:limit]
    ingest_s = ensure_seed_store(pipe, dataset, log)
    index = title_index(store_titles(pipe))
    judge_fn = _judge(pipe) if judge else None

    answers: dict[str, Answer | None] = {}
    latencies: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    ids: dict[str, tuple[set[str], set[str]]] = {}
    missing_titles: dict[str, list[str]] = {}
    t_ask = time.perf_counter()
    for i, item in enumerate(items, 1):
        gold, miss_g = resolve_titles(item.gold, index)
        acc, miss_a = resolve_titles(item.acceptable, index)
        ids[item.id] = (set(gold), set(acc))
        if miss_g or miss_a:
            missing_titles[item.id] = miss_g + miss_a
        history: list[Answer] = []
        lat: list[float] = []
        try:
            for turn in item.turns:
                t = time.perf_counter()
                ans = pipe.ask(turn, history=list(history))
                wall = (time.perf_counter() - t) * 1000
                lat.append(float(ans.timings_ms.get("total", wall)))
                history.append(ans)
            answers[item.id] = history[-1]
        except Exception as exc:  # noqa: BLE001 - one failing question must not end the run
            answers[item.id] = None
            errors[item.id] = f"{type(exc).__name__}: {exc}"
            log(f"rag eval run: {item.id}: error: {errors[item.id]}")
        latencies[item.id] = lat
        if i % 20 == 0 or i == len(items):
            log(f"rag eval run: {i}/{len(items)} questions ({time.perf_counter() - t_ask:.1f}s)")
    ask_s = time.perf_counter() - t_ask

    # abstracts of every cited / compared paper, fetched once, for verbatim checks
    need = {pid for a in answers.values() if a for pid in used_ids(a)}
    papers = pipe.papers(sorted(need)) if need else {}
    abstracts = {pid: p.abstract for pid, p in papers.items()}

    runs = {
        it.id: [h.paper_id for h in a.retrieved]
        for it in items
        if (a := answers[it.id]) is not None and it.answerable
    }
    retrieval = retrieval_scores(runs, {it.id: ids[it.id][0] for it in items if it.answerable})
    rows: list[dict[str, Any]] = []
    for item in items:
        gold, acc = ids[item.id]
        row = score_item(
            item,
            answers[item.id],
            gold,
            acc,
            abstracts,
            retrieval.get(item.id),
            latencies[item.id],
            errors.get(item.id),
        )
        if item.id in missing_titles:
            row["missing_titles"] = missing_titles[item.id]
        ans = answers[item.id]
        if judge_fn and ans is not None and not ans.abstained:
            try:
                row["faithfulness"] = _judge_answer(judge_fn, ans, papers)
            except Exception as exc:  # noqa: BLE001 - the judge is reported, never fatal
                log(f"rag eval run: judge disabled after an error: {exc}")
                judge_fn = None
        rows.append(row)
    overall, by_type = summarise(rows)
    backends = sorted({r["backend"] for r in rows if r.get("backend")})
    if missing_titles:
        log(
            f"rag eval run: warning: {len(missing_titles)} question(s) name titles not in the "
            "store (scored as misses); is the right corpus ingested?"
        )
    s = pipe.settings
    return {
        "created": datetime.now().isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "n_questions": len(items),
        "backend": ", ".join(backends) or "none",
        "settings": {
            "collection": s.collection,
            "top_k": s.top_k,
            "fusion": s.fusion,
            "dense_weight": s.dense_weight,
            "embed_model": s.embed_model,
            "llm_model": s.llm_model,
        },
        "judge": bool(judge_fn),
        # the harness's own time; a first-run ingest of the seeds is reported apart
        "runtime_s": round(time.perf_counter() - t0 - ingest_s, 2),
        "ask_s": round(ask_s, 2),
        "ingest_s": round(ingest_s, 2),
        "overall": overall,
        "by_type": by_type,
        "splits": summarise_splits(rows),
        "rows": rows,
    }


# --- gate ----------------------------------------------------------------------------------------
def load_thresholds(path: Path, table: str = "seed") -> dict[str, float]:
    """`[table]` of the thresholds file: keys `<metric>_min` / `<metric>_max`. A table with
    `split = "test"` names that split's metrics (`test.factoid_gold_cited_min`); a sub-table
    `[table.questions]` gives per-question floors (`"t-compare-003" = 0.5`: that question's main
    score, e.g. compare F1, may not drop below it) as `question:<id>_min`."""
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    if table not in data:
        raise KeyError(f"{path}: no [{table}] table (have: {', '.join(sorted(data)) or 'none'})")
    spec = dict(data[table])
    split = spec.pop("split", "")
    questions = spec.pop("questions", {})
    prefix = f"{split}." if split else ""
    # the run's own figures (runtime_s) belong to no split
    out = {(k if k.startswith("runtime") else f"{prefix}{k}"): float(v) for k, v in spec.items()}
    out.update({f"question:{qid}_min": float(v) for qid, v in questions.items()})
    return out


def question_scores(report: dict[str, Any]) -> dict[str, float]:
    """Each question's main score, for per-question floors: compare F1 for compare questions,
    1/0 correct (answered with a gold paper, or abstained when unanswerable) for the rest."""
    out: dict[str, float] = {}
    for r in report.get("rows", []):
        v = r.get("compare_f1") if r.get("type") == "compare" else float(bool(r.get("correct")))
        out[f"question:{r['id']}"] = float(v or 0.0)
    return out


def check_gate(report: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Failed thresholds, one line each. An unknown metric or one that was not measured fails too,
    so a typo in the thresholds file cannot silently pass."""
    flat = {**flat_metrics(report), **question_scores(report)}
    failures: list[str] = []
    for key, limit in thresholds.items():
        if key.endswith("_min"):
            metric, bound = key[: -len("_min")], "min"
        elif key.endswith("_max"):
            metric, bound = key[: -len("_max")], "max"
        else:
            failures.append(f"{key}: threshold names must end in _min or _max")
            continue
        value = flat.get(metric)
        if value is None:
            failures.append(f"{key}: metric {metric!r} was not measured")
        elif bound == "min" and value < limit - 1e-9:
            failures.append(f"{key}: {metric} = {value:.4f} < {limit:g}")
        elif bound == "max" and value > limit + 1e-9:
            failures.append(f"{key}: {metric} = {value:.4f} > {limit:g}")
    return failures


# --- reports -------------------------------------------------------------------------------------
def previous_report(out_dir: Path, exclude: Path | None = None) -> Path | None:
    """The newest timestamped report in the directory (names sort by time)."""
    if not Path(out_dir).is_dir():
        return None
    found = sorted(
        p
        for p in Path(out_dir).iterdir()
        if REPORT_RE.match(p.name) and (exclude is None or p.resolve() != exclude.resolve())
    )
    return found[-1] if found else None


def diff_reports(current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """Metric deltas between two reports (metrics present in either)."""
    cur, prev = flat_metrics(current), flat_metrics(previous)
    out = []
    for key in sorted(set(cur) | set(prev), key=_metric_order):
        a, b = prev.get(key), cur.get(key)
        delta = None if a is None or b is None else b - a
        if delta is not None and abs(delta) <= 1e-9:
            continue
        base = _type_metric(key)
        if base and (prev.get(base), cur.get(base)) == (a, b):
            continue  # a one-type metric (compare_f1 of compare): the overall line says it
        out.append({"metric": key, "previous": a, "current": b, "delta": delta})
    return out


def _split_prefix(key: str) -> tuple[str, str]:
    """`test.compare_f1` -> ("test.", "compare_f1"); ("", key) without a split."""
    head, dot, rest = key.partition(".")
    return (head + dot, rest) if dot and head in SPLITS else ("", key)


def _type_metric(key: str) -> str | None:
    """`compare_recall_at_5` -> `recall_at_5` (keeping a split prefix); None for an overall one."""
    prefix, key = _split_prefix(key)
    for t in TYPES:
        if key.startswith(t + "_") and key[len(t) + 1 :] in METRICS:
            return prefix + key[len(t) + 1 :]
    return None


def _metric_order(key: str) -> tuple[int, int, int, str]:
    prefix, key = _split_prefix(key)
    si = (
        (("",) + tuple(s + "." for s in SPLITS)).index(prefix)
        if prefix in ("",) + tuple(s + "." for s in SPLITS)
        else len(SPLITS) + 1
    )
    names = list(METRICS)
    for ti, t in enumerate(("",) + TYPES):
        metric = key[len(t) + 1 :] if t and key.startswith(t + "_") else key
        if (not t or key.startswith(t + "_")) and metric in names:
            return (si, ti, names.index(metric), key)
    return (si, len(TYPES) + 1, 0, key)


def _fmt(v: Any, metric: str = "") -> str:
    if v is None:
        return "-"
    if metric in {"n", "errors"}:
        return str(int(v))
    if metric.endswith("_ms") or metric.endswith("_s"):
        return f"{float(v):.0f}" if metric.endswith("_ms") else f"{float(v):.1f}"
    return f"{float(v):.3f}"


def format_diff(diff: Sequence[dict[str, Any]], previous_name: str) -> str:
    if not diff:
        return f"no metric changed since {previous_name}"
    lines = [f"changes since {previous_name}:"]
    for d in diff:
        m = d["metric"]
        delta = "new" if d["previous"] is None else "gone" if d["current"] is None else None
        if delta is None:
            sign = "+" if d["delta"] > 0 else ""
            delta = f"{sign}{_fmt(d['delta'], m)}"
        lines.append(
            f"  {m:<40} {_fmt(d['previous'], m):>9} -> {_fmt(d['current'], m):>9}  {delta}"
        )
    return "\n".join(lines)


# the few metrics that say how a tag's hard cases went (the type tables hold the rest)
TAG_METRICS = (
    "gold_cited",
    "fact_recall",
    "compare_f1",
    "wrong_abstention",
    "unanswerable_abstained",
)


def _columns(group: dict[str, Any], by: str = "by_type") -> tuple[list[str], list[dict]]:
    cols = {"overall": group.get("overall", {})} if by == "by_type" else {}
    cols.update(group.get(by, {}))
    return list(cols), list(cols.values())


def _metric_rows(
    group: dict[str, Any], by: str = "by_type", metrics: Sequence[str] = tuple(METRICS)
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(column names, [(label, formatted values)]) for one group's table, empty rows dropped."""
    names, cols = _columns(group, by)
    rows = []
    for metric in metrics:
        vals = [c.get(metric) for c in cols]
        if all(v is None for v in vals):
            continue
        rows.append((METRICS[metric], [_fmt(v, metric) for v in vals]))
    return names, rows


def _groups(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(title, group) per split when the question file has splits, else one untitled group."""
    splits = report.get("splits") or {}
    if splits:
        return [(f"{name} split ({g.get('n')} questions)", g) for name, g in splits.items()]
    return [("", report)]


def summary_table(report: dict[str, Any]) -> str:
    """Plain-text tables, one per split: metrics down, overall + per type across, then the
    per-tag lines (for the terminal)."""
    lines = [
        f"{report.get('dataset')}: {report.get('n_questions')} questions, backend "
        f"{report.get('backend')}, {report.get('runtime_s')}s"
    ]
    for title, group in _groups(report):
        for by, metrics in (("by_type", tuple(METRICS)), ("by_tag", TAG_METRICS)):
            names, rows = _metric_rows(group, by, metrics)
            if not rows:
                continue
            width = max(8, *(len(c) for c in names)) + 1
            head = (title + (" - by tag" if by == "by_tag" else "")) if title else "metric"
            lines += ["", f"{head:<20}" + "".join(f"{c:>{width}}" for c in names)]
            lines += [f"{lab:<20}" + "".join(f"{v:>{width}}" for v in vals) for lab, vals in rows]
    return "\n".join(lines)


def markdown_report(
    report: dict[str, Any],
    thresholds: dict[str, float] | None = None,
    diff: Sequence[dict[str, Any]] | None = None,
    previous_name: str | None = None,
    chart_name: str | None = None,
) -> str:
    """The .md report: settings, overall + per-type tables, gate, diff, per-question rows."""
    lines = [
        f"# Eval report {report.get('created')}",
        "",
        f"- dataset: `{report.get('dataset')}` ({report.get('n_questions')} questions)",
        f"- backend: {report.get('backend')}; judge: {'on' if report.get('judge') else 'off'}",
        f"- runtime: {report.get('runtime_s')} s (of which asking {report.get('ask_s')} s; "
        f"seed ingest before it: {report.get('ingest_s')} s)",
        f"- settings: `{json.dumps(report.get('settings', {}))}`",
    ]
    for title, group in _groups(report):
        for by, metrics in (("by_type", tuple(METRICS)), ("by_tag", TAG_METRICS)):
            names, rows = _metric_rows(group, by, metrics)
            if not rows:
                continue
            head = (
                "Metrics" + (f" - {title}" if title else "") + (" by tag" if by == "by_tag" else "")
            )
            lines += ["", f"## {head}", "", "| metric | " + " | ".join(names) + " |"]
            lines.append("| --- | " + " | ".join("---:" for _ in names) + " |")
            lines += [f"| {lab} | " + " | ".join(vals) + " |" for lab, vals in rows]
    if chart_name:
        lines += ["", f"![per-type scores]({chart_name})"]
    if thresholds:
        failed = {f.split(":")[0] for f in check_gate(report, thresholds)}
        flat = flat_metrics(report)
        lines += [
            "",
            "## Targets",
            "",
            "| threshold | limit | value | status |",
            "| --- | ---: | ---: | --- |",
        ]
        for key, limit in thresholds.items():
            metric = key.rsplit("_", 1)[0]
            status = "FAIL" if key in failed else "ok"
            lines.append(f"| {key} | {limit:g} | {_fmt(flat.get(metric), metric)} | {status} |")
    if diff is not None and previous_name:
        lines += ["", f"## Changes since {previous_name}", ""]
        if not diff:
            lines.append("No metric changed.")
        else:
            lines += ["| metric | previous | current | delta |", "| --- | ---: | ---: | ---: |"]
            for d in diff:
                m = d["metric"]
                delta = "-" if d["delta"] is None else f"{d['delta']:+.3f}"
                lines.append(
                    f"| {m} | {_fmt(d['previous'], m)} | {_fmt(d['current'], m)} | {delta} |"
                )
    lines += [
        "",
        "## Questions",
        "",
        "| id | mode | abst. | correct | R@10 | MRR | gold cited | cit. P | cmp F1 | facts | valid | ms | notes |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for r in report.get("rows", []):
        notes = []
        if r.get("split") == "test":  # sealed: scores only, nothing that shows the question
            notes.append("sealed")
        elif r.get("error"):
            notes.append(f"error: {r['error']}")
        if r.get("facts_missing") and r.get("split") != "test":
            notes.append("missing facts: " + ", ".join(r["facts_missing"]))
        notes += r.get("validity_problems", [])[:2] if r.get("split") != "test" else []
        if r.get("missing_titles"):
            notes.append(f"{len(r['missing_titles'])} title(s) not in store")
        note = "; ".join(notes).replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r['id']} | {r.get('mode') or '-'} | {'yes' if r.get('abstained') else 'no'} | "
            f"{'yes' if r.get('correct') else 'no'} | {_fmt(r.get('recall_at_10'))} | "
            f"{_fmt(r.get('mrr'))} | {_fmt(r.get('gold_citation_recall'))} | "
            f"{_fmt(r.get('citation_precision'))} | {_fmt(r.get('compare_f1'))} | "
            f"{_fmt(r.get('fact_recall'))} | {'ok' if r.get('citation_validity') else 'NO'} | "
            f"{_fmt(r.get('latency_ms'), 'latency_ms')} | {note} |"
        )
    return "\n".join(lines) + "\n"


def chart(report: dict[str, Any], path: Path) -> Path:
    """Grouped bars: one group per question type, one bar per headline score."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    group = (report.get("splits") or {}).get("test", report)
    by_type = group.get("by_type", {})
    groups = ["overall", *by_type]
    values = {"overall": group.get("overall", {}), **by_type}
    metrics = [m for m in CHART_METRICS if any(values[g].get(m) is not None for g in groups)]
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(groups)), 4.5))
    width = 0.8 / max(len(metrics), 1)
    for i, m in enumerate(metrics):
        xs = [g + (i - (len(metrics) - 1) / 2) * width for g in range(len(groups))]
        ys = [values[g].get(m) or 0.0 for g in groups]
        ax.bar(xs, ys, width, label=METRICS[m])
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    split = " (test split)" if group is not report else ""
    ax.set_title(f"{Path(str(report.get('dataset'))).name}{split} - {report.get('backend')}")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _stamp(out_dir: Path) -> str:
    base = datetime.now().strftime("%Y%m%d-%H%M%S")
    stamp, n = base, 2
    while (out_dir / f"{stamp}.json").exists():
        stamp, n = f"{base}-{n}", n + 1
    return stamp


def write_reports(
    report: dict[str, Any],
    out_dir: Path,
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Write <timestamp>.json/.md/.png into out_dir, with a diff against the previous report.

    Returns {"json", "md", "png", "previous", "diff", "diff_text"} (paths as str)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prev_path = previous_report(out_dir)
    stamp = _stamp(out_dir)
    json_path, md_path, png_path = (out_dir / f"{stamp}.{ext}" for ext in ("json", "md", "png"))
    diff = None
    diff_text = "no previous report to compare with"
    if prev_path is not None:
        try:
            previous = json.loads(prev_path.read_text(encoding="utf-8"))
            diff = diff_reports(report, previous)
            diff_text = format_diff(diff, prev_path.name)
        except (OSError, ValueError) as exc:
            diff_text = f"previous report {prev_path.name} unreadable: {exc}"
    report = {
        **report,
        "diff": {"previous": prev_path.name if prev_path else None, "changes": diff},
    }
    try:
        chart(report, png_path)
        chart_name: str | None = png_path.name
    except Exception as exc:  # noqa: BLE001 - a chart failure must not lose the numbers
        print(f"rag eval run: chart not written: {exc}", file=sys.stderr)
        chart_name = None
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(
        markdown_report(
            report, thresholds, diff, prev_path.name if prev_path else None, chart_name
        ),
        encoding="utf-8",
    )
    return {
        "json": str(json_path),
        "md": str(md_path),
        "png": str(png_path) if chart_name else None,
        "previous": str(prev_path) if prev_path else None,
        "diff": diff,
        "diff_text": diff_text,
    }


def beir_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """One summary line per retrieval method of a `rag eval beir --json` result."""
    name = Path(str(result.get("dataset", "beir"))).name
    rows = []
    for method, r in result.get("methods", {}).items():
        rows.append(
            (
                f"{name} {result.get('split', '')} {method}",
                f"nDCG@10 {r.get('ndcg@10', 0):.4f}  R@10 {r.get('recall@10', 0):.4f}  "
                f"R@100 {r.get('recall@100', 0):.4f}  {r.get('ms_per_query', 0):.1f} ms/q",
            )
        )
    return rows


def combined_summary(seed: dict[str, Any] | None, beir: Sequence[dict[str, Any]] = ()) -> str:
    """One table for `make eval`: the seed set's headline numbers, then each BEIR run."""
    rows: list[tuple[str, str]] = []
    if seed is not None:
        group = (seed.get("splits") or {}).get("test", seed)  # the sealed split when there is one
        o, t = group.get("overall", {}), group.get("by_type", {})

        def g(d: dict, k: str) -> str:
            return _fmt(d.get(k), k)

        rows += [
            (
                "seed retrieval",
                f"R@5 {g(o, 'recall_at_5')}  R@10 {g(o, 'recall_at_10')}  MRR {g(o, 'mrr')}  "
                f"nDCG@10 {g(o, 'ndcg_at_10')}",
            ),
            (
                "seed citations",
                f"factoid gold cited {g(t.get('factoid', {}), 'gold_cited')}  gold recall "
                f"{g(o, 'gold_citation_recall')}  precision {g(o, 'citation_precision')}  "
                f"validity {g(o, 'citation_validity')}",
            ),
            (
                "seed compare",
                f"P {g(o, 'compare_precision')}  R {g(o, 'compare_recall')}  F1 "
                f"{g(o, 'compare_f1')}  routed {g(o, 'compare_routed')}",
            ),
            ("seed facts", f"fact recall {g(o, 'fact_recall')}"),
            (
                "seed abstention",
                f"accuracy {g(o, 'abstention_accuracy')}  precision "
                f"{g(o, 'abstention_precision')}  wrong {g(o, 'wrong_abstention')}  "
                f"unanswerable abstained {g(o, 'unanswerable_abstained')}",
            ),
            (
                "seed latency",
                f"p50 {g(o, 'latency_p50_ms')} ms  p95 {g(o, 'latency_p95_ms')} ms  "
                f"run {seed.get('runtime_s')} s ({seed.get('n_questions')} questions, "
                f"{seed.get('backend')})",
            ),
        ]
    for b in beir:
        rows += beir_rows(b)
    width = max((len(r[0]) for r in rows), default=10) + 2
    return "\n".join(f"{name:<{width}}{value}" for name, value in rows)
