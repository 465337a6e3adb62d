"""From window labels to speaker turns: centre-weighted voting on a 10 ms grid, short-run smoothing, names."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

import numpy as np

from core.records import SpeakerTurn
from pipeline.diarize.options import DEFAULT_OPTIONS, FRAME_S, DiarizeOptions, _Window


def _frame_labels(
    regions: Sequence[tuple[float, float]],
    windows: Sequence[_Window],
    labels: np.ndarray,
    k: int,
    options: DiarizeOptions = DEFAULT_OPTIONS,
) -> list[tuple[float, float, int]]:
    """Turns (start, end, label) by centre-weighted voting of windows over a 10 ms grid inside each region."""
    turns: list[tuple[float, float, int]] = []
    centres = np.array([(w.start + w.end) / 2 for w in windows]) if windows else np.zeros(0)
    min_run = round(options.min_run_s / FRAME_S)
    starts = [w.start for w in windows]  # windows are made region by region, so sorted by start
    for start, end in regions:
        n = max(1, round((end - start) / FRAME_S))
        times = start + (np.arange(n) + 0.5) * FRAME_S
        votes = np.zeros((n, k))
        first = bisect.bisect_left(starts, start - options.window_s)
        last = bisect.bisect_right(starts, end)
        for w, label in zip(windows[first:last], labels[first:last], strict=True):
            if w.end <= start or w.start >= end:
                continue
            half = (w.end - w.start) / 2
            centre = (w.start + w.end) / 2
            weight = np.clip(1.0 - np.abs(times - centre) / max(half, 1e-6), 0.0, None)
            # Windows never cross region borders (they are cut per region), so the mask is the window.
            votes[:, label] += weight
        frame = votes.argmax(axis=1)
        uncovered = votes.max(axis=1) <= 0
        if uncovered.any():
            if len(centres):
                nearest = labels[np.abs(centres[None, :] - times[uncovered][:, None]).argmin(axis=1)]
                frame[uncovered] = nearest
            else:
                frame[uncovered] = 0
        frame = _smooth_runs(frame, min_run)
        change = np.flatnonzero(np.diff(frame)) + 1
        bounds = [0, *change.tolist(), n]
        for a, b in itertools.pairwise(bounds):
            turns.append((start + a * FRAME_S, min(end, start + b * FRAME_S), int(frame[a])))
    return turns


def _smooth_runs(frame: np.ndarray, min_run: int) -> np.ndarray:
    """Relabel runs shorter than min_run to the longer neighbouring run (repeat until stable)."""
    frame = frame.copy()
    for _ in range(10):
        change = np.flatnonzero(np.diff(frame)) + 1
        bounds = [0, *change.tolist(), len(frame)]
        runs = list(itertools.pairwise(bounds))
        if len(runs) <= 1:
            return frame
        short = [i for i, (a, b) in enumerate(runs) if b - a < min_run]
        if not short:
            return frame
        i = min(short, key=lambda j: runs[j][1] - runs[j][0])
        a, b = runs[i]
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        if left and (not right or left[1] - left[0] >= right[1] - right[0]):
            frame[a:b] = frame[left[0]]
        elif right:
            frame[a:b] = frame[right[0]]
    return frame


def _relabel_by_first_appearance(
    turns: Sequence[tuple[float, float, int]], bridge_s: float = 0.0
) -> tuple[tuple[SpeakerTurn, ...], dict[int, str]]:
    """Speaker names S1, S2... by first appearance; turns of one speaker less than `bridge_s` apart are joined."""
    names: dict[int, str] = {}
    for _, _, label in sorted(turns):
        if label not in names:
            names[label] = f"S{len(names) + 1}"
    merged: list[SpeakerTurn] = []
    for start, end, label in sorted(turns):
        speaker = names[label]
        if merged and merged[-1].speaker == speaker and start - merged[-1].end < bridge_s + 1e-6:
            merged[-1] = SpeakerTurn(merged[-1].start, round(max(end, merged[-1].end), 3), speaker)
        else:
            merged.append(SpeakerTurn(round(start, 3), round(end, 3), speaker))
    return tuple(merged), names


def _changes_without_pause(turns: Sequence[SpeakerTurn]) -> tuple[int, int]:
    """(speaker changes with no pause in between, all speaker changes).

    A new voice starting with no audible pause after the previous one (within one VAD speech region) is how
    interruptions and overlapping speech show up: the encoder cannot hear two voices in one window, but it
    hears the voice change where the VAD heard no silence.
    """
    immediate = total = 0
    for prev, cur in itertools.pairwise(turns):
        if prev.speaker != cur.speaker:
            total += 1
            if cur.start - prev.end < 0.05:
                immediate += 1
    return immediate, total
