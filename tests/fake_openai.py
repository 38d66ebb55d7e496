"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for tests (stdlib only, no network).

In the spirit of simonw/llm's MockModel: tests queue replies with `server.enqueue(...)` and each
chat request takes the next one. A reply is either plain text (streamed token by token as SSE when
the request says `stream: true`, a normal JSON completion otherwise) or a `Reply` describing a
failure: an HTTP status (401/404/429 + Retry-After/500), a stream cut after N tokens, a malformed
JSON chunk, a delay before answering (for timeouts), an empty stream, or a stream that never ends
(one token every so often forever, or SSE keep-alive comments forever). Every request is recorded
so tests can assert on the messages, the model and how many retries happened.

`/v1/embeddings` answers with deterministic fake vectors (a hash of the text) and never consumes
the chat queue, so the optional OpenAI embedding backend can be tested against the same server.

Usage:

    from fake_openai import FakeOpenAI, Reply, fake_openai_fixture  # noqa: F401  (fixture)

    def test_x(fake_openai: FakeOpenAI) -> None:
        fake_openai.enqueue("Hello [1].")
        fake_openai.enqueue(Reply.error(429, retry_after=1))
        settings = Settings(llm_model="m", llm_base_url=fake_openai.base_url)
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "fake_openai_fixture", "free_port", "tokenize"]


def tokenize(text: str) -> list[str]:
    """Split text into word-ish tokens that join back to exactly `text` (whitespace kept)."""
    return re.findall(r"\S+\s*|\s+", text)


