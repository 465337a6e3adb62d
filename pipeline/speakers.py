"""Join Whisper's timed words with diarization turns into single-speaker utterances (pure, no models).

Like whisperX's `assign_word_speakers`, each word gets the speaker whose turns overlap it most (the nearest
turn when it falls in a gap). Then the words are regrouped: a new utterance starts at every change of
speaker and after every sentence end (. ? !), and a sentence that Whisper split over two segments is joined
again when the same speaker goes on within a second. So an utterance is one sentence or one turn of one
speaker, never a mix: that is what the tagger and the talk-share metrics need.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.records import Role, Segment, SpeakerTurn, Utterance, Word

#: Speaker label used when there are no turns at all (diarization found no speech but Whisper found words).
FALLBACK_SPEAKER = "S1"
#: Words of one speaker separated by more than this (seconds) start a new utterance even mid-sentence.
MAX_JOIN_GAP_S = 1.0
_SENTENCE_END = re.compile(r"[.?!…]+[\"')\]»”’]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!…])\s+")


@dataclass(frozen=True)
class _Item:
    start: float
    end: float
    text: str
    word: Word | None
    speaker: str
    segment: int


class _TurnIndex:
    """Turns sorted by start, for overlap look-ups in O(log n) per word."""

    def __init__(self, turns: Sequence[SpeakerTurn]) -> None:
        self.turns = sorted(turns, key=lambda t: (t.start, t.end))
        self.starts = [t.start for t in self.turns]
        # Longest turn bounds how far back an overlapping turn can start.
        self.max_len = max((t.end - t.start for t in self.turns), default=0.0)

    def speaker(self, start: float, end: float) -> str:
        if not self.turns:
            return FALLBACK_SPEAKER
        if end < start:
            start, end = end, start
        lo = bisect.bisect_left(self.starts, start - self.max_len)
        hi = bisect.bisect_right(self.starts, end)
        overlap: dict[str, float] = {}
        for turn in self.turns[lo:hi]:
            shared = min(end, turn.end) - max(start, turn.start)
            if shared > 0:
                overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            return max(overlap, key=lambda s: overlap[s])
        # In a gap (or a zero-length word): the nearest turn by time.
        mid = (start + end) / 2
        i = bisect.bisect_left(self.starts, mid)
        candidates = self.turns[max(0, i - 1) : i + 1]
        # A turn that started long before may still be the closest by its end: check the window behind too.
        candidates += self.turns[max(0, bisect.bisect_left(self.starts, mid - self.max_len)) : i]
        return min(candidates, key=lambda t: max(t.start - mid, mid - t.end, 0.0)).speaker


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def _join(words: Sequence[str]) -> str:
    """Whisper words carry their own leading space; hand-made words may not."""
    if any(w[:1].isspace() for w in words[1:]):
        return "".join(words).strip()
    return " ".join(w.strip() for w in words if w.strip())


def _items(segments: Sequence[Segment], index: _TurnIndex) -> list[_Item]:
    items: list[_Item] = []
    for n, seg in enumerate(sorted(segments, key=lambda s: (s.start, s.end))):
        words = [w for w in seg.words if w.text.strip()]
        if words:
            items.extend(_Item(w.start, w.end, w.text, w, index.speaker(w.start, w.end), n) for w in words)
            continue
        # No word times: split the text into sentences with times proportional to their length.
        sentences = [s for s in _SENTENCE_SPLIT.split(seg.text.strip()) if s]
        total = sum(len(s) for s in sentences) or 1
        cursor = seg.start
        for sentence in sentences:
            length = (seg.end - seg.start) * len(sentence) / total
            a, b = cursor, cursor + length
            items.append(_Item(a, b, " " + sentence, None, index.speaker(a, b), n))
            cursor = b
    return items


def assign_speakers(segments: Sequence[Segment], turns: Sequence[SpeakerTurn]) -> list[Utterance]:
    """Single-speaker utterances (idx 0..n-1 in time order, role OTHER until roles are decided).

    Every word goes to the speaker it overlaps most; a segment whose words cross a speaker change is split
    there. Utterances also end at sentence ends, and continue over a segment border when the same speaker
    goes on within `MAX_JOIN_GAP_S` without having ended the sentence.
    """
    index = _TurnIndex(turns)
    items = sorted(_items(segments, index), key=lambda i: (i.start, i.end))
    groups: list[list[_Item]] = []
    for item in items:
        if groups:
            last = groups[-1][-1]
            same = last.speaker == item.speaker
            if (
                same
                and not _ends_sentence(last.text)
                and (item.segment == last.segment or item.start - last.end <= MAX_JOIN_GAP_S)
            ):
                groups[-1].append(item)
                continue
        groups.append([item])
    utterances: list[Utterance] = []
    for group in groups:
        text = _join([i.text for i in group])
        if not text:
            continue
        utterances.append(
            Utterance(
                idx=len(utterances),
                speaker=group[0].speaker,
                role=Role.OTHER,
                text=text,
                start_s=round(group[0].start, 3),
                end_s=round(max(i.end for i in group), 3),
                words=tuple(i.word for i in group if i.word is not None),
            )
        )
    return utterances


def speaker_times(turns: Sequence[SpeakerTurn]) -> dict[str, float]:
    """Total speaking time per speaker (seconds)."""
    out: dict[str, float] = {}
    for turn in turns:
        out[turn.speaker] = out.get(turn.speaker, 0.0) + max(0.0, turn.end - turn.start)
    return out


def merge_speakers(turns: Sequence[SpeakerTurn], keep: str, merge: str) -> list[SpeakerTurn]:
    """Turns with speaker `merge` relabelled `keep`, and touching turns of `keep` joined."""
    out: list[SpeakerTurn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        speaker = keep if turn.speaker == merge else turn.speaker
        if out and out[-1].speaker == speaker and turn.start - out[-1].end < 1e-6:
            out[-1] = SpeakerTurn(out[-1].start, max(out[-1].end, turn.end), speaker)
        else:
            out.append(SpeakerTurn(turn.start, turn.end, speaker))
    return out


def merge_utterances(utterances: Sequence[Utterance], keep: str, merge: str) -> list[Utterance]:
    """Utterances with speaker `merge` relabelled `keep` (with `keep`'s role), regrouped like assign_speakers.

    Two neighbouring utterances that were split only because the speaker changed are joined again when they
    now have the same speaker, the first does not end a sentence, and (with times) the gap is at most
    `MAX_JOIN_GAP_S`. Indexes are renumbered 0..n-1.
    """
    from dataclasses import replace

    role = next((u.role for u in utterances if u.speaker == keep), Role.OTHER)
    relabelled = [replace(u, speaker=keep, role=role) if u.speaker == merge else u for u in utterances]
    out: list[Utterance] = []
    for u in relabelled:
        if out:
            last = out[-1]
            timed = last.end_s is not None and u.start_s is not None
            close = not timed or (u.start_s - last.end_s) <= MAX_JOIN_GAP_S  # type: ignore[operator]
            if last.speaker == u.speaker and not _ends_sentence(last.text) and close:
                out[-1] = replace(
                    last,
                    text=f"{last.text} {u.text}".strip(),
                    end_s=u.end_s if u.end_s is not None else last.end_s,
                    words=last.words + u.words,
                )
                continue
        out.append(u)
    return [replace(u, idx=i) for i, u in enumerate(out)]
