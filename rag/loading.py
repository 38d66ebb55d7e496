"""Turn files of abstracts into `Paper` records, reporting every problem as a `LoadIssue`.

Why this module is defensive: users point the tool at whatever they have (a saved web page, a
BEIR corpus, an Excel export, a half-downloaded .gz). A bad record must cost that record only,
with a "path:line" message the user can act on, never the whole ingest and never a traceback.

Formats (chosen by suffix; a trailing ``.gz`` is decompressed, and gzip is also sniffed by magic):

* ``.txt``   the seed page format: optional short header lines, then title line / abstract
  line pairs (blank lines, CRLF and trailing whitespace are ignored).
* ``.jsonl`` / ``.ndjson``  one JSON object per line.
* ``.json``  a JSON array of objects, or an object holding one under "papers"/"data"/"records"
  (a .json file that is really JSON Lines is read as such, with a warning).
* ``.csv`` / ``.tsv``  a header row, then one record per row (quoted multi-line fields are fine).

Field names are matched case-insensitively with aliases (see `FIELD_ALIASES`), so BEIR
(``_id``/``text``), Semantic Scholar (``paperAbstract``) and plain (``id``/``abstract``) records
all load. Text is cleaned: runs of whitespace collapse to one space, control characters and
lone surrogates are dropped. Ids given in files are kept as given, only trimmed of surrounding
whitespace; an id that is empty after trimming counts as none (a warning if it was not empty).

Limits (chosen so one pathological record cannot blow up chunking or the vector store):
abstracts over `LONG_ABSTRACT_CHARS` are kept whole with a warning; over `MAX_ABSTRACT_CHARS`
they are truncated at a word boundary with a warning. Titles over `MAX_TITLE_CHARS` likewise.

Issue levels: "error" means a record (or, for file-level problems, a whole file or the rest of
it) was skipped; "warning" means something was repaired, merged or ignored but data was kept.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import json
import math
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from rag.schema import LoadIssue, LoadResult, Paper

__all__ = [
    "FIELD_ALIASES",
    "LONG_ABSTRACT_CHARS",
    "MAX_ABSTRACT_CHARS",
    "MAX_TITLE_CHARS",
    "SUPPORTED_SUFFIXES",
    "iter_file",
    "load_papers",
    "normalise_title",
    "slugify",
]

_BASE_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json", "json"),
    (".csv", "csv"),
    (".tsv", "tsv"),
    (".txt", "txt"),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for s, _ in _BASE_SUFFIXES) + tuple(
    s + ".gz" for s, _ in _BASE_SUFFIXES
)

# Record keys are lower-cased before lookup; the first alias with a usable value wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "paper_id", "paperid", "doc_id", "docid", "corpus_id", "corpusid"),
    "title": ("title", "paper_title"),
    "abstract": ("abstract", "text", "summary", "paperabstract", "paper_abstract"),
    "authors": ("authors", "author"),
    "year": ("year", "pub_year", "publication_year"),
    "venue": ("venue", "journal", "booktitle"),
    "url": ("url", "link"),
}
_WRAPPER_KEYS = ("papers", "data", "records")

LONG_ABSTRACT_CHARS = 20_000  # warn: real abstracts are a few thousand characters at most
MAX_ABSTRACT_CHARS = 200_000  # truncate: beyond this it is a whole paper or junk, not an abstract
MAX_TITLE_CHARS = 1_000  # truncate: a longer "title" is almost surely a mis-mapped column
SLUG_MAX_CHARS = 80

# .txt page format thresholds (see `_parse_page`).
_TITLE_MAX_CHARS = 300
_ABSTRACT_MIN_CHARS = 200
_ABSTRACT_MIN_WORDS = 30
_SHORT_ABSTRACT_MIN_WORDS = 8

_MAX_LINE_WARNINGS = 20  # per file and kind (NUL bytes), so a binary file cannot flood the report
_CHUNK = 1 << 20
_PROGRESS_EVERY = 1000
_CSV_FIELD_LIMIT = 2**31 - 1

_NON_WORD = re.compile(r"[\W_]+")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")  # not encodable: an id with one cannot be stored
_JSON_WS = re.compile(r"[ \t\n\r]*")
_INT_YEAR = re.compile(r"[+-]?\d{1,6}(?:\.0*)?")
_DATE_YEAR = re.compile(r"(\d{4})[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[T ].*)?")


class _Rec(NamedTuple):
    """A loaded paper plus whether its id came from the file (given ids are never rewritten)."""

    paper: Paper
    id_given: bool


# --------------------------------------------------------------------------- public helpers


def slugify(title: str) -> str:
    """Readable, stable id from a title: ascii lowercase words joined by hyphens, <= 80 chars.

    Accents are folded ("Über" -> "uber"); a title with no ascii letters or digits (e.g. all
    CJK) falls back to "paper-" + 12 hex digits of its sha1, so the id is still stable.
    """
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", folded.lower()).strip("-")
    if len(slug) > SLUG_MAX_CHARS:
        cut = slug[: SLUG_MAX_CHARS + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_MAX_CHARS]
        slug = slug.strip("-")
    if not slug:
        digest = hashlib.sha1(unicodedata.normalize("NFKC", title).encode("utf-8", "replace"))
        slug = "paper-" + digest.hexdigest()[:12]
    return slug


def normalise_title(title: str) -> str:
    """Key for duplicate detection: NFKC, casefold, punctuation/whitespace runs -> one space.

    A title made only of punctuation keeps its (casefolded) punctuation so that "???" and "!!!"
    are not taken for the same paper.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    key = _NON_WORD.sub(" ", folded).strip()
    return key or " ".join(folded.split())


