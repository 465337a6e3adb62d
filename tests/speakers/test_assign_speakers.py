"""assign_speakers: a pure join of timed words and speaker turns, on hand-made intervals."""

from __future__ import annotations

from core.records import Role, Segment, SpeakerTurn, Word
from pipeline.speakers import assign_speakers, merge_speakers, speaker_times


def words(*items: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(start, end, text) for start, end, text in items)


def seg(*items: tuple[float, float, str]) -> Segment:
    ws = words(*items)
    return Segment(ws[0].start, ws[-1].end, "".join(w.text for w in ws).strip(), ws)


def test_segment_crossing_a_speaker_change_is_split() -> None:
    segment = seg(
        (0.0, 0.4, " Hoe"),
        (0.4, 0.8, " gaat"),
        (0.8, 1.2, " het?"),
        (1.3, 1.6, " Goed"),
        (1.6, 2.0, " hoor."),
    )
    turns = [SpeakerTurn(0.0, 1.25, "S1"), SpeakerTurn(1.25, 2.1, "S2")]
    out = assign_speakers([segment], turns)
    assert [(u.speaker, u.text) for u in out] == [("S1", "Hoe gaat het?"), ("S2", "Goed hoor.")]
    assert [u.idx for u in out] == [0, 1]
    assert all(u.role == Role.OTHER for u in out)
    assert out[0].start_s == 0.0
    assert out[0].end_s == 1.2
    assert out[1].start_s == 1.3
    assert out[1].end_s == 2.0
    assert [w.text for w in out[1].words] == [" Goed", " hoor."]


def test_split_without_sentence_end_at_speaker_change() -> None:
    # Whisper ran two speakers into one sentence-less segment: the change of speaker alone splits it.
    segment = seg((0.0, 0.5, " ja"), (0.5, 1.0, " precies"), (1.0, 1.5, " en"), (1.5, 2.0, " dan"))
    turns = [SpeakerTurn(0.0, 1.0, "S2"), SpeakerTurn(1.0, 2.0, "S1")]
    out = assign_speakers([segment], turns)
    assert [(u.speaker, u.text) for u in out] == [("S2", "ja precies"), ("S1", "en dan")]


def test_never_mixes_speakers() -> None:
    segment = seg(*[(i * 0.3, i * 0.3 + 0.25, f" w{i}") for i in range(20)])
    turns = [SpeakerTurn(i * 1.0, i * 1.0 + 1.0, f"S{1 + i % 3}") for i in range(6)]
    out = assign_speakers([segment], turns)
    for u in out:
        for w in u.words:
            mid = (w.start + w.end) / 2
            owner = next(t.speaker for t in turns if t.start <= mid < t.end)
            assert owner == u.speaker


def test_sentence_ends_split_one_speaker() -> None:
    segment = seg((0.0, 0.3, " Ja."), (0.4, 0.8, " Dat"), (0.8, 1.2, " klopt!"), (1.3, 1.6, " Echt?"))
    out = assign_speakers([segment], [SpeakerTurn(0.0, 2.0, "S1")])
    assert [u.text for u in out] == ["Ja.", "Dat klopt!", "Echt?"]


def test_sentence_continues_over_segment_border_for_same_speaker() -> None:
    first = seg((0.0, 0.4, " Wat"), (0.4, 0.8, " zou"), (0.8, 1.2, " er"))
    second = seg((1.5, 1.9, " anders"), (1.9, 2.3, " zijn?"))
    out = assign_speakers([first, second], [SpeakerTurn(0.0, 2.5, "S1")])
    assert [u.text for u in out] == ["Wat zou er anders zijn?"]


def test_long_pause_starts_new_utterance() -> None:
    first = seg((0.0, 0.4, " dus"), (0.4, 0.8, " ja"))
    second = seg((5.0, 5.4, " goed"), (5.4, 5.8, " zo."))
    out = assign_speakers([first, second], [SpeakerTurn(0.0, 6.0, "S1")])
    assert [u.text for u in out] == ["dus ja", "goed zo."]


