"""The Frog program as a long-lived child process: start-up, one sentence a line in, one JSON line out.

Frog is GPL-3, so it runs as a separate program and is never linked (see `tagger/frog.py`). It takes seconds to
start, so one process per settings serves the whole run (`shared_process`) and ends when the interpreter
exits (`close_all`). Input goes in chunks below the pipe buffer, so neither side ever blocks on a full pipe;
a dead or silent process is a `FrogError`, and the next call starts a fresh one.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import UserError
from tagger.frog_words import FrogWord, expand

log = logging.getLogger(__name__)

#: Frog modules that never run here: t = tokeniser (spaCy's tokens are used), a = morphological analyser,
#: c = chunker, n = named entities. m = multi-word units is skipped too unless the parser runs (it needs them).
SKIP_ALWAYS = "tacn"
#: Bytes of input written before reading the answers: stays below the pipe buffer, so Frog never blocks.
_CHUNK_BYTES = 16_000

# ---------------------------------------------------------------------------------------------------------
# The Frog process


class FrogError(UserError):
    """Frog did not start, stopped or gave no usable answer; its sentence is a catalogue key (`error.frog.*`),
    since `tagger/frog.py` logs it as a warning the user reads (the tagger then goes on without Frog)."""


class FrogProcess:
    """One long-lived `frog` process reading pre-tokenised sentences on stdin, answering JSON on stdout."""

    starts = 0  # processes started in this interpreter (all instances)

    def __init__(
        self,
        binary: str = "frog",
        *,
        parser: bool = False,
        threads: int = 1,
        timeout_s: float = 60.0,
        startup_timeout_s: float = 300.0,
    ) -> None:
        self.binary = binary
        self.parser = parser
        self.threads = threads
        self.timeout_s = timeout_s
        self.startup_timeout_s = startup_timeout_s
        self.startup_s: float | None = None
        self.proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    @property
    def command(self) -> list[str]:
        skip = SKIP_ALWAYS if self.parser else SKIP_ALWAYS + "m" + "p"
        return [self.binary, "-n", f"--skip={skip}", "--JSONout", f"--threads={self.threads}"]

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start Frog and wait until it has answered a first sentence (its start-up takes seconds)."""
        if self.alive():
            return
        self.close()
        self._dir = tempfile.TemporaryDirectory(prefix="spiegel-frog-")
        stderr = (Path(self._dir.name) / "stderr.txt").open("w", encoding="utf-8")
        t0 = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self._dir.name,  # Frog looks for (and may write) debug files in its working directory
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as e:
            stderr.close()
            raise FrogError("error.frog.start", reason=str(e)) from e
        stderr.close()
        FrogProcess.starts += 1
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self._lines), daemon=True).start()
        self._ask([["start"]], self.startup_timeout_s)
        self.startup_s = time.perf_counter() - t0
        log.info("Frog started in %.1f s (pid %s): %s", self.startup_s, self.proc.pid, " ".join(self.command))

    @staticmethod
    def _read(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                lines.put(line)
        except (OSError, ValueError):  # stdout closed by close()
            pass
        lines.put(None)

    def stderr_tail(self, n: int = 800) -> str:
        if self._dir is None:
            return ""
        try:
            return (Path(self._dir.name) / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def _ask(self, sentences: Sequence[Sequence[str]], timeout_s: float) -> list[list[dict[str, Any]]]:
        assert self.proc is not None and self.proc.stdin is not None
        answers: list[list[dict[str, Any]]] = []
        i = 0
        while i < len(sentences):
            chunk: list[str] = []
            size = 0
            while i < len(sentences) and (not chunk or size < _CHUNK_BYTES):
                line = " ".join(sentences[i]) + "\n"
                chunk.append(line)
                size += len(line.encode("utf-8"))
                i += 1
            try:
                self.proc.stdin.write("".join(chunk))
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise FrogError("error.frog.stopped", reason=str(e), stderr=self.stderr_tail()) from e
            deadline = time.monotonic() + timeout_s
            for _ in chunk:
                try:
                    line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise FrogError("error.frog.timeout", seconds=f"{timeout_s:.0f}") from None
                if line is None:
                    raise FrogError("error.frog.exit", code=self.proc.poll(), stderr=self.stderr_tail())
                try:
                    answer = json.loads(line)
                except json.JSONDecodeError as e:
                    raise FrogError("error.frog.not_json", chars=len(line)) from e
                answers.append(answer if isinstance(answer, list) else [])
        return answers

    def analyse(self, sentences: Sequence[Sequence[str]]) -> list[list[FrogWord]]:
        """Frog's words for each sentence (a list of token texts without whitespace)."""
        if not sentences:
            return []
        with self._lock:
            try:
                self.start()
                answers = self._ask(sentences, self.timeout_s)
            except FrogError:
                self.close()  # a later call starts a fresh process
                raise
        return [expand(a) for a in answers]

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


_PROCESSES: dict[tuple[Any, ...], FrogProcess] = {}


def shared_process(binary: str, *, parser: bool, threads: int, timeout_s: float) -> FrogProcess:
    """The one Frog process of this run for these settings (not started until it is first asked)."""
    key = (binary, parser, threads)
    proc = _PROCESSES.get(key)
    if proc is None:
        proc = _PROCESSES[key] = FrogProcess(binary, parser=parser, threads=threads, timeout_s=timeout_s)
    return proc


@atexit.register
def close_all() -> None:
    """End every Frog process of this run."""
    for proc in list(_PROCESSES.values()):
        proc.close()
    _PROCESSES.clear()


def frog_available(binary: str = "frog") -> bool:
    return shutil.which(binary) is not None
