"""rag.llm against the scripted fake server: streaming, every failure mode, retries, key hygiene."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, fake_openai_fixture, free_port  # noqa: F401

from rag import llm
from rag.llm import LLMClient, LLMError, _retry_after, endpoint_status, get_client
from rag.settings import Settings

PLANTED = "sk-test-PLANTED-123"
MSGS = [{"role": "user", "content": "hello"}]


def make_settings(tmp_path: Path, base_url: str, **kw: object) -> Settings:
    values: dict[str, object] = {
        "home": tmp_path / "home",
        "llm_model": "test-model",
        "llm_base_url": base_url,
        "llm_api_key": PLANTED,
        "llm_timeout": 2.0,
        "llm_max_retries": 2,
    }
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


def make_client(tmp_path: Path, base_url: str, **kw: object) -> LLMClient:
    return LLMClient(make_settings(tmp_path, base_url, **kw), backoff_base=0.01)


def fail(client: LLMClient, *, stream: bool = True) -> tuple[LLMError, list[str]]:
    """Run one call that must fail; return the error and the text seen before it."""
    got: list[str] = []
    with pytest.raises(LLMError) as info:
        if stream:
            for delta in client.stream_chat(MSGS):
                got.append(delta)
        else:
            client.chat(MSGS)
    return info.value, got


# --- happy paths -------------------------------------------------------------------------------
def test_stream_deltas_arrive_in_order(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue("Transformers use attention [1]. RNNs do not [2].")
    client = make_client(tmp_path, fake_openai.base_url)
    deltas = list(client.stream_chat(MSGS))
    assert deltas == [
        "Transformers ",
        "use ",
        "attention ",
        "[1]. ",
        "RNNs ",
        "do ",
        "not ",
        "[2].",
    ]
    (req,) = fake_openai.chat_requests
    assert req.model == "test-model"
    assert req.stream is True
    assert req.messages == MSGS
    assert req.headers.get("Authorization") == f"Bearer {PLANTED}"  # the key reaches the server


def test_stream_is_lazy(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    client = make_client(tmp_path, fake_openai.base_url)
    gen = client.stream_chat(MSGS)
    assert fake_openai.chat_requests == []
    fake_openai.enqueue("a b c")
    assert next(gen) == "a "
    gen.close()  # stopping early is silent and closes the response


def test_chat_returns_whole_reply(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue("A whole reply.")
    client = make_client(tmp_path, fake_openai.base_url, llm_temperature=0.3, llm_max_tokens=77)
    assert client.chat(MSGS) == "A whole reply."
    (req,) = fake_openai.chat_requests
    assert req.stream is False
    assert req.body["temperature"] == 0.3
    assert req.body["max_tokens"] == 77


def test_empty_stream_yields_nothing(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.empty())
    client = make_client(tmp_path, fake_openai.base_url)
    assert list(client.stream_chat(MSGS)) == []
    assert len(fake_openai.chat_requests) == 1


def test_no_key_uses_placeholder(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue("ok")
    client = make_client(tmp_path, fake_openai.base_url, llm_api_key=None)
    assert client.chat(MSGS) == "ok"
    assert fake_openai.chat_requests[0].headers["Authorization"] == "Bearer not-needed"


# --- the reply cache (rag/replies.py) -------------------------------------------------------------
def test_reply_cache_replays_a_request_already_sent(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.enqueue("First reply [1].", "Whole reply.", "Another reply.")
    cache = tmp_path / "replies"
    client = make_client(tmp_path, fake_openai.base_url, llm_cache_dir=cache)
    assert "".join(client.stream_chat(MSGS)) == "First reply [1]."
    assert client.chat(MSGS) == "Whole reply."  # a whole reply is its own request
    assert len(fake_openai.chat_requests) == 2
    # a new client (a new run) on the same directory: both replayed, the server not asked
    again = make_client(tmp_path, fake_openai.base_url, llm_cache_dir=cache)
    assert list(again.stream_chat(MSGS)) == ["First reply [1]."]
    assert again.chat(MSGS) == "Whole reply."
    assert len(fake_openai.chat_requests) == 2
    assert again.cache is not None and again.cache.counters()[0] == 2
    # other messages or another token budget are another request
    other = [{"role": "user", "content": "hello again"}]
    assert again.chat(other) == "Another reply."
    assert len(fake_openai.chat_requests) == 3


def test_reply_cache_keeps_no_broken_stream(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("A reply that breaks off", after=2), "A whole reply.")
    cache = tmp_path / "replies"
    err, got = fail(make_client(tmp_path, fake_openai.base_url, llm_cache_dir=cache))
    assert err.partial and got
    assert not list(cache.glob("*.json"))
    client = make_client(tmp_path, fake_openai.base_url, llm_cache_dir=cache)
    assert "".join(client.stream_chat(MSGS)) == "A whole reply."


def test_no_reply_cache_by_default(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue("one", "two")
    client = make_client(tmp_path, fake_openai.base_url)
    assert client.cache is None
    assert [client.chat(MSGS), client.chat(MSGS)] == ["one", "two"]


# --- non-retryable failures --------------------------------------------------------------------
def test_401_is_not_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(401), Reply.error(401), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url))
    assert len(fake_openai.chat_requests) == 1
    assert err.status == 401 and not err.retryable
    msg = str(err)
    assert "401" in msg and "API key" in msg and f"127.0.0.1:{fake_openai.port}" in msg


def test_404_names_the_model(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(404, message="model 'test-model' not found"), "never")
    err, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 1
    assert err.status == 404
    assert "test-model" in str(err) and "404" in str(err)


def test_malformed_first_chunk_is_not_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("a b", after=0), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == []
    assert len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err)


def test_malformed_completion(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("x"), "never")
    err, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err)


@pytest.mark.parametrize("stream", [True, False])
def test_web_page_instead_of_api(fake_openai: FakeOpenAI, tmp_path: Path, stream: bool) -> None:
    fake_openai.enqueue(Reply.raw_body("<html>Welcome</html>"), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url), stream=stream)
    assert got == [] and len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err) and "/v1" in str(err)


# --- retried failures --------------------------------------------------------------------------
def test_500_retried_then_gives_up(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(500), Reply.error(500), Reply.error(503), "never")
    err, _ = fail(make_client(tmp_path, fake_openai.base_url, llm_max_retries=2))
    assert len(fake_openai.chat_requests) == 3  # 1 + llm_max_retries
    assert err.status == 503 and err.retryable
    assert "503" in str(err) and "3 attempts" in str(err)


def test_500_then_success(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(500), "recovered")
    client = make_client(tmp_path, fake_openai.base_url)
    assert "".join(client.stream_chat(MSGS)) == "recovered"
    assert len(fake_openai.chat_requests) == 2


def test_zero_retries_means_one_attempt(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(500), "never")
    fail(make_client(tmp_path, fake_openai.base_url, llm_max_retries=0), stream=False)
    assert len(fake_openai.chat_requests) == 1


def test_429_honours_retry_after(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(429, retry_after=1), "after the wait")
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=3.0)
    assert client.chat(MSGS) == "after the wait"
    first, second = fake_openai.chat_requests
    assert second.at - first.at >= 0.95  # the server's wait was honoured, not the backoff


def test_429_with_too_long_retry_after_fails_now(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(429, retry_after=120), "never")
    err, _ = fail(make_client(tmp_path, fake_openai.base_url))
    assert len(fake_openai.chat_requests) == 1  # no second attempt: it would have to wait 120 s
    assert err.status == 429 and "120" in str(err)


def test_stream_cut_after_text_raises_partial(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("one two three four", after=2), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == ["one ", "two "]
    assert err.partial
    assert len(fake_openai.chat_requests) == 1  # text was shown: not silently re-sent
    assert "broke" in str(err)


def test_malformed_chunk_after_text_raises_partial(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("one two three", after=1), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == ["one "]
    assert err.partial and len(fake_openai.chat_requests) == 1


def test_stream_cut_before_text_is_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("x y", after=0), "fine now")
    client = make_client(tmp_path, fake_openai.base_url)
    assert "".join(client.stream_chat(MSGS)) == "fine now"
    assert len(fake_openai.chat_requests) == 2


def test_cut_completion_is_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("x", after=0), Reply.cut("x", after=0), Reply.cut("x", after=0))
    err, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 3
    assert "closed before the reply was complete" in str(err)


def test_timeout_is_retried_and_bounded(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(*[Reply.slow(10) for _ in range(3)])
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=0.5, llm_max_retries=1)
    err, _ = fail(client)
    assert len(fake_openai.chat_requests) == 2  # 1 + llm_max_retries, then it stops
    assert "0.5 s" in str(err) and "RAG_LLM_TIMEOUT" in str(err)


def test_stalled_stream_after_text_times_out(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply(text="first then nothing", chunk_delay=10), "never")
    err, got = fail(make_client(tmp_path, fake_openai.base_url, llm_timeout=0.5))
    assert got == ["first "]
    assert err.partial and "0.5 s" in str(err) and "RAG_LLM_TIMEOUT" in str(err)
    assert len(fake_openai.chat_requests) == 1


def test_dns_failure(tmp_path: Path) -> None:
    client = make_client(tmp_path, "http://no-such-host.invalid/v1", llm_max_retries=0)
    err, _ = fail(client, stream=False)
    assert "no-such-host.invalid" in str(err)


# --- the whole call has a deadline (issue #13, item 1) -----------------------------------------
# pytest-timeout is the hang guard: before the deadline existed these calls never returned.
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "reply",
    [Reply.trickle("one two"), Reply.keepalive("one two"), Reply.keepalive("")],
    ids=["trickling-tokens", "keepalive-after-text", "keepalive-only"],
)
def test_never_ending_stream_stops_at_the_deadline(
    fake_openai: FakeOpenAI, tmp_path: Path, reply: Reply
) -> None:
    fake_openai.enqueue(reply, "never")
    # llm_timeout far above the deadline: only the deadline may end the call, even when a busy
    # machine stalls the server thread for a while
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=30, llm_deadline=1.5)
    err, got = fail(client)
    assert "1.5 s" in str(err) and "RAG_LLM_DEADLINE" in str(err)
    assert err.partial == bool(got)  # text already shown: the caller must replace it
    assert got[:2] == (["one ", "two"] if reply.text else [])
    assert set(got[2:]) <= {reply.forever_token}
    assert len(fake_openai.chat_requests) == 1  # past the deadline nothing is retried
    assert fake_openai.hung_up.wait(10), "the client kept the connection open"


@pytest.mark.timeout(60)
def test_never_ending_completion_stops_at_the_deadline(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.enqueue(Reply.trickle(), "never")
    # llm_timeout far above the deadline: only the deadline may end the call, even when a busy
    # machine stalls the server thread for a while
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=30, llm_deadline=1.5)
    err, _ = fail(client, stream=False)
    assert "RAG_LLM_DEADLINE" in str(err) and len(fake_openai.chat_requests) == 1
    assert fake_openai.hung_up.wait(10)


def test_deadline_leaves_a_normal_stream_alone(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply(text="a b c d", chunk_delay=0.05))
    client = make_client(tmp_path, fake_openai.base_url, llm_deadline=30)
    assert "".join(client.stream_chat(MSGS)) == "a b c d"


# --- a refused connection fails fast and marks the endpoint down (item 13) ----------------------
def _connects(caplog: pytest.LogCaptureFixture) -> int:
    """TCP connection attempts, from httpcore's own trace records."""
    return sum("connect_tcp.started" in r.getMessage() for r in caplog.records)


