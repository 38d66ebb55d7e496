"""OpenAI-compatible chat client (OpenAI, Ollama, vLLM, llama.cpp) that fails clearly and boundedly.

Why not use the `openai` client's own retries: it retries 4xx it should not, does not bound the
total time, and re-sends a stream that already produced text. Here:

* `settings.llm_timeout` bounds every wait on the network (connect, first byte, the gap between
  stream chunks); all attempts plus backoff waits fit in `llm_timeout * (llm_max_retries + 1)`.
* retried (at most `llm_max_retries` times, exponential backoff): connection errors (refused, DNS),
  timeouts, HTTP 408/409/429 (Retry-After honoured up to `RETRY_AFTER_CAP`) and 5xx, and a stream
  that broke before its first text.
* not retried: 400/401/403/404/422 (retrying cannot fix a bad key or model), a malformed response,
  and a stream that already yielded text (raise, so the caller can fall back instead of showing a
  duplicated answer).
* every failure becomes `LLMError` whose message names the host, the model and the HTTP status and
  says what to check; the API key is scrubbed from every message and never logged.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import openai
from openai import OpenAI

from rag.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 20.0  # seconds; a longer Retry-After fails now instead of stalling the chat
BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time
BACKOFF_MAX = 8.0
DEFAULT_HOST = "api.openai.com"

_T = TypeVar("_T")
_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
)
_KEYISH = re.compile(r"\b(sk-[A-Za-z0-9_\-]{4,}|Bearer\s+\S+)")


class LLMError(RuntimeError):
    """An LLM call failed; the message is safe to show a user (never contains the key).

    `status` is the HTTP status when there was one; `retryable` says whether the failure was of a
    transient kind (after retries ran out); `partial` is True when a stream broke after it had
    already yielded text (the caller should discard or mark the partial answer).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        partial: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.partial = partial


class _Failure:
    """One attempt's failure classified: what to tell the user, whether and when to retry."""

    def __init__(
        self,
        message: str,
        *,
        retry: bool,
        status: int | None = None,
        wait: float | None = None,
    ) -> None:
        self.message = message
        self.retry = retry
        self.status = status
        self.wait = wait  # server-requested wait (Retry-After), seconds


def _host_of(base_url: str | None) -> str:
    """host[:port] of the endpoint, without credentials, path or query."""
    if not base_url:
        return DEFAULT_HOST
    parts = urlsplit(base_url if "//" in base_url else f"//{base_url}")
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host


def _retry_after(headers: httpx.Headers | None) -> float | None:
    """Seconds from `retry-after-ms` / `Retry-After` (delta seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_detail(exc: openai.APIStatusError) -> str:
    """The server's own error message (short), which often names the real problem."""
    body = exc.body
    msg: Any = None
    if isinstance(body, dict):
        err = body.get("error", body)
        msg = err.get("message") if isinstance(err, dict) else err
    if not msg:
        msg = getattr(exc, "message", "") or ""
    text = " ".join(str(msg).split())
    return text[:200]


