"""The one VAD pass: speech regions → the chunks Whisper decodes (pure)."""

from __future__ import annotations

import itertools

from pipeline.transcribe import whisper_chunks


def test_short_pauses_are_joined_and_chunks_padded_without_overlap() -> None:
    regions = [(1.0, 2.0), (2.2, 3.0), (5.0, 6.0), (6.15, 6.5)]
    chunks = whisper_chunks(regions, total_s=6.55, join_s=0.3, pad_s=0.1)
    assert chunks == [(0.9, 3.1), (4.9, 6.55)]
    assert all(a < b for a, b in chunks)
    assert all(prev[1] <= cur[0] for prev, cur in itertools.pairwise(chunks))


def test_padding_stops_halfway_into_a_short_pause() -> None:
    assert whisper_chunks([(0.0, 1.0), (1.35, 2.0)], 2.0, join_s=0.3, pad_s=0.5) == [
        (0.0, 1.175),
        (1.175, 2.0),
    ]


def test_no_regions_no_chunks() -> None:
    assert whisper_chunks([], 10.0, join_s=0.3, pad_s=0.1) == []
