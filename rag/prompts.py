"""Prompt templates live in `prompts/*.txt` so they can be read and tuned without touching code.

File format (one file per task):

    ### system
    ...system prompt...
    ### user
    ...user message with {placeholders}...

Placeholders are `{identifier}`; anything else in braces (JSON examples such as `{"id": 1}`) is
left alone. Each prompt's required placeholders are checked when the prompts are loaded, so a
broken edit fails at start-up with the file and placeholder named, not mid-answer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from rag.settings import Settings

CANNOT_ANSWER = "The provided abstracts do not contain the answer."

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

# name -> placeholders that must appear (in system or user part)
REQUIRED: dict[str, frozenset[str]] = {
    "answer": frozenset({"sources", "question"}),
    "summary": frozenset({"sources", "question"}),
    "compare": frozenset({"criterion", "papers"}),
    "condense": frozenset({"history", "question"}),
    "judge": frozenset({"claim", "source"}),
}
# placeholders any prompt may use; rendered from these defaults unless given
OPTIONAL_DEFAULTS: dict[str, str] = {"cannot_answer": CANNOT_ANSWER}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HEADER = re.compile(r"^###\s*(system|user)\s*$", re.IGNORECASE)


class PromptError(ValueError):
    """A prompt file is missing or malformed, or render() got the wrong variables."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    path: Path
    system: str
    user: str

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(_PLACEHOLDER.findall(self.system)) | frozenset(
            _PLACEHOLDER.findall(self.user)
        )

    def render(self, **vars: str) -> list[dict[str, str]]:
        values = {**OPTIONAL_DEFAULTS, **{k: str(v) for k, v in vars.items()}}
        unknown = sorted(set(vars) - self.placeholders)
        if unknown:
            raise PromptError(
                f"prompt {self.name!r} ({self.path}) has no placeholder {{{unknown[0]}}}"
            )
        missing = sorted(self.placeholders - set(values))
        if missing:
            raise PromptError(f"prompt {self.name!r} needs a value for {{{missing[0]}}}")

        def fill(text: str) -> str:  # one pass: values containing '{x}' are not re-expanded
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

        msgs = []
        system = fill(self.system).strip()
        if system:
            msgs.append({"role": "system", "content": system})
        msgs.append({"role": "user", "content": fill(self.user).strip()})
        return msgs


def parse_prompt(name: str, path: Path, text: str) -> PromptTemplate:
    """Split a prompt file into its system and user parts and check its placeholders."""
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line.strip())
        if m:
            current = m.group(1).lower()
            if current in parts:
                raise PromptError(f"{path}:{lineno}: second '### {current}' section")
            parts[current] = []
        elif current is None:
            if line.strip():
                raise PromptError(
                    f"{path}:{lineno}: text before the first '### system' / '### user' line"
                )
        else:
            parts[current].append(line)
    if "user" not in parts:
        raise PromptError(f"{path}: no '### user' section (format: '### system' then '### user')")
    tpl = PromptTemplate(
        name=name,
        path=path,
        system="\n".join(parts.get("system", [])).strip(),
        user="\n".join(parts["user"]).strip(),
    )
    if not tpl.user:
        raise PromptError(f"{path}: the '### user' section is empty")
    required = REQUIRED.get(name, frozenset())
    allowed = required | set(OPTIONAL_DEFAULTS)
    for ph in sorted(required - tpl.placeholders):
        raise PromptError(f"{path}: required placeholder {{{ph}}} is missing")
    for ph in sorted(tpl.placeholders - allowed):
        raise PromptError(
            f"{path}: unknown placeholder {{{ph}}} (allowed: "
            + ", ".join("{" + a + "}" for a in sorted(allowed))
            + ")"
        )
    return tpl


class Prompts:
    """All task prompts from one directory, checked on construction."""

    def __init__(self, source: Settings | Path | str | None = None) -> None:
        if isinstance(source, Settings):
            source = source.prompts_dir
        self.directory = Path(source) if source else DEFAULT_PROMPTS_DIR
        self.templates: dict[str, PromptTemplate] = {}
        for name in REQUIRED:
            path = self.directory / f"{name}.txt"
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise PromptError(
                    f"prompt file {path} is missing (set RAG_PROMPTS_DIR or restore it)"
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise PromptError(f"prompt file {path} cannot be read: {exc}") from None
            self.templates[name] = parse_prompt(name, path, text)

    def __getitem__(self, name: str) -> PromptTemplate:
        try:
            return self.templates[name]
        except KeyError:
            raise PromptError(
                f"no prompt named {name!r} (have: {', '.join(sorted(self.templates))})"
            ) from None

    def render(self, name: str, **vars: str) -> list[dict[str, str]]:
        """Chat messages for prompt `name` with its placeholders filled."""
        return self[name].render(**vars)


_CACHE: dict[tuple[str, tuple[int, ...]], Prompts] = {}
_CACHE_LOCK = threading.Lock()


def load_prompts(settings: Settings) -> Prompts:
    """Checked prompts, cached per directory (reloaded when a file changes on disk)."""
    directory = Path(settings.prompts_dir) if settings.prompts_dir else DEFAULT_PROMPTS_DIR
    stamps: list[int] = []
    for name in REQUIRED:
        try:
            stamps.append((directory / f"{name}.txt").stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    key = (str(directory.resolve()), tuple(stamps))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = Prompts(directory)
            if len(_CACHE) > 8:
                _CACHE.clear()
            _CACHE[key] = cached
        return cached
