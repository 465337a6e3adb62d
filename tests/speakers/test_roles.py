"""assign_roles on hand-made utterances and tagger results."""

from __future__ import annotations

from core.records import Orientation, Role, Tag, TagResult, Utterance
from pipeline.roles import assign_roles, speaker_evidence


def utt(idx: int, speaker: str, text: str, start: float | None = None, length: float = 2.0) -> Utterance:
    s = float(idx * 3) if start is None else start
    return Utterance(idx, speaker, Role.OTHER, text, s, s + length)


def res(*labels: str, question: bool = False) -> TagResult:
    tags = tuple(Tag(label, None, None, 0, 1, f"test.{label}") for label in labels)
    return TagResult(Orientation.NEUTRAL, tags, is_question=question)


def conversation() -> tuple[list[Utterance], list[TagResult]]:
    rows = [
        ("A", "Welkom.", res()),
        ("B", "Dank je.", res()),
        ("A", "Waar sta je op een schaal van 0 tot 10?", res("scale_question", question=True)),
        ("B", "Een zes.", res("scale_answer")),
        ("A", "Wat maakt dat het een zes is en geen vijf?", res("scale_question", question=True)),
        ("B", "Ik slaap beter. Mag ik iets vragen?", res("exception_report", question=True)),
        ("A", "Wat nog meer?", res("more_question", question=True)),
        ("B", "Ik ga weer hardlopen.", res()),
        ("A", "Knap dat je dat doet.", res("compliment")),
        ("B", "Dank je.", res()),
        ("A", "Tot volgende week.", res()),
    ]
    return [utt(i, s, t) for i, (s, t, _) in enumerate(rows)], [r for _, _, r in rows]


def test_practitioner_is_the_one_asking_solution_focused_questions() -> None:
    utterances, results = conversation()
    decision = assign_roles(utterances, results)
    assert decision.roles == {"A": Role.PRACTITIONER, "B": Role.CLIENT}
    assert decision.practitioner == "A"
    assert decision.confidence >= 0.9
    assert decision.warnings == ()
    assert decision.evidence["speakers"]["A"]["practitioner_labels"] == 4
    assert decision.evidence["speakers"]["A"]["opens"]
    assert decision.evidence["speakers"]["A"]["closes"]


def test_speaker_order_does_not_decide_when_evidence_is_clear() -> None:
    utterances, results = conversation()
    # The client speaks first and last now.
    swapped = [
        Utterance(u.idx, {"A": "B", "B": "A"}[u.speaker], u.role, u.text, u.start_s, u.end_s)
        for u in utterances
    ]
    decision = assign_roles(swapped, results)
    assert decision.roles["B"] == Role.PRACTITIONER


def test_three_speakers_one_practitioner_two_clients() -> None:
    utterances = [
        utt(0, "S1", "Welkom"),
        utt(1, "S2", "Hoi"),
        utt(2, "S3", "Hallo"),
        utt(3, "S1", "Wat zou er anders zijn?"),
        utt(4, "S3", "Rust."),
        utt(5, "S1", "En jij?"),
        utt(6, "S2", "Minder ruzie."),
    ]
    results = [
        res(),
        res(),
        res(),
        res("goal_question", question=True),
        res(),
        res("goal_question", question=True),
        res(),
    ]
    decision = assign_roles(utterances, results)
    assert decision.roles == {"S1": Role.PRACTITIONER, "S2": Role.CLIENT, "S3": Role.CLIENT}


def test_thin_evidence_gives_low_confidence_and_a_warning() -> None:
    utterances = [utt(0, "S1", "Hallo"), utt(1, "S2", "Hoi")]
    decision = assign_roles(utterances, [res(), res()])
    assert set(decision.roles.values()) == {Role.PRACTITIONER, Role.CLIENT}
    assert decision.confidence < 0.7
    assert "low_role_confidence" in decision.warnings


def test_one_speaker_is_flagged_and_not_confident() -> None:
    utterances = [utt(0, "S1", "Wat nog meer?"), utt(1, "S1", "Waar sta je?"), utt(2, "S1", "Wat werkt?")]
    results = [
        res("more_question", question=True),
        res("scale_question", question=True),
        res("goal_question", question=True),
    ]
    decision = assign_roles(utterances, results)
    assert decision.roles == {"S1": Role.PRACTITIONER}
    assert decision.confidence <= 0.5
    assert "one_speaker" in decision.warnings
    # One voice asking nothing is taken as a client.
    plain = assign_roles([utt(0, "S1", "Ik vertel.")], [res()])
    assert plain.roles == {"S1": Role.CLIENT}
    assert plain.confidence <= 0.5


def test_practitioner_barely_speaks() -> None:
    utterances = [utt(0, "P", "Wat gaat er beter?", start=0.0, length=2.0)]
    utterances += [
        utt(i, "C", "Lang verhaal over het probleem.", start=2.0 + i * 10, length=10.0) for i in range(1, 6)
    ]
    utterances += [utt(6, "P", "Hoe deed je dat?", start=70.0, length=1.5)]
    results = [res("progress_question", question=True)] + [res()] * 5 + [res("compliment", question=True)]
    decision = assign_roles(utterances, results)
    assert decision.roles["P"] == Role.PRACTITIONER
    assert "practitioner_barely_speaks" in decision.warnings
    assert decision.evidence["speakers"]["P"]["talk_share"] < 0.1


def test_given_practitioner_wins_and_contradiction_is_reported() -> None:
    utterances, results = conversation()
    decision = assign_roles(utterances, results, practitioner_speaker="B")
    assert decision.roles == {"A": Role.CLIENT, "B": Role.PRACTITIONER}
    assert decision.confidence == 1.0
    assert "role_evidence_contradicts" in decision.warnings
    agreeing = assign_roles(utterances, results, practitioner_speaker="A")
    assert agreeing.warnings == ()
    assert agreeing.evidence["method"] == "given"


def test_unknown_given_speaker_falls_back_to_evidence() -> None:
    utterances, results = conversation()
    decision = assign_roles(utterances, results, practitioner_speaker="S9")
    assert decision.practitioner == "A"
    assert decision.evidence["method"] == "evidence"


def test_no_utterances() -> None:
    decision = assign_roles([], [])
    assert decision.roles == {}
    assert decision.confidence == 0.0
    assert decision.warnings == ("no_speech",)


def test_missing_results_do_not_crash_and_untimed_utterances_count_words() -> None:
    utterances = [Utterance(0, "A", Role.OTHER, "een twee drie"), Utterance(1, "B", Role.OTHER, "vier")]
    decision = assign_roles(utterances, [])
    assert set(decision.roles) == {"A", "B"}
    stats = speaker_evidence(utterances, [])
    assert stats["A"]["talk_share"] == 0.75
