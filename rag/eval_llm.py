"""`rag eval run --llm`: the question set through both answerers, reported side by side.

Why a module of its own: rag/evaluation.py scores one run; this one runs the same questions
through the extractive and the LLM path and puts every metric next to each other, with the cost
of each (seconds per answer, screening time of compare questions) and what the citation checks
did to the LLM's answers (invented citations removed, weakly supported sentences flagged,
fallbacks to the extractive answer).

An LLM run over hundreds of questions on a small CPU takes hours, so it is checkpointed: the
questions go through `run_eval` in small chunks and every finished chunk's rows are appended to a
JSONL file under the report directory; `--resume` skips the questions already there. `--split`
(tune/test) and `--type`/`--limit` pick a subset, so thresholds can be tuned on one half and the
other measured once.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rag import evaluation as ev
from rag.replies import cache_for
from rag.schema import Answer

CHUNK = 5  # questions per checkpointed chunk
FALLBACK_MARK = "showing the extractive answer"

Log = Callable[[str], None]


# --- choosing questions --------------------------------------------------------------------------
def select_lines(
    dataset: Path,
    split: str | None = None,
    types: Sequence[str] | None = None,
    limit: int | None = None,
    per_type: int | None = None,
) -> list[dict[str, Any]]:
    """The dataset's question objects, filtered by `split` (the `split` field), type, the first
    `per_type` of each type (a small sample of every kind) and `limit`."""
    items = []
    for lineno, line in enumerate(Path(dataset).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{dataset}:{lineno}: not JSON ({exc})") from None
        if split and obj.get("split") != split:
            continue
        if types and obj.get("type") not in set(types):
            continue
        if per_type and sum(1 for o in items if o.get("type") == obj.get("type")) >= per_type:
            continue
        items.append(obj)
    if split and not items:
        raise ValueError(f"{dataset}: no question has split {split!r} (field `split`)")
    return items[:limit] if limit else items


def _write_subset(items: list[dict[str, Any]], directory: Path) -> Path:
    path = directory / f"subset-{len(items)}-{time.monotonic_ns()}.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in items), "utf-8")
    return path


# --- recording what the answerer did ---------------------------------------------------------------
class Recording:
    """A pipeline stand-in for `run_eval` that keeps every final Answer (by question text), so the
    side-by-side report can count removed citations, flagged sentences and fallbacks."""

    def __init__(self, pipe: Any) -> None:
        self._pipe = pipe
        self.answers: dict[str, Answer] = {}
        self.cache = cache_for(getattr(getattr(pipe, "settings", None), "llm_cache_dir", None))
        self.replayed: dict[str, tuple[int, float]] = {}  # question -> (replies, model seconds)

    def ask(self, question: str, history: list[Answer] | None = None, **kw: Any) -> Answer:
        before = self.cache.counters() if self.cache else (0, 0.0)
        ans = self._pipe.ask(question, history=history, **kw)
        self.answers[question.strip()] = ans
        if self.cache:
            after = self.cache.counters()
            self.replayed[question.strip()] = (after[0] - before[0], after[1] - before[1])
        return ans

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipe, name)


def answer_stats(ans: Answer | None) -> dict[str, Any]:
    if ans is None:
        return {}
    return {
        "removed_citations": len(ans.removed_citations),
        "attributed": getattr(ans, "attributed", 0),
        "moved_citations": getattr(ans, "moved_citations", 0),
        "flagged_sentences": len(ans.flagged),
        "fallback": bool(ans.notice and FALLBACK_MARK in ans.notice),
        "notice": ans.notice,
    }


# --- running in chunks ---------------------------------------------------------------------------
def run_rows(
    pipe: Any,
    items: list[dict[str, Any]],
    checkpoint: Path | None,
    log: Log,
    judge: bool = False,
    chunk: int = CHUNK,
) -> Iterator[dict[str, Any]]:
    """Scored rows for `items`, chunk by chunk; rows already in `checkpoint` are reused."""
    done: dict[str, dict[str, Any]] = {}
    if checkpoint is not None and checkpoint.exists():
        for line in checkpoint.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                done[row["id"]] = row
        if done:
            log(f"rag eval run: resuming: {len(done)} question(s) already in {checkpoint}")
    todo = [o for o in items if o["id"] not in done]
    rec = Recording(pipe)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        t0 = time.perf_counter()
        for start in range(0, len(todo), max(1, chunk)):
            part = todo[start : start + chunk]
            report = ev.run_eval(
                rec, _write_subset(part, Path(tmp)), log=lambda m: None, judge=judge
            )
            for row in report["rows"]:
                last = next(o for o in part if o["id"] == row["id"])["turns"][-1].strip()
                row.update(answer_stats(rec.answers.get(last)))
                _count_replayed(row, next(o for o in part if o["id"] == row["id"]), rec)
                done[row["id"]] = row
                if checkpoint is not None:
                    with checkpoint.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n = start + len(part)
            log(
                f"rag eval run: {n}/{len(todo)} question(s) through {_backend(report)} "
                f"({time.perf_counter() - t0:.0f} s)"
            )
    for o in items:
        yield done[o["id"]]


def _count_replayed(row: dict[str, Any], item: dict[str, Any], rec: Recording) -> None:
    """A turn whose model replies came from the reply cache (rag/replies.py) took what the model
    took to write them: their recorded seconds go into the turn's latency, so seconds per answer
    and the latency percentiles stay the model's cost on a re-scoring run."""
    hits = [rec.replayed.get(t.strip(), (0, 0.0)) for t in item["turns"]]
    row["replayed"] = sum(h[0] for h in hits)
    lat = row.get("turn_latencies_ms") or []
    if not row["replayed"] or len(lat) != len(hits):
        return
    row["turn_latencies_ms"] = [round(x + h[1] * 1000, 1) for x, h in zip(lat, hits, strict=True)]
    row["latency_ms"] = row["turn_latencies_ms"][-1]