def test_connection_refused_fails_fast_and_marks_the_endpoint_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG, logger="httpcore")
    caplog.set_level(logging.DEBUG, logger="rag")  # the handler level follows the last call
    port = free_port()
    settings = make_settings(tmp_path, f"http://127.0.0.1:{port}/v1", llm_max_retries=2)
    client = LLMClient(settings, backoff_base=0.01)
    assert endpoint_status(settings) is None
    err, _ = fail(client)
    assert f"connection refused at 127.0.0.1:{port}" in str(err) and "RAG_LLM_BASE_URL" in str(err)
    assert _connects(caplog) == 1  # not retried: llm_max_retries=2 would have made it 3
    assert not [r for r in caplog.records if "retry" in r.getMessage()]
    status = endpoint_status(settings)
    assert status is not None and f"127.0.0.1:{port}" in status
    assert f"retrying in {llm.DOWN_FOR_S:g} s" in status

    err, _ = fail(client, stream=False)  # while marked down: no network at all
    assert "marked down" in str(err) and _connects(caplog) == 1
    monkeypatch.setattr(llm, "DOWN_FOR_S", 0.0)
    llm._mark_down(client.endpoint, "refused")  # a mark that has already run out
    assert endpoint_status(settings) is None
    fail(client)
    assert _connects(caplog) == 2  # tried again once the mark ran out


