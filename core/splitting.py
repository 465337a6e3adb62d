"""Cutting one utterance in two at a point of its text (a correction by hand, `core.corrections`).

Why here and pure: the store replays the corrections at every change, and the dashboard says beforehand how
the times will be found, so both must compute the same cut. The times come from the stored word timestamps
when the words still match the text word for word (the cut falls between two recognised words); otherwise
(no words stored, or the text was corrected so they no longer match) the utterance's time is divided in
proportion to the characters before and after the cut, and `timing` says which it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core.records import Utterance

#: How a cut's times were found: from word timestamps, in proportion to characters, or none (no times).
TIMING_WORDS, TIMING_CHARS, TIMING_NONE = "words", "chars", "none"


@dataclass(frozen=True)
class Cut:
    """The two parts of a cut utterance and how their times were found."""

    first: Utterance
    second: Utterance
    timing: str


def parts(text: str, at: int) -> tuple[str, str]:
    """The text before and after character `at`, stripped (either may be empty: the caller refuses that)."""
    return text[:at].strip(), text[at:].strip()


def timing(utterance: Utterance, at: int) -> str:
    """How the times of a cut at `at` would be found (`TIMING_*`)."""
    if utterance.start_s is None or utterance.end_s is None:
        return TIMING_NONE
    return TIMING_WORDS if _aligned(utterance) else TIMING_CHARS


def cut(utterance: Utterance, at: int, second_speaker: str, first_speaker: str | None = None) -> Cut:
    """Cut `utterance` before character `at`: the first part keeps its number and start, the second gets
    `second_speaker`; words go with the part they were said in."""
    first_text, second_text = parts(utterance.text, at)
    how = timing(utterance, at)
    words = utterance.words
    if how == TIMING_WORDS:
        n = len(utterance.text[:at].split())
        first_end, second_start = words[n - 1].end, words[n].start
        first_words, second_words = words[:n], words[n:]
    elif how == TIMING_CHARS:
        share = len(utterance.text[:at].rstrip()) / max(len(utterance.text), 1)
        first_end = second_start = utterance.start_s + (utterance.end_s - utterance.start_s) * share
        first_words = tuple(w for w in words if w.start < first_end)
        second_words = tuple(w for w in words if w.start >= first_end)
    else:
        first_end = second_start = None
        first_words, second_words = words, ()
    first = dataclasses.replace(
        utterance,
        speaker=first_speaker or utterance.speaker,
        text=first_text,
        end_s=first_end,
        words=first_words,
    )
    second = dataclasses.replace(
        utterance, speaker=second_speaker, text=second_text, start_s=second_start, words=second_words
    )
    return Cut(first, second, how)


def _aligned(utterance: Utterance) -> bool:
    """The stored words are the text's words, one for one (so a cut between words has their times)."""
    tokens = utterance.text.split()
    return bool(utterance.words) and [w.text.strip() for w in utterance.words] == tokens