def _backend(report: dict[str, Any]) -> str:
    return str(report.get("backend") or "the answerer")


def report_of(rows: list[dict[str, Any]], label: str, ask_s: float) -> dict[str, Any]:
    overall, by_type = ev.summarise(rows)
    backends = sorted({r["backend"] for r in rows if r.get("backend")})
    return {
        "label": label,
        "backend": ", ".join(backends) or "none",
        "n_questions": len(rows),
        "ask_s": round(ask_s, 1),
        "overall": overall,
        "by_type": by_type,
        "cost": cost_of(rows),
        "rows": rows,
    }


def cost_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per answer (every asked turn), compare-question time (the screening), and what the
    citation checks did."""
    turns = [x / 1000 for r in rows for x in r.get("turn_latencies_ms", [])]
    compare = [
        r["latency_ms"] / 1000 for r in rows if r["type"] == "compare" and r.get("latency_ms")
    ]
    answered = [r for r in rows if r.get("answered")]
    mean = sum(turns) / len(turns) if turns else None
    return {
        "answers": len(turns),
        "seconds_per_answer": mean,
        "answers_per_second": (1 / mean) if mean else None,
        "seconds_per_compare": (sum(compare) / len(compare)) if compare else None,
        "removed_citations": sum(r.get("removed_citations", 0) for r in rows),
        "answers_with_removed_citations": sum(1 for r in rows if r.get("removed_citations")),
        "attributed": sum(r.get("attributed", 0) for r in rows),
        "moved_citations": sum(r.get("moved_citations", 0) for r in rows),
        "flagged_sentences": sum(r.get("flagged_sentences", 0) for r in rows),
        "answers_with_flagged": sum(1 for r in answered if r.get("flagged_sentences")),
        "answered": len(answered),
        "fallbacks": sum(1 for r in rows if r.get("fallback")),
        "replayed": sum(r.get("replayed", 0) for r in rows),
    }


COST_ROWS = (
    ("seconds_per_answer", "seconds per answer (mean)"),
    ("answers_per_second", "answers per second"),
    ("seconds_per_compare", "seconds per compare question (screening)"),
    ("removed_citations", "invented citations removed"),
    ("answers_with_removed_citations", "answers with a citation removed"),
    ("attributed", "uncited sentences given their supporting source"),
    ("moved_citations", "misplaced citations moved to the supporting source"),
    ("flagged_sentences", "weakly supported sentences flagged"),
    ("answers_with_flagged", "answered with a flagged sentence"),
    ("answered", "questions answered (not abstained)"),
    ("fallbacks", "fallbacks to the extractive answer"),
    ("replayed", "model replies replayed from the reply cache (their recorded seconds counted)"),
)


def _f(v: Any, metric: str = "") -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and metric in {"seconds_per_answer", "seconds_per_compare"}:
        return f"{v:.2f}"
    return ev._fmt(v, metric)


def side_by_side(ext: dict[str, Any], llm: dict[str, Any]) -> str:
    """Markdown: every metric overall (extractive | LLM), then per type as `ext / llm`, then cost."""
    types = [t for t in ev.TYPES if t in ext["by_type"] or t in llm["by_type"]]
    head = "| metric | extractive | LLM | " + " | ".join(types) + " |"
    lines = [head, "| --- | ---: | ---: | " + " | ".join("---:" for _ in types) + " |"]
    for metric, label in ev.METRICS.items():
        a, b = ext["overall"].get(metric), llm["overall"].get(metric)
        cells = []
        for t in types:
            x = ext["by_type"].get(t, {}).get(metric)
            y = llm["by_type"].get(t, {}).get(metric)
            cells.append("" if x is None and y is None else f"{_f(x, metric)} / {_f(y, metric)}")
        if a is None and b is None and not any(cells):
            continue
        lines.append(f"| {label} | {_f(a, metric)} | {_f(b, metric)} | " + " | ".join(cells) + " |")
    lines += ["", "| cost and checks | extractive | LLM |", "| --- | ---: | ---: |"]
    for key, label in COST_ROWS:
        lines.append(
            f"| {label} | {_f(ext['cost'].get(key), key)} | {_f(llm['cost'].get(key), key)} |"
        )
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    ext, llm = result["extractive"], result["llm"]
    lines = [
        f"# Extractive vs LLM, {result['created']}",
        "",
        f"- dataset: `{result['dataset']}`; selection: {result['selection']} "
        f"({ext['n_questions']} questions)",
        f"- LLM: {result['llm_model']} at {result['llm_endpoint']}; {result['machine']}",
        f"- command: `{result['command']}`",
        f"- asking took {ext['ask_s']} s (extractive) and {llm['ask_s']} s (LLM)",
        "",
        "Per type, cells read `extractive / LLM`. Seconds per answer count every asked turn "
        "(a follow-up's earlier turns too) from question to checked answer.",
        "",
        side_by_side(ext, llm),
        "",
        "## LLM answers that differ in correctness",
        "",
        "| id | type | extractive correct | LLM correct | LLM s | LLM notice |",
        "| --- | --- | --- | --- | ---: | --- |",
    ]
    by_id = {r["id"]: r for r in ext["rows"]}
    for r in llm["rows"]:
        e = by_id.get(r["id"], {})
        if bool(e.get("correct")) == bool(r.get("correct")):
            continue
        note = (r.get("notice") or "").replace("|", "\\|").replace("\n", " ")[:120]
        lat = r.get("latency_ms")
        lines.append(
            f"| {r['id']} | {r['type']} | {'yes' if e.get('correct') else 'no'} | "
            f"{'yes' if r.get('correct') else 'no'} | "
            f"{lat / 1000 if lat else 0:.1f} | {note} |"
        )
    return "\n".join(lines) + "\n"


def checkpoint_path(out: Path, dataset: Path, model: str, base_url: str, selection: str) -> Path:
    """One checkpoint per (dataset content, model, endpoint, selection)."""
    h = hashlib.sha256()
    h.update(Path(dataset).read_bytes())
    h.update(f"\n{model}\n{base_url}\n{selection}".encode())
    return out / "llm-progress" / f"{h.hexdigest()[:16]}.jsonl"


def write(result: dict[str, Any], out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = out / f"{stamp}-llm"
    base.with_suffix(".json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    return {"json": str(base.with_suffix(".json")), "md": str(base.with_suffix(".md"))}


def compare_runs(
    ext_pipe: Any,
    llm_pipe: Any,
    dataset: Path,
    *,
    out: Path,
    split: str | None = None,
    types: Sequence[str] | None = None,
    limit: int | None = None,
    per_type: int | None = None,
    resume: bool = False,
    judge: bool = False,
    log: Log,
    command: str = "",
    machine: str = "",
) -> dict[str, Any]:
    """Both runs over the same questions; returns the side-by-side result (also the rows)."""
    items = select_lines(dataset, split, types, limit, per_type)
    selection = (
        ", ".join(
            x
            for x in (
                f"split {split}" if split else "",
                f"types {'/'.join(types)}" if types else "",
                f"first {per_type} per type" if per_type else "",
                f"first {limit}" if limit else "",
            )
            if x
        )
        or "all"
    )
    s = llm_pipe.settings
    ev.ensure_seed_store(llm_pipe, ev.DEFAULT_DATASET, log)
    t = time.perf_counter()
    ext_rows = list(run_rows(ext_pipe, items, None, lambda m: None, judge=False, chunk=len(items)))
    ext = report_of(ext_rows, "extractive", time.perf_counter() - t)
    log(f"rag eval run: extractive: {len(ext_rows)} questions in {ext['ask_s']} s")
    ckpt = checkpoint_path(out, dataset, str(s.llm_model), str(s.llm_base_url), selection)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    if not resume:
        ckpt.unlink(missing_ok=True)
    t = time.perf_counter()
    llm_rows = list(run_rows(llm_pipe, items, ckpt, log, judge=judge))
    llm = report_of(llm_rows, "llm", time.perf_counter() - t)
    return {
        "created": datetime.now().isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "selection": selection,
        "llm_model": s.llm_model,
        "llm_endpoint": s.llm_base_url or "default",
        "command": command,
        "machine": machine,
        "checkpoint": str(ckpt),
        "extractive": ext,
        "llm": llm,
    }
