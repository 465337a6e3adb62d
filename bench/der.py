"""Diarization error rate and role-time accuracy on a 10 ms grid (no pyannote needed).

DER follows the NIST definition: at each frame, error = max(n_ref, n_hyp) - n_correct, where n_correct counts
reference speakers matched by their mapped hypothesis speaker; DER = total error / total reference speech.
The speaker mapping is the one-to-one assignment maximising shared time (Hungarian, brute force for the few
speakers of a counselling session). `collar` seconds around every reference boundary are not scored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FRAME_S = 0.01

Interval = tuple[float, float, str]


@dataclass(frozen=True)
class DerResult:
    der: float
    missed: float
    false_alarm: float
    confusion: float
    total: float
    mapping: dict[str, str]


def _grid(intervals: Iterable[Interval], speakers: Sequence[str], n: int) -> np.ndarray:
    grid = np.zeros((len(speakers), n), dtype=bool)
    index = {s: i for i, s in enumerate(speakers)}
    for start, end, speaker in intervals:
        a, b = round(start / FRAME_S), round(end / FRAME_S)
        grid[index[speaker], max(0, a) : max(0, min(n, b))] = True
    return grid


def _best_mapping(overlap: np.ndarray) -> list[tuple[int, int]]:
    n_ref, n_hyp = overlap.shape
    best, best_pairs = -1.0, []
    if n_ref <= n_hyp:
        for perm in itertools.permutations(range(n_hyp), n_ref):
            score = sum(overlap[r, h] for r, h in enumerate(perm))
            if score > best:
                best, best_pairs = score, list(enumerate(perm))
    else:
        for perm in itertools.permutations(range(n_ref), n_hyp):
            score = sum(overlap[r, h] for h, r in enumerate(perm))
            if score > best:
                best, best_pairs = score, [(r, h) for h, r in enumerate(perm)]
    return best_pairs


def diarization_error(
    reference: Sequence[Interval], hypothesis: Sequence[Interval], collar: float = 0.0
) -> DerResult:
    """DER of `hypothesis` against `reference`, both as (start, end, speaker) intervals in seconds."""
    end = max([e for _, e, _ in reference] + [e for _, e, _ in hypothesis] + [0.0])
    n = int(np.ceil(end / FRAME_S)) + 1
    ref_speakers = sorted({s for _, _, s in reference})
    hyp_speakers = sorted({s for _, _, s in hypothesis})
    ref = _grid(reference, ref_speakers, n)
    hyp = _grid(hypothesis, hyp_speakers, n)
    scored = np.ones(n, dtype=bool)
    if collar > 0:
        c = round(collar / FRAME_S)
        for start, stop, _ in reference:
            for t in (start, stop):
                f = round(t / FRAME_S)
                scored[max(0, f - c) : min(n, f + c)] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    overlap = (
        ref.astype(np.int64) @ hyp.T.astype(np.int64) if ref_speakers and hyp_speakers else np.zeros((0, 0))
    )
    pairs = _best_mapping(overlap) if overlap.size else []
    n_ref = ref.sum(axis=0)
    n_hyp = hyp.sum(axis=0)
    correct = np.zeros(ref.shape[1], dtype=np.int64)
    for r, h in pairs:
        correct += ref[r] & hyp[h]
    total = float(n_ref.sum())
    missed = float(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = float(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = float((np.minimum(n_ref, n_hyp) - correct).sum())
    der = (missed + false_alarm + confusion) / total if total else 0.0
    return DerResult(
        der=der,
        missed=missed * FRAME_S,
        false_alarm=false_alarm * FRAME_S,
        confusion=confusion * FRAME_S,
        total=total * FRAME_S,
        mapping={ref_speakers[r]: hyp_speakers[h] for r, h in pairs},
    )


def role_time_accuracy(
    gold: Sequence[tuple[float, float, str]],
    turns: Sequence[Interval],
    roles: Mapping[str, str],
) -> float:
    """Share of gold speech time whose predicted role (role of the diarized speaker then) is the gold role.

    `gold` holds (start, end, role); `turns` (start, end, speaker); `roles` speaker -> role. Gold time with no
    predicted speaker counts as wrong; frames where several gold roles overlap count as right if any matches.
    """
    end = max([e for _, e, _ in gold] + [e for _, e, _ in turns] + [0.0])
    n = int(np.ceil(end / FRAME_S)) + 1
    role_names = sorted({r for _, _, r in gold} | {str(r) for r in roles.values()})
    gold_grid = _grid(gold, role_names, n)
    pred_grid = _grid(
        [
            (s, e, str(roles.get(sp, "other")))
            for s, e, sp in turns
            if str(roles.get(sp, "other")) in role_names
        ],
        role_names,
        n,
    )
    speech = gold_grid.any(axis=0)
    right = (gold_grid & pred_grid).any(axis=0)
    total = int(speech.sum())
    return float(right[speech].sum()) / total if total else 1.0
