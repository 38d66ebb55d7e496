"""How much of each abstract a one-node-per-abstract index (llama-index's default for short
documents) never shows MiniLM, whose input stops at 256 word pieces. Our chunks (200 tiktoken
tokens, title included) stay under it, so this is the text the plain llama-index baseline skips.

Usage: .venv/bin/python bench/truncation.py [--corpus PATH] [--every N]   (every N-th record)
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import rag  # noqa: F401  (offline switches before transformers loads)
from rag.embedding import packaged_model_dir

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 256  # all-MiniLM-L6-v2 max_seq_length


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--corpus", default=str(ROOT.parent / "shared/data/acl-anthology/corpus.jsonl.gz")
    )
    ap.add_argument("--every", type=int, default=10)
    args = ap.parse_args()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(packaged_model_dir()))
    tok.model_max_length = 10**6  # we are counting, not encoding
    opener = gzip.open if args.corpus.endswith(".gz") else open
    n = over = cut = total = 0
    with opener(args.corpus, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % args.every:
                continue
            rec = json.loads(line)
            # llama-index's default embed text for a Document with a title in its metadata
            text = f"title: {rec.get('title', '')}\n\n{rec.get('abstract', '')}"
            k = len(tok(text)["input_ids"])
            n += 1
            over += k > LIMIT
            total += k
            cut += max(0, k - LIMIT)
    print(
        json.dumps(
            {
                "abstracts": n,
                "over_limit_share": round(over / n, 4),
                "word_pieces_cut_share": round(cut / total, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
