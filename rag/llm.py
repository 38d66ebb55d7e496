"""OpenAI-compatible chat client (OpenAI, Ollama, vLLM, llama.cpp) that fails clearly and boundedly.

Why not use the `openai` client's own retries: it retries 4xx it should not, does not bound the
total time, and re-sends a stream that already produced text. Here:

* `settings.llm_timeout` bounds every wait on the network (connect, first byte, the gap between
  stream chunks); all attempts plus backoff waits fit in `llm_timeout * (llm_max_retries + 1)`.
* `settings.llm_deadline` bounds one whole call, streamed reply included: a server that trickles
  tokens or SSE keep-alive comments never leaves a gap of `llm_timeout`, so the gap alone would
  let it hold the answer forever. At the deadline the call's socket is shut from a timer thread.
* retried (at most `llm_max_retries` times, exponential backoff): dropped connections, timeouts,
  HTTP 408/409/429 (Retry-After honoured up to `RETRY_AFTER_CAP`) and 5xx, and a stream that
  broke before its first text.
* not retried: a refused connection or an unknown host (asking again a second later cannot help;
  the endpoint is marked down for `DOWN_FOR_S`, during which calls fail at once without touching
  the network, and `endpoint_status` says so for the UI), 400/401/403/404/422 (retrying cannot fix
  a bad key or model), a malformed response, and a stream that already yielded text (raise, so the
  caller can fall back instead of showing a duplicated answer).
* every failure becomes `LLMError` whose message names the host, the model and the HTTP status and
  says what to check; the API key, and credentials or query values inside the base URL, are
  scrubbed from every message and from the records of the openai/httpx/httpcore loggers.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
import openai
from openai import OpenAI

from rag.replies import ReplyCache, cache_for
from rag.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 20.0  # seconds; a longer Retry-After fails now instead of stalling the chat
BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time
BACKOFF_MAX = 8.0
DEFAULT_HOST = "api.openai.com"
DOWN_FOR_S = 30.0  # after a refused connection or unknown host, calls fail at once for this long

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
        down: bool = False,
    ) -> None:
        self.message = message
        self.retry = retry
        self.status = status
        self.wait = wait  # server-requested wait (Retry-After), seconds
        self.down = down  # nothing answers at this address: mark the endpoint down


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
        self.endpoint: str = _endpoint_key(settings.llm_base_url)
        self.timeout: float = max(0.01, float(settings.llm_timeout))
        self.deadline: float = max(0.01, float(settings.llm_deadline))
        self.max_retries: int = max(0, int(settings.llm_max_retries))
        self.temperature: float = settings.llm_temperature
        self.max_tokens: int = settings.llm_max_tokens
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self.cache: ReplyCache | None = cache_for(settings.llm_cache_dir)
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        base, query = _split_query(settings.llm_base_url)
        self._secrets: tuple[str, ...] = tuple(
            s for s in (key, *_url_secrets(settings.llm_base_url)) if len(s) >= 4
        )
        _LOG_SCRUBBER.add(self._secrets)
        self._local = threading.local()  # the watchdog of the call running in this thread
        self._client = OpenAI(
            base_url=base,
            api_key=key or "not-needed",
            timeout=self.timeout,
            max_retries=0,
            default_query=query or None,
            http_client=openai.DefaultHttpxClient(
                timeout=self.timeout, event_hooks={"response": [self._on_response]}
            ),
        )
        # the first `.chat` imports the openai resources (1-3 s): here, not inside a deadline
        self._completions = self._client.chat.completions

    # --- public ------------------------------------------------------------------------------
    def describe(self) -> str:
        """'model @ host' for the UI and logs (never the key)."""
        return f"{self.model} @ {self.host}"

    def __repr__(self) -> str:
        return f"LLMClient({self.describe()!r})"

    def stream_chat(self, messages: list[dict[str, Any]]) -> Iterator[str]:
        """Text deltas in order; nothing for an empty reply. Lazy: the request starts on first next().
        With a reply cache, a request already answered is replayed as one delta."""
        if self.cache is None:
            yield from self._stream_live(messages)
            return
        key = self._cache_key(messages, stream=True)
        cached = self.cache.get(key)
        if cached is not None:
            if cached:
                yield cached
            return
        t0 = time.perf_counter()
        parts: list[str] = []
        for delta in self._stream_live(messages):
            parts.append(delta)
            yield delta
        self.cache.put(key, "".join(parts), time.perf_counter() - t0)

    def _stream_live(self, messages: list[dict[str, Any]]) -> Iterator[str]:
        self._refuse_if_down()
        watchdog = _Watchdog(self.deadline)
        deadline = min(time.monotonic() + self._total_budget(), watchdog.ends_at)
        attempt = 0
        try:
            while True:
                yielded = False
                try:
                    with self._watching(watchdog):
                        stream = self._completions.create(
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
                            if watchdog.expired:
                                raise _DeadlinePassed
                        ctype = stream.response.headers.get("content-type", "")
                    if not chunks and "event-stream" not in ctype:  # e.g. an HTML page, not SSE
                        raise _Malformed(
                            f"expected an event stream, got {ctype or 'no content type'}"
                        )
                    if yielded and not saw_finish:
                        log.warning(
                            "LLM stream from %s ended without a finish reason", self.describe()
                        )
                    _mark_up(self.endpoint)
                    return
                except Exception as exc:  # GeneratorExit is not an Exception: closing stays silent
                    failure = self._classify(exc, streaming=True, watchdog=watchdog)
                    if yielded:
                        what = (
                            f"did not finish within {self.deadline:g} s (RAG_LLM_DEADLINE)"
                            if watchdog.expired
                            else f"broke after it had started ({failure.message})"
                        )
                        raise LLMError(
                            self._msg(
                                f"the answer stream from {self.describe()} {what}; the partial "
                                "answer is incomplete"
                            ),
                            status=failure.status,
                            retryable=failure.retry,
                            partial=True,
                        ) from None
                    self._after_failure(failure, attempt, deadline)
                    attempt += 1
        finally:
            watchdog.cancel()

    def chat(self, messages: list[dict[str, Any]]) -> str:
        """The whole reply as one string ('' when the model said nothing)."""
        if self.cache is None:
            return self._chat_live(messages)
        key = self._cache_key(messages, stream=False)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        t0 = time.perf_counter()
        text = self._chat_live(messages)
        self.cache.put(key, text, time.perf_counter() - t0)
        return text

    def _cache_key(self, messages: list[dict[str, Any]], *, stream: bool) -> str:
        assert self.cache is not None
        return self.cache.key(
            {
                # the model's name, not the endpoint: a local server gets a new port each run
                "model": self.model,
                "messages": messages,
                "temperature": self.temperature,
                "max_tokens": self.max_tokens,
                "stream": stream,
            }
        )

    def _chat_live(self, messages: list[dict[str, Any]]) -> str:

        def once(timeout: float) -> str:
            resp = self._completions.create(
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

    # --- deadline and endpoint state ---------------------------------------------------------
    def _on_response(self, response: httpx.Response) -> None:
        """httpx event hook (runs in the calling thread once the headers are in): give the
        response's socket to the watchdog of the call that made it."""
        watchdog = getattr(self._local, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(response)

    def _watching(self, watchdog: _Watchdog) -> _Watching:
        return _Watching(self._local, watchdog)

    def _refuse_if_down(self) -> None:
        status = _down_status(self.endpoint)
        if status is not None:
            raise LLMError(self._msg(f"{self.host} is marked down: {status}"), retryable=True)

    # --- retries -----------------------------------------------------------------------------
    def _total_budget(self) -> float:
        return self.timeout * (self.max_retries + 1)

    def _attempt_timeout(self, deadline: float) -> float:
        return max(0.05, min(self.timeout, deadline - time.monotonic()))

    def _with_retries(self, fn: Callable[[float], _T]) -> _T:
        self._refuse_if_down()
        watchdog = _Watchdog(self.deadline)
        deadline = min(time.monotonic() + self._total_budget(), watchdog.ends_at)
        attempt = 0
        try:
            with self._watching(watchdog):
                while True:
                    try:
                        result = fn(self._attempt_timeout(deadline))
                        _mark_up(self.endpoint)
                        return result
                    except Exception as exc:
                        failure = self._classify(exc, streaming=False, watchdog=watchdog)
                        self._after_failure(failure, attempt, deadline)
                        attempt += 1
        finally:
            watchdog.cancel()

    def _after_failure(self, failure: _Failure, attempt: int, deadline: float) -> None:
        """Sleep before the next attempt, or raise LLMError when retrying is pointless or spent."""
        tries = attempt + 1
        if failure.down:
            _mark_down(self.endpoint, failure.message)
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
                    f"time budget of {min(self._total_budget(), self.deadline):g} s spent; see "
                    "RAG_LLM_TIMEOUT and RAG_LLM_DEADLINE)"
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

    def _classify(
        self, exc: BaseException, *, streaming: bool, watchdog: _Watchdog | None = None
    ) -> _Failure:
        where = f"{self.host} (model {self.model!r})"
        if watchdog is not None and watchdog.expired:  # whatever broke, the deadline broke it
            return _Failure(
                f"{where} did not finish its reply within {self.deadline:g} s "
                "(RAG_LLM_DEADLINE); is the server overloaded or stuck?",
                retry=False,
            )
        if isinstance(exc, LLMError):
            return _Failure(str(exc), retry=False, status=exc.status)
        if isinstance(exc, openai.APITimeoutError):
            return _Failure(
                f"no response from {where} within {self.timeout:g} s (RAG_LLM_TIMEOUT); "
                "is the server overloaded or the model still loading?",
                retry=True,
            )
        if isinstance(exc, openai.APIConnectionError):
            return self._connection_failure(exc.__cause__ or exc)
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
                f"is {_url_var(self.base_url)} an OpenAI-compatible /v1 endpoint?",
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
                f"{_url_var(self.base_url)} ends in /v1{said}",
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

    def _connection_failure(self, cause: BaseException) -> _Failure:
        text = " ".join(str(cause).split()).lower()
        if isinstance(cause, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return _Failure(
                f"the connection to {self.host} was closed before the reply was complete "
                f"({type(cause).__name__}); is a proxy or the server dropping requests?",
                retry=True,
            )
        down = True
        if any(s in text for s in _DNS_HINTS):
            why = f"the host name {self.host!r} could not be resolved (DNS)"
        elif "refused" in text:
            why = f"connection refused at {self.host} (is the server running?)"
        else:
            why, down = f"could not connect to {self.host} ({type(cause).__name__})", False
        # a space after the URL: a Markdown autolink would swallow an escaped "\)" or ";"
        return _Failure(
            f"{why}; check {_url_var(self.base_url)} = {self._url()} and that the server listens "
            "there",
            retry=not down,
            down=down,
        )

    def _url(self) -> str:
        return _strip_url(self.base_url or f"https://{DEFAULT_HOST}/v1")

    # --- key hygiene -------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEYISH.sub("***", text)

    def _msg(self, text: str) -> str:
        return self._scrub(f"LLM call failed: {text}")


class _Malformed(ValueError):
    """A 200 reply whose shape is not a chat completion."""


class _DeadlinePassed(Exception):
    """Raised inside a stream whose call ran past `llm_deadline` (classified by the watchdog)."""


class _Watchdog:
    """Shuts the sockets of one call's responses when `llm_deadline` passes. httpx's timeout
    bounds each read, not the whole reply; shutting the socket wakes the blocked read at once,
    and the call then reports the deadline, whatever error the broken read raised."""

    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, response: httpx.Response) -> None:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


class _Watching:
    """Makes `watchdog` the current call's for responses arriving in this thread."""

    def __init__(self, local: threading.local, watchdog: _Watchdog) -> None:
        self.local, self.watchdog = local, watchdog

    def __enter__(self) -> None:
        self.local.watchdog = self.watchdog

    def __exit__(self, *exc: object) -> None:
        self.local.watchdog = None


# --- endpoints marked down -----------------------------------------------------------------------
_DOWN: dict[str, tuple[float, str]] = {}  # endpoint -> (monotonic time it may be tried again, why)
_DOWN_LOCK = threading.Lock()


def _endpoint_key(base_url: str | None) -> str:
    return _strip_url(base_url or f"https://{DEFAULT_HOST}/v1")


def _mark_down(endpoint: str, why: str) -> None:
    with _DOWN_LOCK:
        _DOWN[endpoint] = (time.monotonic() + DOWN_FOR_S, why.split(";")[0])


def _mark_up(endpoint: str) -> None:
    if _DOWN:  # no lock on the common path: nothing is down
        with _DOWN_LOCK:
            _DOWN.pop(endpoint, None)


def _down_status(endpoint: str) -> str | None:
    with _DOWN_LOCK:
        entry = _DOWN.get(endpoint)
        if entry is None:
            return None
        until, why = entry
        left = until - time.monotonic()
        if left <= 0:
            del _DOWN[endpoint]
            return None
    return f"{why}; retrying in {math.ceil(left)} s"


def endpoint_status(settings: Settings) -> str | None:
    """Why the configured LLM endpoint is marked down (e.g. "connection refused at 127.0.0.1:9:
    is the server running?; retrying in 25 s"), or None when calls go to the network."""
    if not settings.llm_model:
        return None
    return _down_status(_endpoint_key(settings.llm_base_url))


def reset_endpoints() -> None:
    """Forget every down mark (tests; a UI "retry now" button)."""
    with _DOWN_LOCK:
        _DOWN.clear()


# --- secrets in URLs and logs ---------------------------------------------------------------------
def _url_var(base_url: str | None) -> str:
    """The variable the user set the endpoint with (messages should name that one)."""
    if "RAG_LLM_BASE_URL" not in os.environ and os.environ.get("OPENAI_BASE_URL") == base_url:
        return "OPENAI_BASE_URL"
    return "RAG_LLM_BASE_URL"


def _split_query(base_url: str | None) -> tuple[str | None, dict[str, str]]:
    """(base URL without its query, the query as parameters): the openai client appends paths to
    the base URL as a string, so a query left in it would end up in the middle of the path."""
    if not base_url or "?" not in base_url:
        return base_url, {}
    parts = urlsplit(base_url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query="", fragment="")), query


