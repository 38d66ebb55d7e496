#!/usr/bin/env bash
# Create .venv in the repository root and install rag with its pinned dependencies (idempotent:
# re-runs only when pyproject.toml changed). Needs Python 3.11+ and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rag needs Python >= 3.11")'
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.rag-installed
want=$(sha1sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "rag: installing into .venv (first time: a few minutes)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2 || true
  # torch is pinned to the CPU wheel; an unpinned torch would pull a multi-GB CUDA build
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' >&2
  echo "$want" > "$stamp"
fi
# the embedding model as ONNX graphs (fp32, int8), built once from the packaged weights and cached
# under RAG_MODEL_CACHE (default ~/.cache/rag): queries then never load torch. Verifies checksums
# and returns at once when they are already there.
.venv/bin/python -m rag.onnx_graph >/dev/null
