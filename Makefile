# Evaluation shortcuts. `make eval` = the seed questions (answers + retrieval) and SciFact train
# (retrieval only, BEIR), then one summary table. SciFact's first ingest embeds ~5k abstracts, so
# the first run is slow; later runs reuse its store under $RAG_HOME.
PY      ?= .venv/bin/python
RAG     ?= $(PY) -m rag.cli
REPORTS ?= eval/reports
SCIFACT ?= ../shared/data/scifact

.PHONY: eval eval-seed eval-scifact eval-gate eval-llm

eval: eval-seed eval-scifact
	@echo
	@$(RAG) eval summary --out $(REPORTS) --beir $(REPORTS)/scifact-train.json

eval-seed:
	$(RAG) eval run --out $(REPORTS)

eval-scifact:
	@mkdir -p $(REPORTS)
	$(RAG) eval beir $(SCIFACT) --split train --json > $(REPORTS)/scifact-train.json.tmp
	@mv $(REPORTS)/scifact-train.json.tmp $(REPORTS)/scifact-train.json

eval-gate:
	$(RAG) eval run --out $(REPORTS) --gate

# The seed questions through the extractive and the LLM answerer, side by side (with seconds per
# answer). Uses RAG_LLM_MODEL's endpoint if set, else starts the local model (`rag llm setup`
# first). Hours on 2 cores for the whole set: SPLIT=tune|test, TYPE=factoid, LIMIT=20 pick a part;
# RESUME=1 continues an interrupted run; CACHE=DIR replays replies already stored there.
eval-llm:
	nice $(RAG) eval run --llm --out $(REPORTS) $(if $(SPLIT),--split $(SPLIT)) \
		$(if $(TYPE),--type $(TYPE)) $(if $(LIMIT),--limit $(LIMIT)) $(if $(RESUME),--resume) \
		$(if $(CACHE),--llm-cache $(CACHE))
