"""Gespreksspiegel pipeline stages: decode → transcribe → diarize → speakers → roles → tag → store.

Imports `core`, `tagger`, `models` and `store`; never `dashboard`, `report` or `cli`. The one exception is
`pipeline/__main__.py`, the `python -m pipeline` entry point, which runs the `spiegel` command (`cli.main`).
"""
