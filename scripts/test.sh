#!/usr/bin/env bash
# The tests: install (incl. Debian's chromium for the browser test when running as root), lint,
# the local model for the real-LLM tests, the pytest suite, then the eval gate on the seed questions (extractive answerer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "rag: installing chromium for the browser test" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
    || echo "rag: chromium install failed; the browser test will be skipped" >&2
fi
.venv/bin/ruff check rag ui tests bench eval
.venv/bin/ruff format --check rag ui tests bench eval
# the real-model tests (-m real_llm) need llama.cpp's llama-server and the 0.5B model: built once
# into RAG_LLM_HOME (default ~/.cache/rag/llm) and reused; the first build takes ~15 CPU-minutes
if [ "${RAG_SKIP_REAL_LLM:-}" != 1 ] || [ -n "${CI:-}" ]; then
  .venv/bin/rag llm setup --model small
fi
.venv/bin/python -m pytest -q "$@"
if .venv/bin/rag eval run --help >/dev/null 2>&1; then
  RAG_HOME=$(mktemp -d) .venv/bin/rag eval run --gate ci --out "$(mktemp -d)"
fi
