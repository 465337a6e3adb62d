"""Warning codes with a detail: `name:detail` in `sessions.warnings`, shown in words by dashboard and report.

Most codes are a bare name (`one_speaker`). A few carry where or how much, so the reader can go and listen:

- `speech_without_words:54.8-86.5` — speech the VAD heard from 54.8 to 86.5 s that has no words, even after
  a second decoding (pipeline/coverage.py);
- `audio_truncated:11.9/20.0` — only 11.9 of the 20.0 s the file's header promises could be decoded
  (`?` when the file does not say how long it should be);
- `audio_damaged:3` — three damaged stretches of the file were skipped while decoding.
"""

from __future__ import annotations


def clock(seconds: str | float) -> str:
    """54.8 → "0:54", 3725 → "1:02:05"."""
    try:
        total = int(float(seconds))
    except ValueError:
        return str(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_warning(code: str) -> tuple[str, dict[str, str]]:
    """(name, format fields) of a warning code; a code we do not know comes back whole, without fields."""
    name, _, detail = code.partition(":")
    try:
        if name == "speech_without_words":
            start, end = detail.split("-")
            return name, {"start": clock(start), "end": clock(end)}
        if name == "audio_truncated":
            decoded, expected = detail.split("/")
            return name, {"decoded": clock(decoded), "expected": clock(expected) if expected != "?" else "?"}
        if name == "audio_damaged":
            return name, {"count": str(int(detail))}
    except ValueError:
        return code, {}
    return code, {}