# --------------------------------------------------------------------------- reading lines


def _issue(where: str, message: str, level: str = "error", *, lost: bool = False) -> LoadIssue:
    """`lost`: the file (or its rest) was not read, so its papers are unknown (prune must not
    take their absence as removal)."""
    return LoadIssue(where=where, message=message, level=level, lost=lost)


def _decode(raw: bytes) -> tuple[str, str | None]:
    """UTF-8 if possible, else cp1252 (what Windows tools write), else latin-1 (never fails)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _open_binary(path: Path, stack: ExitStack, issues: list[LoadIssue]) -> BinaryIO:
    """Open plain or gzip by magic bytes, warning when the name says otherwise."""
    f: BinaryIO = stack.enter_context(open(path, "rb"))  # closed by the stack
    magic = f.read(2)
    f.seek(0)
    is_gz = magic == b"\x1f\x8b"
    named_gz = path.name.lower().endswith(".gz")
    if named_gz and not is_gz:
        issues.append(
            _issue(str(path), "named .gz but not gzip-compressed; read as plain text", "warning")
        )
    elif is_gz and not named_gz:
        issues.append(
            _issue(str(path), "gzip-compressed although not named .gz; decompressed", "warning")
        )
    if is_gz:
        return stack.enter_context(gzip.GzipFile(fileobj=f, mode="rb"))
    return f


def _raw_lines(f: BinaryIO) -> Iterator[bytes]:
    """Split a binary stream on b"\\n" in big chunks (fast, linear even for huge lines).

    Read errors propagate to the caller, which knows how many lines were good.
    """
    pending: list[bytes] = []
    read = getattr(f, "read1", f.read)
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            pending.append(chunk)
            continue
        if pending:
            pending.append(parts[0])
            parts[0] = b"".join(pending)
            pending = []
        last = parts.pop()
        if last:
            pending.append(last)
        yield from parts
    if pending:
        yield b"".join(pending)


def _lines(path: Path, issues: list[LoadIssue]) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text without line ending) for every line of a file.

    Never raises for bad data: problems are appended to `issues` (the caller flushes them), and
    a read error ends the file after the lines that were read completely.
    """
    where = str(path)
    lineno = 0
    fallback_warned = False
    nul_lines = 0
    try:
        with ExitStack() as stack:
            f = _open_binary(path, stack, issues)
            head = f.read(2)
            f.seek(0)
            if head in (b"\xff\xfe", b"\xfe\xff"):
                # UTF-16 (e.g. Excel "Unicode text") cannot be split on b"\n"; it is small enough
                # in practice to decode whole.
                text = f.read().decode("utf-16", "replace")
                issues.append(_issue(where, "file is UTF-16; decoded as such", "warning"))
                raw_iter: Iterable[bytes | str] = text.split("\n")
            else:
                raw_iter = _raw_lines(f)
            for raw in raw_iter:
                lineno += 1
                if isinstance(raw, bytes):
                    line, fallback = _decode(raw)
                    if fallback and not fallback_warned:
                        fallback_warned = True
                        issues.append(
                            _issue(
                                f"{where}:{lineno}",
                                f"file is not valid UTF-8 (first bad byte on this line); such "
                                f"lines were decoded as {fallback}, check accents and quotes",
                                "warning",
                            )
                        )
                else:
                    line = raw
                if lineno == 1 and line.startswith("\ufeff"):
                    line = line[1:]
                if line.endswith("\r"):
                    line = line[:-1]
                if "\x00" in line:
                    line = line.replace("\x00", "")
                    nul_lines += 1
                    if nul_lines <= _MAX_LINE_WARNINGS:
                        issues.append(_issue(f"{where}:{lineno}", "NUL bytes removed", "warning"))
                yield lineno, line
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        kept = (
            f"records up to line {lineno} (the last good line) were kept, the rest is lost"
            if lineno
            else "nothing could be read"
        )
        issues.append(
            _issue(
                where,
                f"compressed data is truncated or corrupt after line {lineno} ({exc}); {kept}",
                lost=True,
            )
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if lineno:
            issues.append(_issue(where, f"read error after line {lineno}: {reason}", lost=True))
        else:
            issues.append(_issue(where, f"cannot read file: {reason}", lost=True))
    if nul_lines > _MAX_LINE_WARNINGS:
        issues.append(
            _issue(
                where,
                f"NUL bytes removed on {nul_lines} lines in all (only the first "
                f"{_MAX_LINE_WARNINGS} are listed); is this a binary file?",
                "warning",
            )
        )


# --------------------------------------------------------------------------- records


def _clean(s: str) -> str:
    """Collapse whitespace runs and drop control characters / lone surrogates."""
    if s.isprintable():  # fast path: no controls, surrogates or non-space whitespace
        if "  " not in s and not s.startswith(" ") and not s.endswith(" "):
            return s
        return " ".join(s.split())
    if _BAD_CHARS.search(s):
        s = _BAD_CHARS.sub(" ", s)
    return " ".join(s.split())


def _as_text(value: Any, join_lists: bool = False) -> str | None:
    """Scalar -> str; a list of strings (sentence-split abstracts) -> joined; else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if join_lists and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return None


def _lower_keys(record: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        out.setdefault(str(key).strip().lower(), value)
    return out


def _pick(record: Mapping[str, Any], field: str) -> tuple[str | None, Any]:
    """First alias present with a non-empty value (falls back to the first one present)."""
    found: tuple[str | None, Any] = (None, None)
    for alias in FIELD_ALIASES[field]:
        if alias in record:
            value = record[alias]
            if value is None or (isinstance(value, str) and not value.strip()):
                if found[0] is None:
                    found = (alias, value)
                continue
            return alias, value
    return found


def _parse_year(value: Any) -> tuple[int | None, str | None]:
    """Return (year, problem). Accepts ints, integral floats, "2020", "2020.0", "2020-05-01"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    year: int | None = None
    if isinstance(value, bool):
        year = None
    elif isinstance(value, int):
        year = value
    elif isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            year = int(value)
    elif isinstance(value, str):
        s = value.strip()
        if _INT_YEAR.fullmatch(s):
            year = int(float(s)) if "." in s else int(s)
        elif m := _DATE_YEAR.fullmatch(s):
            year = int(m.group(1))
    if year is None:
        return None, f"field 'year' is not a number ({_short(value)}); year left empty"
    if not 1 <= year <= 9999:
        return None, f"field 'year' is out of range ({year}); year left empty"
    return year, None


def _split_authors(s: str) -> list[str]:
    if ";" in s:
        return s.split(";")
    if " and " in s:
        return [p for part in s.split(" and ") for p in part.split(",")]
    return s.split(",")


def _parse_authors(value: Any) -> tuple[tuple[str, ...], str | None]:
    """Authors from a list (strings or {"name"} / {"first","last"} dicts) or a joined string."""
    if value is None:
        return (), None
    names: list[str] = []
    if isinstance(value, str):
        names = _split_authors(value)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, Mapping):
                low = _lower_keys(item)
                name = low.get("name")
                if not isinstance(name, str):
                    parts = [low.get(k) for k in ("first", "given", "middle", "last", "family")]
                    name = " ".join(p for p in parts if isinstance(p, str))
                names.append(name)
            elif (text := _as_text(item)) is not None:
                names.append(text)
    else:
        return (), f"field 'authors' is not a list or text ({_short(value)}); ignored"
    cleaned = (_clean(n) for n in names)
    return tuple(n for n in cleaned if n), None


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cap(text: str, limit: int) -> str:
    """Truncate at the last space before `limit` (or hard at `limit` if there is none near)."""
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def _make_record(record: Mapping[Any, Any], where: str) -> tuple[_Rec | None, list[LoadIssue]]:
    """Map one JSON object / CSV row to a paper; never raises for bad values."""
    rec = _lower_keys(record)
    issues: list[LoadIssue] = []
    problems: list[str] = []
    texts: dict[str, str] = {}
    for field in ("title", "abstract"):
        alias, value = _pick(rec, field)
        if alias is None:
            problems.append(f"missing field '{field}'")
            continue
        raw = _as_text(value, join_lists=field == "abstract")
        if raw is None and value is not None:
            problems.append(f"field '{alias}' is not text ({type(value).__name__})")
            continue
        text = _clean(raw or "")
        if not text:
            problems.append(f"empty field '{alias}'")
            continue
        texts[field] = text
    if problems:
        return None, [_issue(where, "; ".join(problems) + "; record skipped")]
    title, abstract = texts["title"], texts["abstract"]
    if len(title) > MAX_TITLE_CHARS:
        issues.append(
            _issue(
                where,
                f"title is {len(title):,} characters; truncated to {MAX_TITLE_CHARS:,} "
                "(is the title column right?)",
                "warning",
            )
        )
        title = _cap(title, MAX_TITLE_CHARS)
    if len(abstract) > MAX_ABSTRACT_CHARS:
        issues.append(
            _issue(
                where,
                f"abstract is {len(abstract):,} characters; truncated to {MAX_ABSTRACT_CHARS:,}",
                "warning",
            )
        )
        abstract = _cap(abstract, MAX_ABSTRACT_CHARS)
    elif len(abstract) > LONG_ABSTRACT_CHARS:
        issues.append(
            _issue(
                where,
                f"abstract is unusually long ({len(abstract):,} characters); kept whole, "
                "chunking will split it",
                "warning",
            )
        )

    id_alias, id_value = _pick(rec, "id")
    paper_id = ""
    if id_alias is not None and id_value is not None:
        id_text = _as_text(id_value)
        if id_text is None:
            issues.append(
                _issue(
                    where,
                    f"field '{id_alias}' is not text ({_short(id_value)}); id taken from the title",
                    "warning",
                )
            )
        elif not id_text.strip():  # an empty cell is no id; spaces alone look like a mistake
            if id_text:
                issues.append(
                    _issue(
                        where,
                        f"field '{id_alias}' is only whitespace; id taken from the title",
                        "warning",
                    )
                )
        elif _SURROGATES.search(id_text):
            return None, [
                _issue(where, f"field '{id_alias}' is not valid Unicode text; record skipped")
            ]
        else:
            # kept as given but for surrounding spaces (CSV cells, "id, title"): inner
            # whitespace is part of the id, and ids that differ in it are two papers
            paper_id = id_text.strip()

    year, problem = _parse_year(_pick(rec, "year")[1])
    if problem:
        issues.append(_issue(where, problem, "warning"))
    authors, problem = _parse_authors(_pick(rec, "authors")[1])
    if problem:
        issues.append(_issue(where, problem, "warning"))
    optional: dict[str, str | None] = {}
    for field in ("venue", "url"):
        alias, value = _pick(rec, field)
        text = _as_text(value) if value is not None else None
        if value is not None and text is None:
            issues.append(_issue(where, f"field '{alias}' is not text; ignored", "warning"))
        optional[field] = _clean(text) if text else None
        optional[field] = optional[field] or None

    paper = Paper(
        id=paper_id or slugify(title),
        title=title,
        abstract=abstract,
        authors=authors,
        year=year,
        venue=optional["venue"],
        url=optional["url"],
        source=where,
    )
    return _Rec(paper, bool(paper_id)), issues


