"""`--pseudonymize` for `spiegel export` and `spiegel report`: one placeholder table per export or report.

Sessions are read as records, passed through `tagger.pseudonymize` (deduce for Dutch, our rules for English),
and written through the normal export or report code, so the shared files have the same shape as the real ones.
"""

from __future__ import annotations

from pathlib import Path

from cli.lang import say


def export_pseudonymized(db: Path | None, fmt: str, out: Path) -> list[Path]:
    from store.export import export_sessions, load_all_sessions
    from tagger.pseudonymize import Pseudonymizer, pseudonymize_session

    sessions = load_all_sessions(db)
    say("cli.pseudonymising")
    table = Pseudonymizer()
    return export_sessions([pseudonymize_session(s, table) for s in sessions], fmt, out)
