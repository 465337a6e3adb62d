"""The orientation interface: evidence in, orientation and its strongest cues out."""

import pytest
import spacy

from tagger.orientation import OrientationInput


def test_orientation_returns_its_cues(nl) -> None:
    analysis = nl.analyse(["het lukt me niet"])[0]
    fn = spacy.util.registry.misc.get("spiegel.orientation.v2")()
    result = fn(OrientationInput(analysis, [], speaker="client"))
    assert result.orientation == "problem"
    assert result.score < 0
    assert result.cues and result.cues[0][0].startswith("cue.solution.") and result.cues[0][1] < 0


def test_labels_count_as_cues(nl) -> None:
    analysis = nl.analyse(["wat gaat er beter?"])[0]
    fn = spacy.util.registry.misc.get("spiegel.orientation.v1")()
    result = fn(OrientationInput(analysis, ["progress_question"], speaker="practitioner"))
    assert result.orientation == "solution"
    assert ("label:progress_question", 3.0) in result.cues


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("I'm sick of being sick all the time", "fed_up"),
        ("I can't keep doing this", "fed_up"),
        ("Drinking with my friends is fun, I enjoy it", "enjoy"),
        ("I'm not ready to change anything", "not_ready"),
    ],
)
def test_english_change_and_sustain_marks(text: str, mark: str) -> None:
    """MI's change and sustain talk as evidence: being fed up with how things are, the behaviour's benefits and
    not being ready are marks the fitted English model weighs (not verdicts of their own)."""
    from tagger import load_tagger

    assert mark in load_tagger("en").analyse([text])[0].marks