_SECRET_PARAM = re.compile(r"key|token|secret|auth|sig|pass|code|credential", re.IGNORECASE)


def _url_secrets(base_url: str | None) -> list[str]:
    """Credentials and secret-looking query values inside the base URL (`user:key@`, `key@`,
    `?api-key=...`)."""
    if not base_url:
        return []
    parts = urlsplit(base_url)
    found = [parts.password or parts.username or ""]
    found += [
        v
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if _SECRET_PARAM.search(k) or len(v) >= 16
    ]
    return [f for f in found if f]


class _LogScrubber(logging.Filter):
    """Removes known secrets from the records of the HTTP libraries' loggers (httpx logs every
    request URL at INFO, openai at DEBUG; a key inside the base URL would be in them)."""

    PREFIXES = ("openai", "httpx", "httpcore")

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._installed: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self.secrets.update(secrets)
            # a logger filter only sees records logged on that very logger: every one of them
            names = [
                n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in self.PREFIXES
            ]
            for name in names:
                if name not in self._installed:
                    logging.getLogger(name).addFilter(self)
                    self._installed.add(name)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _KEYISH.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


_LOG_SCRUBBER = _LogScrubber()


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
        settings.llm_deadline,
        settings.llm_max_retries,
        settings.llm_temperature,
        settings.llm_max_tokens,
        settings.llm_cache_dir,
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
