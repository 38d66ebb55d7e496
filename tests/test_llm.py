"""rag.llm against the scripted fake server: streaming, every failure mode, retries, key hygiene."""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, fake_openai_fixture, free_port  # noqa: F401

from rag.llm import LLMClient, LLMError, _retry_after, get_client
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


def fail(client: LLMClient, *, stream: bool = True) -> tuple[LLMError, list[str], float]:
    """Run one call that must fail; return the error, the text seen before it, and seconds."""
    got: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(LLMError) as info:
        if stream:
            for delta in client.stream_chat(MSGS):
                got.append(delta)
        else:
            client.chat(MSGS)
    return info.value, got, time.monotonic() - t0


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


# --- non-retryable failures --------------------------------------------------------------------
def test_401_is_not_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(401), Reply.error(401), "never")
    err, got, _ = fail(make_client(tmp_path, fake_openai.base_url))
    assert len(fake_openai.chat_requests) == 1
    assert err.status == 401 and not err.retryable
    msg = str(err)
    assert "401" in msg and "API key" in msg and f"127.0.0.1:{fake_openai.port}" in msg


def test_404_names_the_model(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(404, message="model 'test-model' not found"), "never")
    err, _, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 1
    assert err.status == 404
    assert "test-model" in str(err) and "404" in str(err)


def test_malformed_first_chunk_is_not_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("a b", after=0), "never")
    err, got, _ = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == []
    assert len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err)


def test_malformed_completion(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("x"), "never")
    err, _, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err)


@pytest.mark.parametrize("stream", [True, False])
def test_web_page_instead_of_api(fake_openai: FakeOpenAI, tmp_path: Path, stream: bool) -> None:
    fake_openai.enqueue(Reply.raw_body("<html>Welcome</html>"), "never")
    err, got, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=stream)
    assert got == [] and len(fake_openai.chat_requests) == 1
    assert "malformed" in str(err) and "/v1" in str(err)


# --- retried failures --------------------------------------------------------------------------
def test_500_retried_then_gives_up(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(500), Reply.error(500), Reply.error(503), "never")
    err, _, secs = fail(make_client(tmp_path, fake_openai.base_url, llm_max_retries=2))
    assert len(fake_openai.chat_requests) == 3  # 1 + llm_max_retries
    assert err.status == 503 and err.retryable
    assert "503" in str(err) and "3 attempts" in str(err)
    assert secs < 5


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
    t0 = time.monotonic()
    assert client.chat(MSGS) == "after the wait"
    first, second = fake_openai.chat_requests
    assert second.at - first.at >= 0.95
    assert time.monotonic() - t0 < 3.0


def test_429_with_too_long_retry_after_fails_now(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.error(429, retry_after=120), "never")
    err, _, secs = fail(make_client(tmp_path, fake_openai.base_url))
    assert len(fake_openai.chat_requests) == 1
    assert secs < 1.0
    assert err.status == 429 and "120" in str(err)


def test_stream_cut_after_text_raises_partial(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("one two three four", after=2), "never")
    err, got, _ = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == ["one ", "two "]
    assert err.partial
    assert len(fake_openai.chat_requests) == 1  # text was shown: not silently re-sent
    assert "broke" in str(err)


def test_malformed_chunk_after_text_raises_partial(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.malformed("one two three", after=1), "never")
    err, got, _ = fail(make_client(tmp_path, fake_openai.base_url))
    assert got == ["one "]
    assert err.partial and len(fake_openai.chat_requests) == 1


def test_stream_cut_before_text_is_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("x y", after=0), "fine now")
    client = make_client(tmp_path, fake_openai.base_url)
    assert "".join(client.stream_chat(MSGS)) == "fine now"
    assert len(fake_openai.chat_requests) == 2


def test_cut_completion_is_retried(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply.cut("x", after=0), Reply.cut("x", after=0), Reply.cut("x", after=0))
    err, _, _ = fail(make_client(tmp_path, fake_openai.base_url), stream=False)
    assert len(fake_openai.chat_requests) == 3
    assert "closed before the reply was complete" in str(err)


def test_timeout_is_retried_and_bounded(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(*[Reply.slow(10) for _ in range(3)])
    client = make_client(tmp_path, fake_openai.base_url, llm_timeout=0.5, llm_max_retries=1)
    err, _, secs = fail(client)
    assert len(fake_openai.chat_requests) == 2
    assert "0.5 s" in str(err) and "RAG_LLM_TIMEOUT" in str(err)
    assert secs < 0.5 * 2 + 1.0  # total budget: timeout x attempts (+ slack for a busy machine)


def test_stalled_stream_after_text_times_out(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.enqueue(Reply(text="first then nothing", chunk_delay=10), "never")
    err, got, secs = fail(make_client(tmp_path, fake_openai.base_url, llm_timeout=0.5))
    assert got == ["first "]
    assert err.partial and secs < 2.0
    assert len(fake_openai.chat_requests) == 1


def test_connection_refused(tmp_path: Path) -> None:
    client = make_client(tmp_path, f"http://127.0.0.1:{free_port()}/v1", llm_max_retries=1)
    err, _, secs = fail(client)
    assert "refused" in str(err) and "RAG_LLM_BASE_URL" in str(err)
    assert "2 attempts" in str(err) and secs < 3


def test_dns_failure(tmp_path: Path) -> None:
    client = make_client(tmp_path, "http://no-such-host.invalid/v1", llm_max_retries=0)
    err, _, secs = fail(client, stream=False)
    assert "no-such-host.invalid" in str(err)
    assert secs < 5


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
