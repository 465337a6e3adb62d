"""Transcripts in batches: `spiegel import FILES_OR_FOLDERS`.

Per batch of files: one read-only look at which are stored already (by SHA-256), then parsing and tagging
(the tagger is built once per run), then one write transaction for the whole batch with the rows inserted as
Arrow tables (`store.save_sessions`). Per-file connections, schema runs and row-by-row inserts were what made
imports ten times slower than the tagger itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import store
from core.errors import UserError
from core.records import Session
from core.texts import user_text
from pipeline.audio import check_readable, file_sha256
from pipeline.importers import check_transcript_size, read_transcript
from pipeline.process import (
    Outcome,
    ProcessOptions,
    _save,
    _unexpected,
    resume_session,
    session_record_in,
    transcript_from_file,
)

log = logging.getLogger(__name__)

#: Transcripts stored per write transaction by `import_transcripts`: one connection, one commit per batch.
IMPORT_BATCH = 50


def _source_sha(path: Path) -> tuple[Session | None, str]:
    record = session_record_in(path)
    return record, record.source_sha256 if record else file_sha256(path)


def import_transcripts(
    paths: Sequence[Path], options: ProcessOptions, batch: int = IMPORT_BATCH
) -> list[Outcome]:
    """Import transcripts in batches: per batch one read (already stored?), then tagging, then one write.

    The tagger is loaded once for the whole run (cached). A batch is stored in one transaction; when that
    write fails, its sessions are stored one by one, so one bad session never costs the others.
    """
    outcomes: list[Outcome] = []
    for first in range(0, len(paths), batch):
        outcomes.extend(_import_batch(paths[first : first + batch], options))
    return outcomes


def _import_batch(paths: Sequence[Path], options: ProcessOptions) -> list[Outcome]:
    outcomes: dict[int, Outcome] = {}
    started: dict[int, float] = {}
    pending: list[tuple[int, Path, Session | None, str]] = []
    for n, path in enumerate(paths):
        started[n] = time.perf_counter()
        try:
            if path.is_file():
                check_readable(path)
                check_transcript_size(path)
                record, sha = _source_sha(path)
                pending.append((n, path, record, sha))
            else:
                read_transcript(path)  # names the problem (missing, a folder) in one sentence
        except UserError as error:
            outcomes[n] = Outcome(path, None, False, error=str(error))
        except Exception as error:
            outcomes[n] = _unexpected(path, error, started[n])
    db_path = store.resolve_db_path(options.db)
    known: dict[str, str] = {}
    if pending and db_path.exists():
        try:
            with store.connect(db_path, read_only=True, wait_s=5.0) as con:
                known = store.find_sessions_by_sha(con, [sha for *_, sha in pending])
        except store.DatabaseBusy:  # a long writer: the duplicate check is repeated when saving
            log.warning(user_text("log.db.busy_stored"))
    ready: list[tuple[int, Path, Session]] = []
    for n, path, record, sha in pending:
        if sha in known:
            outcomes[n] = Outcome(path, known[sha], created=False, seconds=time.perf_counter() - started[n])
            continue
        try:
            ready.append(
                (n, path, resume_session(record, options) if record else transcript_from_file(path, options))
            )
        except UserError as error:
            outcomes[n] = Outcome(
                path, None, False, error=str(error), seconds=time.perf_counter() - started[n]
            )
        except Exception as error:
            outcomes[n] = _unexpected(path, error, started[n])
    if ready:
        try:
            with store.connect(options.db) as con:
                saved = store.save_sessions(con, [session for _, _, session in ready])
        except Exception as error:  # one session spoils the batch: store them one by one
            log.debug("batch write failed, storing one by one", exc_info=error)
            saved = None
        for i, (n, path, session) in enumerate(ready):
            if saved is not None:
                session_id, created = saved[i]
                outcomes[n] = Outcome(path, session_id, created, seconds=time.perf_counter() - started[n])
                continue
            try:
                session_id, created = _save(options, session)
                outcomes[n] = Outcome(path, session_id, created, seconds=time.perf_counter() - started[n])
            except UserError as error:
                outcomes[n] = Outcome(path, None, False, error=str(error))
            except Exception as error:
                outcomes[n] = _unexpected(path, error, started[n])
    return [outcomes[n] for n in range(len(paths))]