def test_word_in_a_gap_goes_to_the_nearest_turn() -> None:
    segment = seg((0.0, 0.4, " Hallo."), (2.8, 3.0, " Hoi."))
    turns = [SpeakerTurn(0.0, 0.5, "S1"), SpeakerTurn(3.1, 4.0, "S2")]
    out = assign_speakers([segment], turns)
    assert [(u.speaker, u.text) for u in out] == [("S1", "Hallo."), ("S2", "Hoi.")]


def test_word_overlapping_two_turns_goes_to_the_larger_overlap() -> None:
    segment = seg((0.8, 1.4, " woord"))
    turns = [SpeakerTurn(0.0, 1.0, "S1"), SpeakerTurn(1.0, 2.0, "S2")]
    assert assign_speakers([segment], turns)[0].speaker == "S2"


def test_hand_made_words_without_leading_spaces_are_joined_with_spaces() -> None:
    segment = seg((0.0, 0.3, "Goed"), (0.3, 0.6, "zo."))
    assert assign_speakers([segment], [SpeakerTurn(0, 1, "S1")])[0].text == "Goed zo."


def test_segment_without_words_is_split_into_sentences() -> None:
    segment = Segment(0.0, 4.0, "Hoe gaat het? Goed.")
    turns = [SpeakerTurn(0.0, 2.4, "S1"), SpeakerTurn(2.4, 4.0, "S2")]
    out = assign_speakers([segment], turns)
    assert [(u.speaker, u.text) for u in out] == [("S1", "Hoe gaat het?"), ("S2", "Goed.")]
    assert out[0].words == ()


def test_no_turns_gives_one_fallback_speaker() -> None:
    out = assign_speakers([seg((0.0, 0.5, " Hallo."))], [])
    assert [(u.speaker, u.text) for u in out] == [("S1", "Hallo.")]


def test_no_segments() -> None:
    assert assign_speakers([], [SpeakerTurn(0, 1, "S1")]) == []


def test_unsorted_input_gives_time_order() -> None:
    a = seg((5.0, 5.5, " Twee."))
    b = seg((0.0, 0.5, " Een."))
    out = assign_speakers([a, b], [SpeakerTurn(0, 1, "S1"), SpeakerTurn(4.9, 6, "S2")])
    assert [u.text for u in out] == ["Een.", "Twee."]
    assert [u.idx for u in out] == [0, 1]


def test_merge_speakers_and_times() -> None:
    turns = [SpeakerTurn(0, 1, "S1"), SpeakerTurn(1, 2, "S3"), SpeakerTurn(2, 3, "S2")]
    merged = merge_speakers(turns, keep="S1", merge="S3")
    assert merged == [SpeakerTurn(0, 2, "S1"), SpeakerTurn(2, 3, "S2")]
    assert speaker_times(merged) == {"S1": 2.0, "S2": 1.0}


def test_merge_utterances_joins_a_sentence_split_by_a_wrong_speaker() -> None:
    from core.records import Utterance
    from pipeline.speakers import merge_utterances

    utterances = [
        Utterance(
            0, "S1", Role.PRACTITIONER, "Wat zou", 0.0, 0.8, words((0.0, 0.4, " Wat"), (0.4, 0.8, " zou"))
        ),
        Utterance(1, "S3", Role.CLIENT, "er anders zijn?", 0.9, 1.8),
        Utterance(2, "S2", Role.CLIENT, "Rust.", 2.5, 3.0),
        Utterance(3, "S3", Role.CLIENT, "Echt.", 3.5, 4.0),
    ]
    out = merge_utterances(utterances, keep="S1", merge="S3")
    assert [(u.idx, u.speaker, u.role, u.text) for u in out] == [
        (0, "S1", Role.PRACTITIONER, "Wat zou er anders zijn?"),
        (1, "S2", Role.CLIENT, "Rust."),
        (2, "S1", Role.PRACTITIONER, "Echt."),
    ]
    assert out[0].end_s == 1.8
    assert len(out[0].words) == 2
