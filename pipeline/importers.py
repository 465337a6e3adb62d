"""Read existing transcripts: `Naam: tekst` text, WebVTT with voice tags, SRT, and the project's own JSON.

Each reader returns speaker turns (speaker, text, optional times) and whatever metadata the file carries;
`pipeline.process` then splits, assigns roles, tags and stores them exactly as for audio.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.records import TRANSCRIPT_FORMAT

TRANSCRIPT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".vtt", ".srt", ".json"})


@dataclass(frozen=True)
class Turn:
    """One speaker's turn as written in the transcript."""

    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None
    role: str | None = None


@dataclass
class ImportedTranscript:
    turns: list[Turn]
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: True for the project's JSON: its utterances are kept as they are, not re-split into sentences.
    presplit: bool = False


# "[00:01:23] Naam: tekst", "00:01 Naam: tekst", "Naam: tekst"; a name is short and has no sentence punctuation.
_TEXT_LINE = re.compile(
    r"^\s*(?:[\[(]?(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[\])]?\s*[-–]?\s*)?"
    r"(?P<name>[^\s:][^:?!.\n]{0,39}?)\s*:\s+(?P<text>\S.*)$"
)
_CUE_TIME = re.compile(
    r"(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|$)", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.replace(",", ".").split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def read_text(path: Path, content: str) -> ImportedTranscript:
    """`Naam: tekst` lines; a line without a name continues the previous speaker's turn."""
    turns: list[Turn] = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _TEXT_LINE.match(line)
        if match:
            start = _seconds(match["time"]) if match["time"] else None
            turns.append(Turn(match["name"].strip(), match["text"].strip(), start))
        elif turns:
            last = turns[-1]
            turns[-1] = Turn(last.speaker, f"{last.text} {line}", last.start_s)
        else:
            raise UserError("error.import.line", name=path.name, line=number)
    if not turns:
        raise UserError("error.import.no_lines", name=path.name)
    # Times in a text transcript mark starts only: a turn ends where the next begins.
    if all(t.start_s is not None for t in turns):
        turns = [
            Turn(t.speaker, t.text, t.start_s, turns[i + 1].start_s if i + 1 < len(turns) else None)
            for i, t in enumerate(turns)
        ]
        if turns[-1].end_s is None:
            last = turns[-1]
            turns[-1] = Turn(
                last.speaker, last.text, last.start_s, last.start_s + max(1.0, len(last.text) / 15)
            )
    else:
        turns = [Turn(t.speaker, t.text) for t in turns]
    return ImportedTranscript(turns)


def _cue_turns(path: Path, content: str, voice_tags: bool) -> list[Turn]:
    """Shared by WebVTT and SRT: blocks with a time line; the speaker from <v Name> or 'Name:'."""
    turns: list[Turn] = []
    for block in re.split(r"\n\s*\n", content.replace("\r\n", "\n")):
        lines = [line for line in block.strip().split("\n") if line.strip()]
        for i, line in enumerate(lines):
            timing = _CUE_TIME.search(line)
            if not timing:
                continue
            text = "\n".join(lines[i + 1 :]).strip()
            start, end = _seconds(timing["start"]), _seconds(timing["end"])
            speaker = None
            voice = _VOICE.search(text) if voice_tags else None
            if voice:
                speaker, text = voice["name"].strip(), voice["text"]
            text = " ".join(_TAG.sub("", text).split())
            if speaker is None:
                named = _TEXT_LINE.match(text)
                if named:
                    speaker, text = named["name"].strip(), named["text"].strip()
                else:
                    bracket = re.match(r"^\s*\[(?P<name>[^\]]{1,40})\]\s*(?P<text>.+)$", text)
                    if bracket:
                        speaker, text = bracket["name"].strip(), bracket["text"].strip()
            if text:
                turns.append(Turn(speaker or "?", text, start, end))
            break
    if not turns:
        raise UserError("error.import.no_cues", name=path.name)
    if all(t.speaker == "?" for t in turns):
        raise UserError("error.import.no_speakers", name=path.name)
    # A cue without a speaker continues the previous speaker (common when one turn spans several cues).
    merged: list[Turn] = []
    for turn in turns:
        if turn.speaker == "?" and merged:
            turn = Turn(merged[-1].speaker, turn.text, turn.start_s, turn.end_s)
        merged.append(turn)
    return merged


def read_vtt(path: Path, content: str) -> ImportedTranscript:
    if not content.lstrip("\ufeff").startswith("WEBVTT"):
        raise UserError("error.import.webvtt", name=path.name)
    return ImportedTranscript(_cue_turns(path, content, voice_tags=True))


def read_srt(path: Path, content: str) -> ImportedTranscript:
    return ImportedTranscript(_cue_turns(path, content, voice_tags=False))


def read_json(path: Path, content: str) -> ImportedTranscript:
    """The project's own format (see `core.records.Transcript.to_json`), e.g. the bundled samples."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise UserError("error.import.json", name=path.name, line=error.lineno, reason=error.msg) from error
    if not isinstance(data, dict) or data.get("format") != TRANSCRIPT_FORMAT:
        raise UserError("error.import.format", name=path.name, format=TRANSCRIPT_FORMAT)
    turns = []
    for i, item in enumerate(data.get("utterances") or []):
        if not isinstance(item, dict) or not str(item.get("text", "")).strip() or not item.get("speaker"):
            raise UserError("error.import.utterance", name=path.name, number=i)
        turns.append(
            Turn(
                str(item["speaker"]),
                str(item["text"]).strip(),
                item.get("start_s"),
                item.get("end_s"),
                item.get("role"),
            )
        )
    if not turns:
        raise UserError("error.import.no_utterances", name=path.name)
    meta = dict(data.get("meta") or {})
    return ImportedTranscript(turns, language=meta.get("language"), meta=meta, presplit=True)


_READERS = {".vtt": read_vtt, ".srt": read_srt, ".json": read_json}


#: A four-hour session in our JSON with word times is about 3 MB; a file far larger is not one session, and a
#: 50 MB file took 13 minutes to import while holding the database.
MAX_TRANSCRIPT_BYTES = 10_000_000


def check_transcript_size(path: Path) -> None:
    """Refuse a transcript far larger than any session, before reading it."""
    size = path.stat().st_size
    if size > MAX_TRANSCRIPT_BYTES:
        raise UserError(
            "error.import.too_big",
            name=path.name,
            size=f"{size / 1e6:.1f}",
            limit=f"{MAX_TRANSCRIPT_BYTES / 1e6:.0f}",
        )


def read_transcript(path: Path) -> ImportedTranscript:
    """Pick the reader by extension (text for .txt/.md and anything unknown that reads as text)."""
    if not path.exists():
        raise UserError("error.file.missing", name=path.name)
    if path.is_dir():
        raise UserError("error.import.folder", name=path.name)
    check_transcript_size(path)
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise UserError("error.file.no_permission", name=path.name) from None
    if not raw.strip():
        raise UserError("error.file.empty", name=path.name)
    if b"\x00" in raw[:4096]:
        raise UserError("error.import.binary", name=path.name)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("cp1252", errors="replace")
    reader = _READERS.get(path.suffix.lower(), read_text)
    return reader(path, content)