class LLMClient:
    """One endpoint + model; `stream_chat` yields text deltas, `chat` returns the whole reply."""

    def __init__(
        self,
        settings: Settings,
        *,
        backoff_base: float = BACKOFF_BASE,
        retry_after_cap: float = RETRY_AFTER_CAP,
    ) -> None:
        if not settings.llm_model:
            raise LLMError(
                "no LLM model configured: set RAG_LLM_MODEL (e.g. gpt-4o-mini or llama3.1)"
            )
        self.model: str = settings.llm_model
        self.base_url: str | None = settings.llm_base_url
        self.host: str = _host_of(settings.llm_base_url)
        self.timeout: float = max(0.01, float(settings.llm_timeout))
        self.max_retries: int = max(0, int(settings.llm_max_retries))
        self.temperature: float = settings.llm_temperature
        self.max_tokens: int = settings.llm_max_tokens
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self._secrets: tuple[str, ...] = (key,) if len(key) >= 4 else ()
        self._client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=key or "not-needed",
            timeout=self.timeout,
            max_retries=0,
        )

    # --- public ------------------------------------------------------------------------------
    def describe(self) -> str:
        """'model @ host' for the UI and logs (never the key)."""
        return f"{self.model} @ {self.host}"

    def __repr__(self) -> str:
        return f"LLMClient({self.describe()!r})"

    def stream_chat(self, messages: list[dict[str, Any]]) -> Iterator[str]:
        """Text deltas in order; nothing for an empty reply. Lazy: the request starts on first next()."""
        deadline = time.monotonic() + self._total_budget()
        attempt = 0
        while True:
            yielded = False
            try:
                stream = self._client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    stream=True,
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                    timeout=self._attempt_timeout(deadline),
                )
                saw_finish = False
                chunks = 0
                with stream:
                    for chunk in stream:
                        chunks += 1
                        text, finished = _delta_of(chunk)
                        saw_finish = saw_finish or finished
                        if text:
                            yielded = True
                            yield text
                    ctype = stream.response.headers.get("content-type", "")
                if not chunks and "event-stream" not in ctype:  # e.g. an HTML page, not SSE
                    raise _Malformed(f"expected an event stream, got {ctype or 'no content type'}")
                if yielded and not saw_finish:
                    log.warning("LLM stream from %s ended without a finish reason", self.describe())
                return
            except Exception as exc:  # GeneratorExit is not an Exception: closing stays silent
                failure = self._classify(exc, streaming=True)
                if yielded:
                    raise LLMError(
                        self._msg(
                            f"the answer stream from {self.describe()} broke after it had started "
                            f"({failure.message}); the partial answer is incomplete"
                        ),
                        status=failure.status,
                        retryable=failure.retry,
                        partial=True,
                    ) from None
                self._after_failure(failure, attempt, deadline)
                attempt += 1

    def chat(self, messages: list[dict[str, Any]]) -> str:
        """The whole reply as one string ('' when the model said nothing)."""

        def once(timeout: float) -> str:
            resp = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                timeout=timeout,
            )
            if isinstance(resp, str | bytes):  # some proxies answer 200 with non-JSON text
                raise json.JSONDecodeError("completion is not JSON", str(resp)[:50], 0)
            try:
                content = resp.choices[0].message.content
            except (AttributeError, IndexError, TypeError) as exc:
                raise _Malformed(f"no choices[0].message in the completion ({exc})") from None
            return content or ""

        return self._with_retries(once)

    # --- retries -----------------------------------------------------------------------------
    def _total_budget(self) -> float:
        return self.timeout * (self.max_retries + 1)

    def _attempt_timeout(self, deadline: float) -> float:
        return max(0.05, min(self.timeout, deadline - time.monotonic()))

    def _with_retries(self, fn: Callable[[float], _T]) -> _T:
        deadline = time.monotonic() + self._total_budget()
        attempt = 0
        while True:
            try:
                return fn(self._attempt_timeout(deadline))
            except Exception as exc:
                failure = self._classify(exc, streaming=False)
                self._after_failure(failure, attempt, deadline)
                attempt += 1

    def _after_failure(self, failure: _Failure, attempt: int, deadline: float) -> None:
        """Sleep before the next attempt, or raise LLMError when retrying is pointless or spent."""
        tries = attempt + 1
        if not failure.retry:
            raise LLMError(self._msg(failure.message), status=failure.status) from None
        if attempt >= self.max_retries:
            raise LLMError(
                self._msg(f"{failure.message} (gave up after {tries} attempt{'s' * (tries > 1)})"),
                status=failure.status,
                retryable=True,
            ) from None
        remaining = deadline - time.monotonic()
        if failure.wait is not None:
            if failure.wait > self.retry_after_cap or failure.wait > remaining:
                raise LLMError(
                    self._msg(
                        f"{failure.message}; the server asked to wait {failure.wait:g} s, longer "
                        "than this request may take (try again later or raise RAG_LLM_TIMEOUT)"
                    ),
                    status=failure.status,
                    retryable=True,
                ) from None
            wait = failure.wait
        else:
            wait = min(BACKOFF_MAX, self.backoff_base * (2**attempt))
            wait *= 1.0 + random.uniform(-0.1, 0.1)  # jitter: many clients do not retry in step
        if remaining - wait < 0.05:
            raise LLMError(
                self._msg(
                    f"{failure.message} (gave up after {tries} attempt{'s' * (tries > 1)}: "
                    f"time budget of {self._total_budget():g} s spent; see RAG_LLM_TIMEOUT)"
                ),
                status=failure.status,
                retryable=True,
            ) from None
        log.info(
            "LLM call to %s failed (%s); retry %d/%d in %.2f s",
            self.describe(),
            self._scrub(failure.message),
            tries,
            self.max_retries,
            wait,
        )
        time.sleep(wait)

    def _classify(self, exc: BaseException, *, streaming: bool) -> _Failure:
        where = f"{self.host} (model {self.model!r})"
        if isinstance(exc, LLMError):
            return _Failure(str(exc), retry=False, status=exc.status)
        if isinstance(exc, openai.APITimeoutError):
            return _Failure(
                f"no response from {where} within {self.timeout:g} s (RAG_LLM_TIMEOUT); "
                "is the server overloaded or the model still loading?",
                retry=True,
            )
        if isinstance(exc, openai.APIConnectionError):
            return _Failure(self._connection_message(exc.__cause__ or exc), retry=True)
        if isinstance(exc, openai.APIStatusError):
            return self._status_failure(exc, where)
        if isinstance(exc, httpx.TimeoutException):
            return _Failure(
                f"{where} stopped sending for more than {self.timeout:g} s (RAG_LLM_TIMEOUT)",
                retry=True,
            )
        if isinstance(exc, httpx.TransportError):  # connection dropped mid-body
            return _Failure(
                f"the connection to {where} was closed before the reply was complete "
                f"({type(exc).__name__})",
                retry=True,
            )
        if isinstance(exc, json.JSONDecodeError | _Malformed | openai.APIResponseValidationError):
            why = str(exc) if isinstance(exc, _Malformed) else "not valid JSON"
            return _Failure(
                f"{where} sent a malformed {'stream' if streaming else 'completion'} ({why}); "
                "is RAG_LLM_BASE_URL an OpenAI-compatible /v1 endpoint?",
                retry=False,
            )
        if isinstance(exc, openai.APIError):  # e.g. an {"error": ...} event inside a stream
            detail = " ".join(str(getattr(exc, "message", "") or "").split())[:200]
            return _Failure(
                f"{where} reported an error: {detail or type(exc).__name__}", retry=True
            )
        return _Failure(
            f"unexpected failure talking to {where}: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:200]}",
            retry=False,
        )

    def _status_failure(self, exc: openai.APIStatusError, where: str) -> _Failure:
        status = exc.status_code
        detail = _server_detail(exc)
        said = f"; server said: {detail}" if detail else ""
        head = f"{where} answered HTTP {status}"
        if status == 401:
            return _Failure(
                f"{head} (unauthorized): check the API key (RAG_LLM_API_KEY / OPENAI_API_KEY){said}",
                retry=False,
                status=status,
            )
        if status == 403:
            return _Failure(
                f"{head} (forbidden): the key may lack access to this model{said}",
                retry=False,
                status=status,
            )
        if status == 404:
            return _Failure(
                f"{head} (not found): check the model name (RAG_LLM_MODEL={self.model}) and that "
                f"RAG_LLM_BASE_URL ends in /v1{said}",
                retry=False,
                status=status,
            )
        if status == 429:
            return _Failure(
                f"{head} (rate limited){said}",
                retry=True,
                status=status,
                wait=_retry_after(exc.response.headers if exc.response is not None else None),
            )
        if status in (408, 409) or status >= 500:
            wait = _retry_after(exc.response.headers if exc.response is not None else None)
            return _Failure(f"{head} (server error){said}", retry=True, status=status, wait=wait)
        return _Failure(
            f"{head} (request rejected): check RAG_LLM_MODEL and the endpoint's limits{said}",
            retry=False,
            status=status,
        )

    def _connection_message(self, cause: BaseException) -> str:
        text = " ".join(str(cause).split()).lower()
        base = self.base_url or f"https://{DEFAULT_HOST}/v1"
        if isinstance(cause, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return (
                f"the connection to {self.host} was closed before the reply was complete "
                f"({type(cause).__name__}); is a proxy or the server dropping requests?"
            )
        if any(s in text for s in _DNS_HINTS):
            why = f"the host name {self.host!r} could not be resolved (DNS)"
        elif "refused" in text:
            why = f"connection to {self.host} was refused: is the server running?"
        else:
            why = f"could not connect to {self.host} ({type(cause).__name__})"
        return f"{why}; check RAG_LLM_BASE_URL (now {_strip_url(base)})"

    # --- key hygiene -------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEYISH.sub("***", text)

    def _msg(self, text: str) -> str:
        return self._scrub(f"LLM call failed: {text}")


class _Malformed(ValueError):
    """A 200 reply whose shape is not a chat completion."""


def _strip_url(url: str) -> str:
    """The URL without credentials or query string (they can carry secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else url.split("?")[0]


def _delta_of(chunk: Any) -> tuple[str, bool]:
    """(text, finished) from one stream chunk, tolerating servers that omit fields."""
    try:
        choices = chunk.choices
    except AttributeError:
        return "", False
    if not choices:
        return "", False
    first = choices[0]
    delta = getattr(first, "delta", None)
    text = getattr(delta, "content", None) if delta is not None else None
    finished = bool(getattr(first, "finish_reason", None))
    return (text if isinstance(text, str) else ""), finished


_CLIENTS: dict[tuple[Any, ...], LLMClient] = {}
_CLIENTS_LOCK = threading.Lock()


def _cache_key(settings: Settings) -> tuple[Any, ...]:
    import hashlib

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    return (
        settings.llm_model,
        settings.llm_base_url,
        hashlib.sha256(key.encode()).hexdigest(),
        settings.llm_timeout,
        settings.llm_max_retries,
        settings.llm_temperature,
        settings.llm_max_tokens,
    )


def get_client(settings: Settings) -> LLMClient:
    """One client (and its connection pool) per endpoint configuration, shared across threads."""
    k = _cache_key(settings)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(k)
        if client is None:
            if len(_CLIENTS) >= 16:
                _CLIENTS.clear()
            client = _CLIENTS[k] = LLMClient(settings)
        return client