def test_messages_name_the_variable_that_was_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    err, _ = fail(LLMClient(Settings(home=tmp_path, llm_model="m")))  # type: ignore[call-arg]
    msg = str(err)
    assert "OPENAI_BASE_URL" in msg and "RAG_LLM_BASE_URL" not in msg, msg
    assert f"{url} " in msg  # never "URL)" or "URL;": Markdown autolinks swallow an escaped "\\)"


def test_key_inside_the_base_url_never_reaches_a_log(
    fake_openai: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("", "rag", "openai", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    user_key, query_key = "sk-in-userinfo-7a6b5c", "QUERYKEY-4d3e2f1a"
    url = f"http://me:{user_key}@127.0.0.1:{fake_openai.port}/v1?api-key={query_key}"
    fake_openai.enqueue("fine", Reply.error(500, message="boom"), Reply.error(500))
    client = make_client(tmp_path, url, llm_max_retries=1)
    assert client.chat(MSGS) == "fine"
    fail(client)
    req = fake_openai.chat_requests[0]
    assert req.route == "/v1/chat/completions" and f"api-key={query_key}" in req.path  # still sent
    assert "HTTP Request" in caplog.text  # httpx logged the request line, without the secrets
    for secret in (user_key, query_key):
        assert secret not in caplog.text


# --- key hygiene -------------------------------------------------------------------------------
def test_planted_key_never_leaks(
    fake_openai: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("", "rag", "openai", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake_openai.enqueue(
        Reply.error(401, message=f"Incorrect API key provided: {PLANTED}"),
        Reply.error(404, message=f"no model for key {PLANTED}"),
        Reply.error(500, message=f"boom {PLANTED}"),
        Reply.error(500),
        Reply.cut("a b c", after=1),
        Reply.malformed("a b", after=0),
        Reply.slow(5),
    )
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=0.5, llm_max_retries=1)
    errors: list[LLMError] = []
    for stream in (True, False, True, True, True, False):
        errors.append(fail(client, stream=stream)[0])
    refused = make_client(tmp_path, f"http://127.0.0.1:{free_port()}/v1", llm_max_retries=0)
    errors.append(fail(refused)[0])

    texts = [repr(client), client.describe(), caplog.text]
    for e in errors:
        texts += [str(e), repr(e), "".join(traceback.format_exception(e))]
    blob = "\n".join(texts)
    assert PLANTED not in blob
    assert "PLANTED" not in blob
    assert "Incorrect API key provided" in blob  # the server's words are kept, the key is not


def test_describe_hides_credentials(tmp_path: Path) -> None:
    client = make_client(tmp_path, "http://user:hunter2@llm.example.org:8080/v1?key=abc")
    assert client.describe() == "test-model @ llm.example.org:8080"
    assert "hunter2" not in repr(client)
    default = make_client(tmp_path, None)  # type: ignore[arg-type]
    assert default.describe() == "test-model @ api.openai.com"


# --- construction and caching ------------------------------------------------------------------
def test_no_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="RAG_LLM_MODEL"):
        LLMClient(Settings(home=tmp_path))  # type: ignore[call-arg]


def test_get_client_is_cached_per_settings(tmp_path: Path) -> None:
    a = get_client(make_settings(tmp_path, "http://127.0.0.1:9/v1"))
    b = get_client(make_settings(tmp_path, "http://127.0.0.1:9/v1"))
    c = get_client(make_settings(tmp_path, "http://127.0.0.1:9/v1", llm_model="other"))
    d = get_client(make_settings(tmp_path, "http://127.0.0.1:9/v1", llm_api_key="sk-other-key"))
    assert a is b
    assert c is not a and d is not a


def test_retry_after_parsing() -> None:
    import httpx

    assert _retry_after(httpx.Headers({"Retry-After": "2"})) == 2.0
    assert _retry_after(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert _retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Headers({})) is None
    date = _retry_after(httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert date == 0.0  # in the past


def test_fake_embeddings_are_deterministic(fake_openai: FakeOpenAI) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=fake_openai.base_url, api_key="x", max_retries=0)
    one = client.embeddings.create(model="e", input=["alpha", "beta"])
    two = client.embeddings.create(model="e", input="alpha")
    assert len(one.data) == 2 and len(one.data[0].embedding) == fake_openai.embedding_dim
    assert one.data[0].embedding == two.data[0].embedding
    assert one.data[0].embedding != one.data[1].embedding
    assert fake_openai.chat_requests == [] and len(fake_openai.embedding_requests) == 2
