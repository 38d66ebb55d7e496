#!/usr/bin/env bash
# The main job: install, ingest the seed abstracts, open the chat (http://127.0.0.1:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/rag ingest seeds/
exec .venv/bin/rag ui "$@"
