"""Which speaker is the practitioner: decided from what each speaker does in the conversation (pure).

A solution-focused practitioner asks the questions the tagger labels (scale, miracle, exception, goal,
coping, progress, more, relationship and problem questions) and gives compliments; clients give scale scores
and report exceptions. Each speaker collects points for that evidence, plus smaller ones for asking
questions at all and for opening and closing the session. The practitioner is the speaker with the most
points; every other speaker is a client. The confidence is that speaker's share of all points with one
point of prior per speaker (Laplace), so thin evidence gives an honest value near 1/number of speakers.

When the practitioner is known (an enrolled voiceprint matched, or a user's correction),
`practitioner_speaker` fixes the choice; the evidence is still computed and a warning says when it disagrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.records import Role, TagResult, Utterance
from core.taxonomy import CLIENT_LABELS, PRACTITIONER_LABELS

#: Points per utterance carrying a practitioner label (at most one such count per utterance).
W_PRACTITIONER_LABEL = 3.0
#: Points per question asked (any question, labelled or not).
W_QUESTION = 1.0
#: Points given to the *other* speakers, shared, for each utterance with a client label.
W_CLIENT_LABEL = 1.5
#: Points for speaking first and for speaking last.
W_OPENS = 0.5
W_CLOSES = 0.5
#: Below this confidence the decision is flagged for a check.
LOW_CONFIDENCE = 0.7
#: The practitioner speaking less than this share of the words or time is flagged.
BARELY_SPEAKS_SHARE = 0.10
#: A practitioner given by the caller is questioned when another speaker gets at least this share of points.
CONTRADICTION_SHARE = 0.8

#: Warning codes (the dashboard shows `warning.<code>`); the numbers behind them are in `evidence`.
WARN_NO_UTTERANCES = "no_speech"
WARN_ONE_SPEAKER = "one_speaker"
WARN_LOW_CONFIDENCE = "low_role_confidence"
WARN_BARELY_SPEAKS = "practitioner_barely_speaks"
WARN_CONTRADICTS = "role_evidence_contradicts"


@dataclass(frozen=True)
class RoleDecision:
    roles: dict[str, Role]
    confidence: float
    warnings: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def practitioner(self) -> str | None:
        return next((s for s, r in self.roles.items() if r == Role.PRACTITIONER), None)


def _amount(utterance: Utterance) -> float:
    """How much a speaker said: seconds when timed, else words (imported transcripts without times)."""
    if utterance.start_s is not None and utterance.end_s is not None:
        return max(0.0, utterance.end_s - utterance.start_s)
    return float(len(utterance.text.split()))


def speaker_evidence(
    utterances: Sequence[Utterance], results: Sequence[TagResult]
) -> dict[str, dict[str, Any]]:
    """Per speaker: utterances, talk share, questions, practitioner/client labels, opens/closes, points."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    stats: dict[str, dict[str, Any]] = {
        s: {
            "utterances": 0,
            "talk": 0.0,
            "questions": 0,
            "practitioner_labels": 0,
            "client_labels": 0,
            "label_counts": {},
            "opens": False,
            "closes": False,
            "points": 0.0,
        }
        for s in speakers
    }
    for i, utterance in enumerate(utterances):
        result = results[i] if i < len(results) else None
        st = stats[utterance.speaker]
        st["utterances"] += 1
        st["talk"] += _amount(utterance)
        if result is None:
            continue
        labels = set(result.labels)
        for label in labels:
            st["label_counts"][label] = st["label_counts"].get(label, 0) + 1
        if result.is_question:
            st["questions"] += 1
            st["points"] += W_QUESTION
        if labels & PRACTITIONER_LABELS:
            st["practitioner_labels"] += 1
            st["points"] += W_PRACTITIONER_LABEL
        if labels & CLIENT_LABELS:
            st["client_labels"] += 1
            others = [s for s in speakers if s != utterance.speaker]
            for other in others:
                stats[other]["points"] += W_CLIENT_LABEL / len(others)
    if utterances:
        stats[utterances[0].speaker]["opens"] = True
        stats[utterances[0].speaker]["points"] += W_OPENS
        stats[utterances[-1].speaker]["closes"] = True
        stats[utterances[-1].speaker]["points"] += W_CLOSES
    total_talk = sum(st["talk"] for st in stats.values()) or 1.0
    total_questions = sum(st["questions"] for st in stats.values()) or 1
    for st in stats.values():
        st["talk_share"] = round(st["talk"] / total_talk, 4)
        st["question_share"] = round(st["questions"] / total_questions, 4)
        st["talk"] = round(st["talk"], 3)
        st["points"] = round(st["points"], 3)
    return stats


