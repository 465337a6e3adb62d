"""Download buttons for sharing one session: the report (PDF, HTML, Markdown) and its data (CSV, JSON).

The report is made by running `spiegel report` (the same command, options and code as on the command line,
so the downloaded file is the file the command writes); the dashboard does not import the report package
(tests/architecture/test_layers.py). The data files come from `store.export`, the same writer as
`spiegel export --session`. Every file is made only when its button is clicked (Streamlit calls the
function then), so opening a page never prints a PDF or loads the pseudonymiser. In team mode each file is
made only after `store.access` says the member may read the session (the pages check it too; this is the
store's own check at the moment the file is made).
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
from pathlib import Path

import streamlit as st

from core.errors import UserError
from dashboard import auth, data
from dashboard.i18n import current_lang, t
from store import access
from store.export import session_csv, session_json

ROOT = Path(__file__).resolve().parent.parent
MIME = {
    "pdf": "application/pdf",
    "html": "text/html",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
}
#: The longest a report may take: printing a PDF of a long session, plus loading the pseudonymiser.
REPORT_TIMEOUT_S = 300


def report_bytes(session_id: str, fmt: str, lang: str, pseudonymize: bool) -> bytes:
    """The report as `spiegel report SESSION --format FMT` writes it (same database, key and language)."""
    member = auth.viewer()
    if member is not None:  # team mode: the store says first whether this member may read the session
        with data.reader(str(data.db_path())) as con:
            if not access.visible(con, member, session_id):
                hidden = access.NotVisible(session_id).message(lang)
                raise UserError("share.failed", reason=hidden).in_lang(lang)
    with tempfile.TemporaryDirectory(prefix="spiegel-share-") as tmp:
        out = Path(tmp) / f"verslag.{fmt}"
        command = [sys.executable, "-m", "cli", "report", session_id, "--db", str(data.db_path())]
        command += ["--format", fmt, "--out", str(out), "--lang", lang]
        command += ["--pseudonymize"] if pseudonymize else []
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=REPORT_TIMEOUT_S, check=False
        )
        if done.returncode != 0 or not out.exists():
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise UserError("share.failed", reason=lines[-1] if lines else done.returncode).in_lang(lang)
        return out.read_bytes()


def data_bytes(session_id: str, fmt: str, pseudonymize: bool) -> bytes:
    """The session's utterances and tags as CSV, or the whole session as our JSON (what `import` reads)."""
    with data.reader(str(data.db_path())) as con:
        session = access.session_record(con, auth.viewer(), session_id)
    if session is None:
        raise access.NotVisible(session_id)
    if pseudonymize:
        from tagger.pseudonymize import Pseudonymizer, pseudonymize_session

        session = pseudonymize_session(session, Pseudonymizer())
    return session_csv(session) if fmt == "csv" else session_json(session)


def share_section(session_id: str) -> None:
    """The 'Share' block: a pseudonymise switch and one download button per file."""
    lang = current_lang()
    st.subheader(t("share.title"))
    pseudonymize = st.toggle(
        t("share.pseudonymize"), key=f"share_pseudo_{session_id}", help=t("share.pseudonymize_help")
    )
    stem = "gedeeld" if pseudonymize else session_id
    files = [
        (fmt, f"verslag-{stem}.{fmt}", functools.partial(report_bytes, session_id, fmt, lang, pseudonymize))
        for fmt in ("pdf", "html", "md")
    ]
    files += [
        (fmt, f"gesprek-{stem}.{fmt}", functools.partial(data_bytes, session_id, fmt, pseudonymize))
        for fmt in ("csv", "json")
    ]
    for heading, row in ((t("share.report"), files[:3]), (t("share.data"), files[3:])):
        st.caption(heading)
        for column, (fmt, name, make) in zip(st.columns(3), row, strict=False):
            column.download_button(
                t(f"share.download_{fmt}"),
                data=make,
                file_name=name,
                mime=MIME[fmt],
                on_click="ignore",
                icon=":material/download:",
                key=f"share_{fmt}_{session_id}_{int(pseudonymize)}",
                width="stretch",
            )
