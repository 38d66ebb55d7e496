"""The Streamlit front end: `ui/app.py` (entry, navigation), `ui/views/` (the Chat and Library
pages, layout only) and `ui/widgets/` (everything that calls `st.*`). The logic they show lives
in `rag/` (`rag.display`, `rag.markup`, `rag.overview`, `rag.export`, `rag.upload`)."""