def free_port() -> int:
    """A port nothing listens on right now (for 'connection refused' tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Reply:
    """One scripted answer to one chat request.

    text: the content; streamed as one SSE chunk per token (see `tokenize`) or `tokens` verbatim.
    status: an HTTP error status instead of a completion (body is an OpenAI-style error JSON).
    headers: extra response headers (e.g. Retry-After).
    delay: seconds to wait before sending anything (the client should time out first).
    chunk_delay: seconds between streamed content chunks (after the first; tests stalls).
    cut_after: close the connection after this many content chunks (no [DONE], chunked body
        left incomplete so the client sees a broken stream, not a normal end).
    malformed_after: send a chunk that is not JSON after this many content chunks.
    raw: a body sent verbatim with status 200 and `content_type` (see `raw_body`).
    forever: after the text, keep the stream open and send `forever_token` every `forever_every`
        seconds until the client hangs up (a server trickling tokens); with `forever_token=None`,
        send SSE keep-alive comments instead (which the client's SSE parser swallows). Not
        streamed: a JSON body that never completes (one space at a time).
    """

    text: str = ""
    tokens: list[str] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    delay: float = 0.0
    chunk_delay: float = 0.0
    cut_after: int | None = None
    malformed_after: int | None = None
    raw: str | None = None  # send this body verbatim (200, `content_type`) instead of a completion
    content_type: str = "text/html"
    forever: bool = False
    forever_every: float = 0.05
    forever_token: str | None = "more "

    @classmethod
    def trickle(cls, text: str = "", every: float = 0.05) -> Reply:
        """The text, then one token every `every` seconds, never finishing."""
        return cls(text=text, forever=True, forever_every=every)

    @classmethod
    def keepalive(cls, text: str = "", every: float = 0.05) -> Reply:
        """The text, then an SSE comment (`: keep-alive`) every `every` seconds, never finishing."""
        return cls(text=text, forever=True, forever_every=every, forever_token=None)

    @classmethod
    def error(cls, status: int, *, retry_after: float | None = None, message: str = "") -> Reply:
        headers = {"Retry-After": _fmt_num(retry_after)} if retry_after is not None else {}
        return cls(status=status, headers=headers, message=message or f"fake error {status}")

    @classmethod
    def cut(cls, text: str, after: int) -> Reply:
        return cls(text=text, cut_after=after)

    @classmethod
    def malformed(cls, text: str = "", after: int = 0) -> Reply:
        return cls(text=text, malformed_after=after)

    @classmethod
    def slow(cls, delay: float, text: str = "late") -> Reply:
        return cls(text=text, delay=delay)

    @classmethod
    def raw_body(cls, body: str, content_type: str = "text/html") -> Reply:
        """A 200 that is not a completion at all (e.g. a web page at the wrong URL)."""
        return cls(raw=body, content_type=content_type)

    @classmethod
    def empty(cls) -> Reply:
        return cls(text="")

    def token_list(self) -> list[str]:
        return list(self.tokens) if self.tokens is not None else tokenize(self.text)


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when it was not JSON
    at: float  # time.monotonic() when it arrived

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream")) if isinstance(self.body, dict) else False


class FakeOpenAI:
    """The server plus its script and request log; start with `start()` or use as a context."""

    def __init__(self, *, embedding_dim: int = 32, default: str | Reply | None = None) -> None:
        self.embedding_dim = embedding_dim
        self.default = default  # reply when the queue is empty; None -> HTTP 500 "nothing queued"
        self.requests: list[RecordedRequest] = []
        self.hung_up = threading.Event()  # a never-ending stream saw its client disconnect
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- script ------------------------------------------------------------------------------
    def enqueue(self, *replies: str | Reply) -> FakeOpenAI:
        with self._lock:
            for r in replies:
                self._queue.append(Reply(text=r) if isinstance(r, str) else r)
        return self

    def _next_reply(self) -> Reply | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.default is None:
            return None
        return Reply(text=self.default) if isinstance(self.default, str) else self.default

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    # --- log ---------------------------------------------------------------------------------
    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.route.endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.route.endswith("/embeddings")]

    @property
    def last_messages(self) -> list[dict[str, Any]]:
        reqs = self.chat_requests
        return reqs[-1].messages if reqs else []

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- embeddings --------------------------------------------------------------------------
    def fake_vector(self, text: str) -> list[float]:
        """Deterministic unit vector from the text's hash (same text -> same vector)."""
        out: list[float] = []
        i = 0
        while len(out) < self.embedding_dim:
            digest = hashlib.sha256(f"{i}:{text}".encode()).digest()
            out.extend((b - 127.5) / 127.5 for b in digest)
            i += 1
        vec = out[: self.embedding_dim]
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streams, so a cut is visible as a broken body
    fake: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet test output)
        return

    # --- plumbing ----------------------------------------------------------------------------
    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _sse(self, payload: Any) -> None:
        self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _abort(self) -> None:
        """Drop the connection mid-response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- routes ------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self.fake._record(
            RecordedRequest("GET", self.path, dict(self.headers), None, time.monotonic())
        )
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(
                200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]}
            )
        else:
            self._send_json(
                404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
            )

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        self.fake._record(
            RecordedRequest("POST", self.path, dict(self.headers), body, time.monotonic())
        )
        route = self.path.split("?", 1)[0]  # a query (e.g. ?api-key=) does not change the route
        try:
            if route.endswith("/embeddings"):
                self._embeddings(body)
            elif route.endswith("/chat/completions"):
                self._chat(body)
            else:
                self._send_json(
                    404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (e.g. timed out): fine

    def _embeddings(self, body: Any) -> None:
        inputs = body.get("input", []) if isinstance(body, dict) else []
        if isinstance(inputs, str):
            inputs = [inputs]
        data = [
            {"object": "embedding", "index": i, "embedding": self.fake.fake_vector(str(t))}
            for i, t in enumerate(inputs)
        ]
        model = body.get("model", "fake-embed") if isinstance(body, dict) else "fake-embed"
        self._send_json(
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": 0, "total_tokens": 0},
            },
        )

    def _chat(self, body: Any) -> None:
        reply = self.fake._next_reply()
        if reply is None:
            self._send_json(
                500, {"error": {"message": "fake server: no reply queued", "type": "server_error"}}
            )
            return
        if reply.delay and self.fake._closing.wait(reply.delay):
            return
        if reply.status != 200:
            err_type = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
            payload = {
                "error": {
                    "message": reply.message,
                    "type": err_type.get(reply.status, "server_error"),
                }
            }
            self._send_json(reply.status, payload, reply.headers)
            return
        if reply.raw is not None:
            data = reply.raw.encode()
            self.send_response(200)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        model = body.get("model", "fake-model") if isinstance(body, dict) else "fake-model"
        stream = isinstance(body, dict) and bool(body.get("stream"))
        if stream:
            self._stream(reply, model)
        else:
            self._complete(reply, model)

    def _complete(self, reply: Reply, model: str) -> None:
        if reply.forever:  # a body that never completes: one space (valid JSON filler) at a time
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.wfile.write(b'{"id": "chatcmpl-fake"')
            try:
                while not self.fake._closing.wait(reply.forever_every):
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                self.fake.hung_up.set()
                self.close_connection = True
            return
        if reply.cut_after is not None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"id": "chatcmpl-fake", "choi')
            self._abort()
            return
        if reply.malformed_after is not None:
            data = b'{"id": "chatcmpl-fake", "choices": [ this is not json'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._send_json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "".join(reply.token_list())},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            },
            reply.headers,
        )

    def _stream(self, reply: Reply, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        self._sse(chunk({"role": "assistant", "content": ""}))
        for i, tok in enumerate(reply.token_list()):
            if reply.cut_after is not None and i >= reply.cut_after:
                self._abort()
                return
            if reply.malformed_after is not None and i >= reply.malformed_after:
                self._chunk(b'data: {"choices": [{"delta": {"content": "oops"\n\n')
                self._finish()
                return
            if i and reply.chunk_delay and self.fake._closing.wait(reply.chunk_delay):
                return
            self._sse(chunk({"content": tok}))
        if reply.forever:
            self._forever(reply, chunk({"content": reply.forever_token}))
            return
        if reply.cut_after is not None:
            self._abort()
            return
        if reply.malformed_after is not None:
            self._chunk(b"data: {not json at all\n\n")
        self._sse(chunk({}, "stop"))
        self._finish()

    def _forever(self, reply: Reply, payload: dict[str, Any]) -> None:
        """Never finish: a token or a keep-alive comment every `forever_every` s, until the client
        hangs up (then `hung_up` is set) or the server closes."""
        try:
            while not self.fake._closing.wait(reply.forever_every):
                if reply.forever_token is None:
                    self._chunk(b": keep-alive\n\n")
                else:
                    self._sse(payload)
        except OSError:
            self.fake.hung_up.set()
            self.close_connection = True

    def _finish(self) -> None:
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


@pytest.fixture(name="fake_openai")
def fake_openai_fixture() -> Iterator[FakeOpenAI]:
    """A running fake server; `.base_url` is the `/v1` root to put in `llm_base_url`."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.close()
