"""The orientation interface: evidence in, orientation and its strongest cues out."""

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
