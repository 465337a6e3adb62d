"""Recordings and transcripts added in the dashboard, run through the real `spiegel` command in the background.

The upload page hands each file to `Queue.add`; one worker thread runs them one at a time as
`python -m cli process FILE ...` or `python -m cli import FILE ...` (the dashboard may not import the
pipeline: tests/architecture/test_layers.py), so a file added here is stored exactly as the command line
stores it, with the same checks and the same one-sentence reason when it cannot be used. One at a time
because the machine's cores are what the speech model needs; a second Whisper beside the first only makes
both slower.

The page stays usable because nothing here runs in the page's script: the worker reads the command's
progress bar (tqdm's "42%|" on stderr) into the job, and the page only reads the jobs. The queue lives as
long as the dashboard server (`st.cache_resource` in the page), so leaving the page or opening another
session does not stop a file in progress.

Privacy: the uploaded bytes are written to a private temporary folder (0700) under their own file name
(the name is what the session shows as its source) and removed as soon as the command has finished;
nothing of a file's content or of the command's output goes to the log.

Team mode: the queue is one per database, shared by every browser tab, so each job keeps the member who
added it (`viewer`); the page lists only that member's jobs, and a stored job gets its audit row
(store/access.py `record_upload`) with the member's login and the session id.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from store import access
from store.team import Viewer

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent

#: What `spiegel import` reads (pipeline/importers.py TRANSCRIPT_EXTENSIONS); everything else goes to
#: `spiegel process`, which says in one sentence when a file is not audio.
TRANSCRIPT_SUFFIXES = frozenset({".txt", ".text", ".md", ".vtt", ".srt", ".json"})

_PERCENT = re.compile(rb"(\d{1,3})%\|")
_SESSION_ID = re.compile(r"\b([0-9a-f]{12})\b")


@dataclass
class Job:
    """One uploaded file on its way into the database; the page shows these fields, nothing else."""

    name: str
    kind: str  # "audio" | "transcript"
    practitioner: str | None = None
    client_code: str | None = None
    recorded_at: str | None = None  # ISO date, as `--recorded-at` takes it
    language: str = "nl"  # of the conversation (`--language`)
    ui_lang: str = "nl"  # of the page that added it: the command's messages in that language where it can
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "waiting"  # waiting | running | stored | failed
    fraction: float = 0.0  # of the recording transcribed (audio only)
    message: str | None = None  # the command's own sentence when the file failed
    session_id: str | None = None
    sha256: str = ""
    folder: Path | None = None
    viewer: Viewer | None = None  # the team member who added it (None: single-user mode)

    @property
    def path(self) -> Path:
        assert self.folder is not None
        return self.folder / self.name

    @property
    def done(self) -> bool:
        return self.state in ("stored", "failed")


def _same(a: Viewer | None, b: Viewer) -> bool:
    return a is not None and a.username == b.username


def kind_of(name: str) -> str:
    return "transcript" if Path(name).suffix.lower() in TRANSCRIPT_SUFFIXES else "audio"


def safe_name(name: str) -> str:
    """The file's own name without any folder part (an upload cannot write outside its folder)."""
    base = Path(name.replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "upload"


def command(job: Job, db: Path) -> list[str]:
    """The `spiegel` command line for one job (the same options as typed in a terminal)."""
    verb = "import" if job.kind == "transcript" else "process"
    line = [sys.executable, "-m", "cli", verb, str(job.path), "--db", str(db), "--language", job.language]
    if job.practitioner:
        line += ["--practitioner", job.practitioner]
    if job.client_code:
        line += ["--client", job.client_code]
    if job.recorded_at:
        line += ["--recorded-at", job.recorded_at]
    return line


def failure_sentence(stderr: str) -> str:
    """The command's one-sentence reason: its last line that is not a progress bar."""
    lines = [
        line.strip()
        for line in re.split(r"[\r\n]+", stderr)
        if line.strip() and not re.search(r"\d%\|", line) and not line.startswith("[")
    ]
    return lines[-1] if lines else ""


class Queue:
    """Jobs in the order they were added, run one at a time by one worker thread."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._jobs: list[Job] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._proc: subprocess.Popen | None = None
        self._worker = threading.Thread(target=self._run, name="spiegel-uploads", daemon=True)
        self._worker.start()
        atexit.register(self.close)

    def close(self) -> None:
        """When the dashboard stops: stop the file in progress (its command stores nothing half-written) and
        remove every uploaded file still waiting, so no recording stays behind in the temporary folder."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        for job in self.jobs():
            if job.folder is not None:
                shutil.rmtree(job.folder, ignore_errors=True)

    # ------------------------------------------------------------------------------------------ page side
    def add(self, name: str, content: bytes, viewer: Viewer | None = None, **meta: str | None) -> Job:
        """Keep the bytes in a private folder and queue the file; returns at once."""
        name = safe_name(name)
        folder = Path(tempfile.mkdtemp(prefix="spiegel-upload-"))  # mode 0700
        job = Job(name=name, kind=kind_of(name), folder=folder, viewer=viewer, **meta)  # type: ignore[arg-type]
        job.path.write_bytes(content)
        job.sha256 = hashlib.sha256(content).hexdigest()
        with self._wake:
            self._jobs.append(job)
            self._wake.notify()
        log.info("upload queued: job %s (%s, %d bytes)", job.id[:8], job.kind, len(content))
        return job

    def jobs(self, viewer: Viewer | None = None) -> list[Job]:
        """Every job in single-user mode; a team member's own jobs only (`viewer` given)."""
        with self._lock:
            return [job for job in self._jobs if viewer is None or _same(job.viewer, viewer)]

    def busy(self, viewer: Viewer | None = None) -> bool:
        return any(not job.done for job in self.jobs(viewer))

    def clear_done(self, viewer: Viewer | None = None) -> None:
        with self._lock:
            self._jobs = [
                job
                for job in self._jobs
                if not job.done or (viewer is not None and not _same(job.viewer, viewer))
            ]

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until every job is done (tests); False on timeout."""
        with self._wake:
            return self._wake.wait_for(lambda: all(job.done for job in self._jobs), timeout=timeout_s)

    # ---------------------------------------------------------------------------------------- worker side
    def _next(self) -> Job:
        with self._wake:
            while True:
                for job in self._jobs:
                    if job.state == "waiting":
                        job.state = "running"
                        return job
                self._wake.wait()

    def _run(self) -> None:
        while True:
            job = self._next()
            try:
                self._run_one(job)
            except Exception as error:  # a bug here must not stop the queue
                log.debug("upload job failed unexpectedly", exc_info=error)
                job.message = job.message or f"{job.name}: {type(error).__name__}"
                job.state = "failed"
            finally:
                if job.folder is not None:
                    shutil.rmtree(job.folder, ignore_errors=True)
                with self._wake:
                    self._wake.notify_all()

    def _run_one(self, job: Job) -> None:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env["SPIEGEL_LANG"] = job.ui_lang
        proc = self._proc = subprocess.Popen(
            command(job, self.db),
            cwd=str(REPO),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None
        seen = bytearray()
        while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
            seen += chunk
            found = _PERCENT.findall(bytes(seen[-400:]))
            if found:
                job.fraction = min(1.0, int(found[-1]) / 100)
        code = proc.wait()
        stderr = seen.decode("utf-8", errors="replace")
        if code == 0:
            job.session_id = self._stored_id(job, stderr)
            access.record_upload(self.db, job.viewer, job.session_id, job.kind)
            job.fraction = 1.0
            job.state = "stored"
        else:
            job.message = failure_sentence(stderr) or f"{job.name}: exit {code}"
            job.state = "failed"
        log.info("upload job %s: %s (exit %d)", job.id[:8], job.state, code)

    def _stored_id(self, job: Job, stderr: str) -> str | None:
        """The stored session: found by the file's SHA-256 (how the store knows a recording), else the id the
        command printed (a session JSON keeps its recording's SHA-256, not the file's)."""
        from store import connect
        from store.sessions import find_session_by_sha

        ids = _SESSION_ID.findall(stderr)
        printed = ids[-1] if ids else None
        with contextlib.suppress(Exception), connect(self.db, read_only=True) as con:
            found = find_session_by_sha(con, job.sha256) or printed
            if found and job.viewer is not None and not access.visible(con, job.viewer, found):
                return None  # stored before under another practitioner: not this member's to open
            return found
        return printed if job.viewer is None else None  # a team member's id is given only once checked