# --------------------------------------------------------------------------- formats


def _parse_jsonl(
    path: Path, lines: Iterable[tuple[int, str]], pending: list[LoadIssue]
) -> Iterator[_Rec | LoadIssue]:
    """One JSON object per line; a bad line costs that line only."""
    for lineno, line in lines:
        if pending:
            yield from pending
            pending.clear()
        s = line.strip()
        if not s:
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as exc:
            yield _issue(where, f"invalid JSON: {exc.msg} at column {exc.colno}; line skipped")
            continue
        except (ValueError, RecursionError) as exc:
            yield _issue(where, f"invalid JSON ({type(exc).__name__}); line skipped")
            continue
        if not isinstance(obj, dict):
            yield _issue(where, f"expected a JSON object, got {_json_kind(obj)}; line skipped")
            continue
        rec, issues = _make_record(obj, where)
        yield from issues
        if rec is not None:
            yield rec
    yield from pending
    pending.clear()


def _json_kind(obj: Any) -> str:
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "a boolean"
    if isinstance(obj, int | float):
        return "a number"
    if isinstance(obj, str):
        return "a string"
    if isinstance(obj, list):
        return "a list"
    return type(obj).__name__


def _parse_json(
    path: Path, lines: Iterable[tuple[int, str]], pending: list[LoadIssue]
) -> Iterator[_Rec | LoadIssue]:
    """A JSON array (or {"papers": [...]}) read whole, with the line of each element kept."""
    all_lines = list(lines)
    yield from pending
    pending.clear()
    text = "\n".join(line for _, line in all_lines)
    decoder = json.JSONDecoder()

    def ws(i: int) -> int:
        m = _JSON_WS.match(text, i)
        return m.end() if m else i

    def line_at(i: int) -> int:
        return text.count("\n", 0, i) + 1

    def bad(exc: Exception, at: int) -> LoadIssue:
        if isinstance(exc, json.JSONDecodeError):
            return _issue(
                f"{path}:{exc.lineno}",
                f"invalid JSON: {exc.msg} at column {exc.colno}; the rest of the file is skipped",
                lost=True,
            )
        return _issue(
            f"{path}:{line_at(at)}",
            f"invalid JSON ({type(exc).__name__}); the rest of the file is skipped",
            lost=True,
        )

    def elements(start: int) -> Iterator[tuple[int, Any] | LoadIssue]:
        """Elements of the array whose "[" is at `start`, with their line numbers."""
        line, last = line_at(start), start
        j = ws(start + 1)
        if text.startswith("]", j):
            return
        while True:
            if j >= len(text):
                yield _issue(
                    f"{path}:{line_at(j)}", "JSON array is not closed (file truncated?)", lost=True
                )
                return
            line += text.count("\n", last, j)
            last = j
            try:
                value, end = decoder.raw_decode(text, j)
            except (ValueError, RecursionError) as exc:
                yield bad(exc, j)
                return
            yield line, value
            j = ws(end)
            if j >= len(text):
                continue  # reported at the top of the loop
            if text[j] == "]":
                return
            if text[j] != ",":
                yield _issue(
                    f"{path}:{line_at(j)}",
                    "invalid JSON: expected ',' or ']' after an element; "
                    "the rest of the file is skipped",
                    lost=True,
                )
                return
            j = ws(j + 1)
            if text.startswith("]", j):  # tolerate a trailing comma
                return

    i = ws(0)
    if i >= len(text):
        return
    items: Iterator[tuple[int, Any] | LoadIssue]
    if text[i] == "[":
        items = elements(i)
    elif text[i] == "{":
        try:
            obj, end = decoder.raw_decode(text, i)
        except (ValueError, RecursionError) as exc:
            yield bad(exc, i)
            return
        if ws(end) < len(text):
            yield _issue(str(path), "holds several JSON values; read as JSON Lines", "warning")
            yield from _parse_jsonl(path, all_lines, pending)
            return
        lowered = {str(k).strip().lower(): k for k in obj}
        key = next(
            (
                lowered[k]
                for k in _WRAPPER_KEYS
                if k in lowered and isinstance(obj[lowered[k]], list)
            ),
            None,
        )
        if key is not None:
            items = elements(_find_value(text, i, key, decoder, ws))
        elif any(a in lowered for a in FIELD_ALIASES["title"]):
            items = iter([(line_at(i), obj)])
        else:
            yield _issue(
                str(path),
                "no papers found: expected a JSON array of objects or an object with a "
                "'papers', 'data' or 'records' list",
            )
            return
    else:
        yield _issue(
            f"{path}:{line_at(i)}",
            "expected a JSON array or object at the top level; file skipped",
            lost=True,
        )
        return

    for item in items:
        if isinstance(item, LoadIssue):
            yield item
            continue
        lineno, value = item
        where = f"{path}:{lineno}"
        if not isinstance(value, dict):
            yield _issue(where, f"expected a JSON object, got {_json_kind(value)}; skipped")
            continue
        rec, issues = _make_record(value, where)
        yield from issues
        if rec is not None:
            yield rec


