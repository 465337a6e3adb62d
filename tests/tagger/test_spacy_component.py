"""The tagger is a real spaCy component: it saves and loads, and import of `tagger` stays cheap."""

import subprocess
import sys

import spacy

from tagger.api import Tagger, build_pipeline


def test_to_disk_from_disk_round_trip(tmp_path) -> None:
    nlp = build_pipeline("nl")
    nlp.to_disk(tmp_path / "model")
    import tagger.component  # noqa: F401  (registers the factory)

    loaded = spacy.load(tmp_path / "model")
    assert loaded.pipe_names == nlp.pipe_names
    conv = [("Op een schaal van 0 tot 10, waar sta je nu?", "practitioner"), ("een zes", "client")]
    assert Tagger(loaded).tag_conversation(conv) == Tagger(nlp).tag_conversation(conv)
    doc = loaded("Wat gaat er beter?")
    spans = [(s.label_, s.id_) for s in doc.spans["spiegel"] if not s.label_.startswith("cue.")]
    assert spans == [("progress_question", "progress_question.any.01")]


def test_orientation_function_is_registered() -> None:
    import tagger.component  # noqa: F401

    assert callable(spacy.util.registry.misc.get("spiegel.orientation.v1")())


def test_import_is_cheap() -> None:
    code = "import sys, tagger, tagger.cli, tagger.jsonl; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
