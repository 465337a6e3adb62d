"""The DER and role-time scorers used to report diarization quality."""

from __future__ import annotations

import pytest

from bench.der import diarization_error, role_time_accuracy


def test_perfect_hypothesis_with_other_labels() -> None:
    ref = [(0.0, 2.0, "A"), (2.0, 5.0, "B")]
    hyp = [(0.0, 2.0, "S2"), (2.0, 5.0, "S1")]
    result = diarization_error(ref, hyp)
    assert result.der == 0.0
    assert result.mapping == {"A": "S2", "B": "S1"}


def test_confusion_missed_and_false_alarm() -> None:
    ref = [(0.0, 4.0, "A"), (4.0, 8.0, "B")]
    hyp = [(0.0, 5.0, "X"), (5.0, 7.0, "Y"), (9.0, 10.0, "Y")]
    result = diarization_error(ref, hyp)
    # 1 s confused (4-5), 1 s missed (7-8), 1 s false alarm (9-10) over 8 s of speech.
    assert result.confusion == pytest.approx(1.0, abs=0.02)
    assert result.missed == pytest.approx(1.0, abs=0.02)
    assert result.false_alarm == pytest.approx(1.0, abs=0.02)
    assert result.der == pytest.approx(3 / 8, abs=0.01)


def test_extra_hypothesis_speaker_counts_as_confusion() -> None:
    ref = [(0.0, 4.0, "A")]
    hyp = [(0.0, 2.0, "X"), (2.0, 4.0, "Y")]
    assert diarization_error(ref, hyp).der == pytest.approx(0.5, abs=0.01)


def test_collar_forgives_boundaries() -> None:
    ref = [(0.0, 2.0, "A"), (2.0, 4.0, "B")]
    hyp = [(0.0, 2.2, "X"), (2.2, 4.0, "Y")]
    assert diarization_error(ref, hyp).der > 0.04
    assert diarization_error(ref, hyp, collar=0.25).der == pytest.approx(0.0, abs=1e-9)


def test_overlap_in_reference() -> None:
    ref = [(0.0, 2.0, "A"), (1.0, 3.0, "B")]
    hyp = [(0.0, 1.5, "X"), (1.5, 3.0, "Y")]
    # 4 s of reference speech; the 1 s overlap has one missed speaker.
    assert diarization_error(ref, hyp).der == pytest.approx(1 / 4, abs=0.01)


def test_empty() -> None:
    assert diarization_error([], []).der == 0.0
    assert diarization_error([(0.0, 1.0, "A")], []).der == pytest.approx(1.0)


def test_role_time_accuracy() -> None:
    gold = [(0.0, 2.0, "practitioner"), (2.0, 6.0, "client")]
    turns = [(0.0, 2.5, "S1"), (2.5, 6.0, "S2")]
    assert role_time_accuracy(gold, turns, {"S1": "practitioner", "S2": "client"}) == pytest.approx(
        5.5 / 6, abs=0.01
    )
    assert role_time_accuracy(gold, turns, {"S1": "client", "S2": "practitioner"}) == pytest.approx(
        0.5 / 6, abs=0.01
    )