def _find_value(
    text: str, start: int, key: str, decoder: json.JSONDecoder, ws: Callable[[int], int]
) -> int:
    """Offset of the value of `key` in the (already validated) object starting at `start`."""
    j = ws(start + 1)
    while True:
        k, j = decoder.raw_decode(text, j)
        j = ws(ws(j) + 1)  # skip ':'
        if k == key:
            return j
        _, j = decoder.raw_decode(text, j)
        j = ws(ws(j) + 1)  # skip ','


def _parse_csv(
    path: Path,
    lines: Iterable[tuple[int, str]],
    pending: list[LoadIssue],
    delimiter: str | None,
) -> Iterator[_Rec | LoadIssue]:
    """Header row + records; a file without title/abstract columns is one file-level error."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)  # 1 MB abstracts must not abort the file
    it = iter(lines)
    first: tuple[int, str] | None = None
    for lineno, line in it:
        if line.strip():
            first = (lineno, line)
            break
    yield from pending
    pending.clear()
    if first is None:
        return
    if delimiter is None:
        counts = {d: first[1].count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: (counts[d], d == ","))

    start_line = first[0]

    def feed() -> Iterator[str]:
        yield first[1] + "\n"
        for _, line in it:
            yield line + "\n"

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        yield _issue(
            f"{path}:{start_line}", f"unreadable header row: {exc}; file skipped", lost=True
        )
        return
    names = [_clean(h).lower().lstrip("\ufeff") for h in header]
    missing = [
        field for field in ("title", "abstract") if not set(FIELD_ALIASES[field]) & set(names)
    ]
    if missing:
        wanted = ", ".join(f"'{m}' (or {'/'.join(FIELD_ALIASES[m][1:])})" for m in missing)
        yield _issue(
            str(path),
            f"missing required column(s) {wanted}; found columns {names[:20]}; file skipped",
            lost=True,
        )
        return
    width = len(names)
    prev_line = start_line - 1 + reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_line = prev_line + 1
            prev_line = start_line - 1 + reader.line_num
            yield from pending
            pending.clear()
            yield _issue(f"{path}:{row_line}", f"malformed CSV row: {exc}; row skipped")
            continue
        row_line = prev_line + 1
        prev_line = start_line - 1 + reader.line_num
        if pending:
            yield from pending
            pending.clear()
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}:{row_line}"
        if len(row) > width:
            yield _issue(
                where,
                f"row has {len(row)} fields but the header has {width} (unquoted "
                f"{'tab' if delimiter == chr(9) else repr(delimiter)} in a field?); row skipped",
            )
            continue
        record: dict[str, str] = {}
        for name, cell in zip(names, row, strict=False):
            record.setdefault(name, cell)
        rec, issues = _make_record(record, where)
        if rec is None and prev_line > row_line:
            hint = f" (this row runs to line {prev_line}: an unclosed quote?)"
            issues = [replace(i, message=i.message + hint) for i in issues]
        yield from issues
        if rec is not None:
            yield rec
    yield from pending
    pending.clear()


def _is_long(line: str) -> bool:
    return len(line) >= _ABSTRACT_MIN_CHARS or len(line.split()) >= _ABSTRACT_MIN_WORDS


def _title_like(line: str) -> bool:
    return len(line) < _TITLE_MAX_CHARS and not (_is_long(line) and line.endswith("."))


def _parse_page(
    path: Path, lines: Iterable[tuple[int, str]], pending: list[LoadIssue]
) -> Iterator[_Rec | LoadIssue]:
    """The seed page format: (short title line, long abstract line) pairs after a header.

    Lines before the first pair are page header and skipped. After the first pair, a short
    line followed by a sentence-like line of >= 8 words ending in "." is also accepted as a
    pair (with a warning), so a terse abstract is not mistaken for a title.
    """
    body = [(n, line.strip()) for n, line in lines if line.strip()]
    yield from pending
    pending.clear()
    in_body = False
    i = 0
    while i < len(body):
        lineno, line = body[i]
        nxt = body[i + 1][1] if i + 1 < len(body) else None
        after = body[i + 2][1] if i + 2 < len(body) else None
        where = f"{path}:{lineno}"
        short_abstract = (
            in_body
            and nxt is not None
            and not _is_long(nxt)
            and nxt.endswith(".")
            and len(nxt.split()) >= _SHORT_ABSTRACT_MIN_WORDS
            and (after is None or not _is_long(after))
        )
        if _title_like(line) and nxt is not None and (_is_long(nxt) or short_abstract):
            in_body = True
            if short_abstract:
                yield _issue(
                    f"{path}:{body[i + 1][0]}",
                    f"abstract is unusually short ({len(nxt.split())} words)",
                    "warning",
                )
            rec, issues = _make_record({"title": line, "abstract": nxt}, where)
            yield from issues
            if rec is not None:
                yield rec
            i += 2
            continue
        if _is_long(line):
            if in_body:
                yield _issue(
                    where,
                    "abstract line with no title line before it (missing 'title'); skipped",
                )
            else:
                yield _issue(
                    where,
                    "long line before the first title/abstract pair skipped (an abstract "
                    "without its title?)",
                    "warning",
                )
        elif in_body:
            yield _issue(
                where,
                f"title line {_short(line, 60)} has no abstract line after it "
                "(missing 'abstract'); skipped",
            )
        i += 1


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix, fmt in _BASE_SUFFIXES:
        if name.endswith(suffix):
            return fmt
    return None


def _iter_records(path: Path) -> Iterator[_Rec | LoadIssue]:
    """Records and issues of one file, in file order; ids are given or slugs (not yet unique)."""
    fmt = _format_of(path)
    if path.is_dir():
        yield _issue(str(path), "is a directory (load_papers reads folders)")
        return
    if fmt is None:
        yield _issue(
            str(path),
            f"unsupported file type; expected one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
        return
    pending: list[LoadIssue] = []
    lines = _lines(path, pending)
    if fmt == "jsonl":
        items = _parse_jsonl(path, lines, pending)
    elif fmt == "json":
        items = _parse_json(path, lines, pending)
    elif fmt in ("csv", "tsv"):
        items = _parse_csv(path, lines, pending, "\t" if fmt == "tsv" else None)
    else:
        items = _parse_page(path, lines, pending)
    papers = errors = 0
    for item in items:
        if isinstance(item, LoadIssue):
            errors += item.level == "error"
        else:
            papers += 1
        yield item
    yield from pending  # issues raised after the last line (read errors, summaries)
    errors += sum(i.level == "error" for i in pending)
    if not papers and not errors:
        yield _issue(str(path), "no papers found in this file", "warning")


def iter_file(path: str | Path) -> Iterator[Paper | LoadIssue]:
    """Papers and issues of one file in file order, streaming; no dedupe, ids not made unique.

    A paper without an id in the file gets `slugify(title)`; `load_papers` makes ids unique.
    """
    for item in _iter_records(Path(path)):
        yield item.paper if isinstance(item, _Rec) else item


# --------------------------------------------------------------------------- many files


def _not_a_file(p: Path) -> str | None:
    """Why `p` is not a file to read (None when it is one). Opening a FIFO blocks forever, so
    only regular files are opened; a symlink loop or a broken link is named as such."""
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (too many levels of symbolic links)"
        if exc.errno == errno.ENOENT and p.is_symlink():
            return f"broken symbolic link (to {os.readlink(p)})"
        return None  # let the open report the real error (e.g. permission denied)
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISFIFO(st.st_mode):
        return "a named pipe, not a regular file"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket, not a regular file"
    return "a device, not a regular file"


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | LoadIssue]:
    """Files to load: given files as they are, directories recursively in sorted order.

    Hidden entries (".name") inside directories are skipped silently; other unsupported files
    inside directories get a warning (they are expected there), given ones an error.
    """
    seen: set[str] = set()

    def key(p: Path) -> str:
        try:
            return os.path.realpath(p)
        except (OSError, ValueError):
            return str(p)

    def walk(folder: Path) -> Iterator[Path | LoadIssue]:
        k = key(folder)
        if k in seen:
            return
        seen.add(k)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield _issue(str(folder), f"cannot read directory: {exc.strerror or exc}", lost=True)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(child)
            elif why := _not_a_file(child):
                yield _issue(str(child), f"{why}; skipped", "warning", lost=True)
            elif _format_of(child) is None:
                yield _issue(str(child), "unsupported file type; skipped", "warning")
            elif key(child) not in seen:
                seen.add(key(child))
                yield child

    for raw in paths:
        p = Path(raw)
        if p.is_dir() and key(p) in seen:
            yield _issue(str(p), "given more than once; loaded once", "warning")
        elif p.is_dir():
            files = 0
            for item in walk(p):
                files += isinstance(item, Path)
                yield item
            if not files:  # lost: `--prune` on an empty folder must not empty the store
                yield _issue(
                    str(p),
                    f"no data files in this directory ({', '.join(SUPPORTED_SUFFIXES)})",
                    lost=True,
                )
        elif not p.exists() and not p.is_symlink():
            yield _issue(str(p), "no such file or directory", lost=True)
        elif key(p) in seen:
            yield _issue(str(p), "given more than once; loaded once", "warning")
        elif why := _not_a_file(p):
            yield _issue(str(p), f"{why}; skipped", lost=True)
        else:
            seen.add(key(p))
            yield p


def _abstract_key(text: str) -> str:
    """Loose abstract equality, to tell a re-listed paper from another paper with its title."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def load_papers(
    paths: Sequence[str | Path] | str | Path,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Load, dedupe and id every paper under `paths` (files or directories).

    Duplicates are merged into the first occurrence (its id, title, abstract and source are
    kept; missing authors/year/venue/url are filled from the later record) and counted:
    * same id given in the file -> always a duplicate;
    * same `normalise_title` -> a duplicate, unless both records carry different ids in their
      files and different abstracts: then they are distinct papers that share a title (SciFact
      has three papers titled "Summary"), both are kept with a warning.
    Papers without an id get `slugify(title)`, made unique with -2, -3 ... in load order
    (deterministic for the same input); ids given in files are never changed (beyond trimming
    surrounding whitespace).

    `on_progress(n)` is called with the number of records read so far, every 1000 records and
    once at the end.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    result = LoadResult()
    papers: list[Paper] = []
    given: list[bool] = []
    by_id: dict[str, int] = {}
    by_title: dict[str, int] = {}
    abstract_keys: dict[int, str] = {}
    read = 0

    def abstract_key(idx: int) -> str:
        if idx not in abstract_keys:
            abstract_keys[idx] = _abstract_key(papers[idx].abstract)
        return abstract_keys[idx]

    for item in _expand(paths):
        if isinstance(item, LoadIssue):
            result.issues.append(item)
            continue
        for rec in _iter_records(item):
            if isinstance(rec, LoadIssue):
                result.issues.append(rec)
                continue
            read += 1
            if on_progress is not None and read % _PROGRESS_EVERY == 0:
                on_progress(read)
            paper, id_given = rec
            title_key = normalise_title(paper.title)
            idx = by_id.get(paper.id) if id_given else None
            reason = f"same id '{paper.id}'"
            if idx is None:
                idx = by_title.get(title_key)
                reason = "same title"
                if (
                    idx is not None
                    and id_given
                    and given[idx]
                    and abstract_key(idx) != _abstract_key(paper.abstract)
                ):
                    result.issues.append(
                        _issue(
                            paper.source,
                            f"same title as {papers[idx].source} but a different id "
                            f"('{paper.id}' vs '{papers[idx].id}') and abstract; kept both",
                            "warning",
                        )
                    )
                    by_id[paper.id] = len(papers)
                    papers.append(paper)
                    given.append(True)
                    continue
            if idx is None:
                idx = len(papers)
                papers.append(paper)
                given.append(id_given)
                by_title[title_key] = idx
                if id_given:
                    by_id[paper.id] = idx
                continue
            first = papers[idx]
            if normalise_title(first.title) != title_key:
                reason += f" but a different title {_short(paper.title, 60)}"
            result.duplicates += 1
            result.issues.append(
                _issue(
                    paper.source,
                    f"duplicate of the paper at {first.source} ({reason}); merged into it",
                    "warning",
                )
            )
            merged = first
            if (
                (paper.authors and not first.authors)
                or (paper.year is not None and first.year is None)
                or (paper.venue and not first.venue)
                or (paper.url and not first.url)
            ):
                merged = replace(
                    first,
                    authors=first.authors or paper.authors,
                    year=first.year if first.year is not None else paper.year,
                    venue=first.venue or paper.venue,
                    url=first.url or paper.url,
                )
            if id_given and not given[idx] and paper.id not in by_id:
                merged = replace(merged, id=paper.id)  # the file's id beats a made-up one
                given[idx] = True
                by_id[paper.id] = idx
            elif id_given:
                by_id.setdefault(paper.id, idx)
            if merged is not first:
                papers[idx] = merged

    used = {p.id for p, g in zip(papers, given, strict=True) if g}
    next_suffix: dict[str, int] = {}
    for idx, (paper, id_given) in enumerate(zip(papers, given, strict=True)):
        if id_given:
            continue
        base = candidate = paper.id
        if candidate in used:
            n = next_suffix.get(base, 2)
            while f"{base}-{n}" in used:
                n += 1
            candidate = f"{base}-{n}"
            next_suffix[base] = n + 1
            papers[idx] = replace(paper, id=candidate)
        used.add(candidate)

    result.papers = papers
    if on_progress is not None:
        on_progress(read)
    return result
