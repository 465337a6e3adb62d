"""Gespreksspiegel pipeline: audio in → transcript → speakers and roles → tags → DuckDB."""
