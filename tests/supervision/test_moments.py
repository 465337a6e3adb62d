"""The moment finder (tagger/moments.py) on the bundled sample sessions' gold labels and on hand-made turns."""

from __future__ import annotations

import pytest

from core.records import Orientation, Role, Tag, TaggedUtterance, TagResult, Utterance
from tagger.moments import KINDS, find_moments, thresholds
from tests.supervision.sample_sessions import sample_tagged

#: The moments each sample session must show (key = kind:first utterance idx), what went well first.
EXPECTED = {
    "nl_eerste_gesprek": [
        "exception_amplified:21",
        "compliment_landed:22",
        "scale_followed:24",
        "compliment_landed:30",
        "progress_words:31",
    ],
    "nl_probleemgesprek": [
        "exception_amplified:26",
        "problem_question_run:2",
        "problem_stretch:2",
    ],
    "nl_gezinsgesprek": [
        "exception_amplified:16",
        "compliment_landed:17",
        "progress_words:18",
        "compliment_landed:19",
        "scale_followed:21",
        "scale_followed:23",
        "compliment_landed:29",
    ],
    "en_first_session": [
        "exception_amplified:13",
        "compliment_landed:14",
        "compliment_landed:16",
        "scale_followed:16",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_sessions_give_their_moments(name: str) -> None:
    moments = find_moments(sample_tagged(name), name[:2])
    assert [m.key for m in moments] == EXPECTED[name]


def test_went_well_comes_first_and_times_are_the_utterances() -> None:
    tagged = sample_tagged("nl_probleemgesprek")
    moments = find_moments(tagged, "nl")
    flags = [m.went_well for m in moments]
    assert flags == sorted(flags, reverse=True)
    by_idx = {t.utterance.idx: t.utterance for t in tagged}
    for m in moments:
        assert m.start_s == by_idx[m.first_idx].start_s
        assert m.end_s == by_idx[m.last_idx].end_s
        assert m.first_idx in m.quote_idx


def test_scale_moment_carries_the_answer() -> None:
    scale = [m for m in find_moments(sample_tagged("nl_eerste_gesprek"), "nl") if m.kind == "scale_followed"]
    assert [(m.quote_idx, m.value) for m in scale] == [((24, 25, 26), 4.0)]


def test_problem_run_counts_its_questions() -> None:
    run = [
        m for m in find_moments(sample_tagged("nl_probleemgesprek"), "nl") if m.kind == "problem_question_run"
    ]
    assert [(m.first_idx, m.last_idx, m.value) for m in run] == [(2, 12, 5.0)]


def _u(idx: int, role: str, text: str, orientation: str = "neutral", labels=(), question=False, scale=None):
    speaker = "P" if role == "practitioner" else "C"
    tags = tuple(Tag(label, None, scale, 0, len(text), f"test.{label}") for label in labels)
    return TaggedUtterance(
        Utterance(idx, speaker, Role(role), text, float(idx * 10), float(idx * 10 + 8)),
        TagResult(Orientation(orientation), tags, question, scale),
    )


def test_an_exception_passed_by_is_one_to_look_at_again() -> None:
    tagged = [
        _u(0, "client", "Dinsdag ging het eigenlijk goed.", "solution", ["exception_report"]),
        _u(1, "practitioner", "Waarom ging het daarvoor mis?", "problem", ["problem_question"], True),
        _u(2, "client", "Geen idee.", "problem"),
        _u(3, "practitioner", "Hoe lang speelt dit al?", "problem", ["problem_question"], True),
    ]
    moments = find_moments(tagged, "nl")
    assert [(m.key, m.quote_idx) for m in moments] == [("exception_missed:0", (0, 1))]
    assert not moments[0].went_well


def test_a_compliment_that_meets_problem_talk_did_not_land() -> None:
    tagged = [
        _u(0, "practitioner", "Knap dat je er bent.", "solution", ["compliment"]),
        _u(1, "client", "Het gaat slecht.", "problem"),
    ]
    assert find_moments(tagged, "nl") == []


def test_thresholds_come_from_the_data_file_and_can_be_set() -> None:
    tagged = sample_tagged("nl_probleemgesprek")
    assert "problem_question_run" in {m.kind for m in find_moments(tagged, "nl")}
    stricter = find_moments(tagged, "nl", {"problem_question_run": 6, "problem_stretch_s": 10_000})
    assert not {"problem_question_run", "problem_stretch"} & {m.kind for m in stricter}
    assert set(thresholds()) >= {"problem_question_run", "problem_stretch_s", "progress_words"}


def test_without_times_a_stretch_is_counted_in_utterances() -> None:
    tagged = sample_tagged("nl_probleemgesprek", with_times=False)
    stretch = [m for m in find_moments(tagged, "nl") if m.kind == "problem_stretch"]
    assert [(m.first_idx, m.start_s) for m in stretch] == [(2, None)]


def test_every_kind_has_texts_in_both_languages() -> None:
    from core import texts

    for lang in texts.LANGS:
        for kind in KINDS:
            assert f"moment.{kind}" in texts.catalogue(lang)
            assert f"moment.{kind}.why" in texts.catalogue(lang)
