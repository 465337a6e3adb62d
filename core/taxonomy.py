"""The label set of `taxonomy.md` as Python data: names, subtypes and the speaker each label belongs to.

The vocabulary of the conversation's records (`Tag.label`), so it lives in `core`: the tagger, the rule
validator, the roles, the store (whose `session_metrics` label columns are generated from `LABELS`), the
dashboard, the report and the tests all read this one table, so a rule file can never introduce a label the
database and dashboard do not know.
"""

from __future__ import annotations

ORIENTATIONS: tuple[str, ...] = ("solution", "problem", "neutral")

#: label -> allowed subtypes (empty: the label has no subtype).
LABEL_SUBTYPES: dict[str, tuple[str, ...]] = {
    "compliment": ("direct", "indirect", "self"),
    "scale_question": ("progress", "motivation", "confidence", "independence", "other"),
    "scale_answer": ("progress", "motivation", "confidence", "independence", "other"),
    "exception_question": (),
    "exception_report": (),
    "miracle_question": ("main", "follow_up"),
    "coping_question": (),
    "goal_question": (),
    "progress_question": (),
    "more_question": (),
    "relationship_question": (),
    "problem_question": (),
}
LABELS: tuple[str, ...] = tuple(LABEL_SUBTYPES)

#: Internal cue labels: rules that feed orientation, scale topics and scale positions but are never output.
CUE_LABELS: dict[str, tuple[str, ...]] = {
    "cue.solution": (),
    "cue.problem": (),
    "cue.scale_topic": ("progress", "motivation", "confidence", "independence", "other"),
    "cue.scale_position": (),
    "cue.scale_context": (),
}

#: Labels a client does not produce (practitioner techniques) and labels a practitioner does not produce.
PRACTITIONER_LABELS = frozenset(
    {
        "compliment",
        "scale_question",
        "exception_question",
        "miracle_question",
        "coping_question",
        "goal_question",
        "progress_question",
        "more_question",
        "relationship_question",
        "problem_question",
    }
)
CLIENT_LABELS = frozenset({"scale_answer", "exception_report"})

#: Labels that are solution-focused practitioner moves (they make the utterance solution talk).
SOLUTION_LABELS = frozenset(PRACTITIONER_LABELS - {"problem_question"}) | CLIENT_LABELS

#: Practitioner question techniques (every label named `*_question`): a practitioner question in the metrics.
QUESTION_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label.endswith("_question"))