def assign_roles(
    utterances: Sequence[Utterance],
    results: Sequence[TagResult],
    practitioner_speaker: str | None = None,
) -> RoleDecision:
    """Decide practitioner and clients from `utterances` and their tagger `results` (same order).

    Never raises: no utterances, one speaker and thin evidence give warnings and a low confidence.
    """
    stats = speaker_evidence(utterances, results)
    speakers = list(stats)
    if not speakers:
        return RoleDecision({}, 0.0, (WARN_NO_UTTERANCES,), {"method": "none", "speakers": {}})
    n = len(speakers)
    total = sum(st["points"] for st in stats.values())
    share = {s: (stats[s]["points"] + 1.0) / (total + n) for s in speakers}
    for s in speakers:
        stats[s]["share"] = round(share[s], 4)
    # Most points wins; ties go to the speaker who spoke first (the practitioner usually opens).
    best = max(speakers, key=lambda s: (share[s], -speakers.index(s)))
    warnings: list[str] = []
    evidence: dict[str, Any] = {"speakers": stats}

    if practitioner_speaker is not None and practitioner_speaker in stats:
        practitioner = practitioner_speaker
        confidence = 1.0
        evidence["method"] = "given"
        if practitioner != best and share[best] >= CONTRADICTION_SHARE:
            warnings.append(WARN_CONTRADICTS)
            evidence["evidence_favours"] = best
    elif n == 1:
        speaker = speakers[0]
        labelled = stats[speaker]["practitioner_labels"]
        asks = labelled >= 1 or stats[speaker]["questions"] >= 2
        # One voice asking (solution-focused) questions is most likely the practitioner whose client was not
        # picked up; otherwise a client talking. Either way the confidence stays at or below one half.
        practitioner = speaker if asks else None
        confidence = round(0.25 + 0.25 * min(1.0, labelled / 4), 3) if asks else 0.25
        evidence["method"] = "single"
        warnings.append(WARN_ONE_SPEAKER)
    else:
        practitioner = best
        confidence = round(share[best], 3)
        evidence["method"] = "evidence"
        if practitioner_speaker is not None:
            evidence["unknown_practitioner_speaker"] = practitioner_speaker

    roles = {s: (Role.PRACTITIONER if s == practitioner else Role.CLIENT) for s in speakers}
    if practitioner is not None and n > 1 and stats[practitioner]["talk_share"] < BARELY_SPEAKS_SHARE:
        warnings.append(WARN_BARELY_SPEAKS)
    if confidence < LOW_CONFIDENCE and n > 1:
        warnings.append(WARN_LOW_CONFIDENCE)
    evidence["practitioner"] = practitioner
    return RoleDecision(
        roles=roles, confidence=float(confidence), warnings=tuple(warnings), evidence=evidence
    )


def apply_roles(utterances: Sequence[Utterance], roles: dict[str, Role]) -> list[Utterance]:
    """The utterances with `role` filled in from `roles` (speakers not in it stay OTHER)."""
    from dataclasses import replace

    return [replace(u, role=roles.get(u.speaker, Role.OTHER)) for u in utterances]
