"""The tagger's view of the label set; the table itself is `core/taxonomy.py` (the store needs it too)."""

from core.taxonomy import (
    CLIENT_LABELS,
    CUE_LABELS,
    LABEL_SUBTYPES,
    LABELS,
    ORIENTATIONS,
    PRACTITIONER_LABELS,
    QUESTION_LABELS,
    SOLUTION_LABELS,
)

__all__ = [
    "CLIENT_LABELS",
    "CUE_LABELS",
    "LABELS",
    "LABEL_SUBTYPES",
    "ORIENTATIONS",
    "PRACTITIONER_LABELS",
    "QUESTION_LABELS",
    "SOLUTION_LABELS",
]
