"""Transcript readers: Naam: tekst, WebVTT with voice tags, SRT, own JSON; bad files get one sentence."""

from __future__ import annotations

import json

import pytest

from core.errors import UserError
from pipeline.importers import read_transcript
from pipeline.text import guess_language, split_sentences


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_plain_text_with_continuation_lines(tmp_path):
    path = write(
        tmp_path,
        "g.txt",
        "Marloes: Fijn dat je er bent.\nDaan: Ja.\nIk was wel zenuwachtig.\nMarloes: Wat wil je bereiken?\n",
    )
    turns = read_transcript(path).turns
    assert [t.speaker for t in turns] == ["Marloes", "Daan", "Marloes"]
    assert turns[1].text == "Ja. Ik was wel zenuwachtig."
    assert all(t.start_s is None for t in turns)


def test_plain_text_with_times(tmp_path):
    path = write(
        tmp_path,
        "g.txt",
        "[00:00] Marloes: Goedemorgen.\n[00:04] Daan: Hoi.\n[01:02] Marloes: Wat gaat er beter?\n",
    )
    turns = read_transcript(path).turns
    assert [t.start_s for t in turns] == [0.0, 4.0, 62.0]
    assert turns[0].end_s == 4.0


def test_webvtt_voice_tags(tmp_path):
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n<v Marloes>Hoe gaat het?</v>\n\n00:00:04.000 --> 00:00:06.000\n<v.loud Daan>Beter dan vorige week.\n"
    turns = read_transcript(write(tmp_path, "g.vtt", vtt)).turns
    assert [(t.speaker, t.text, t.start_s, t.end_s) for t in turns] == [
        ("Marloes", "Hoe gaat het?", 1.0, 3.5),
        ("Daan", "Beter dan vorige week.", 4.0, 6.0),
    ]


def test_srt_with_names(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nMarloes: Welkom.\n\n2\n00:00:02,500 --> 00:00:05,000\n[Daan] Dank je.\n"
    turns = read_transcript(write(tmp_path, "g.srt", srt)).turns
    assert [(t.speaker, t.text) for t in turns] == [("Marloes", "Welkom."), ("Daan", "Dank je.")]
    assert turns[1].start_s == 2.5


def test_own_json_keeps_roles_and_meta(tmp_path):
    data = {
        "format": "gespreksspiegel-transcript",
        "version": 1,
        "meta": {"language": "en", "client_code": "K-1"},
        "utterances": [
            {"speaker": "A", "role": "practitioner", "text": "Hi."},
            {"speaker": "B", "role": "client", "text": "Hello."},
        ],
    }
    imported = read_transcript(write(tmp_path, "g.json", json.dumps(data)))
    assert imported.language == "en" and imported.presplit
    assert [t.role for t in imported.turns] == ["practitioner", "client"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leeg.txt", "", "is leeg"),
        ("los.txt", "gewoon een zin zonder spreker\n", "regel 1"),
        ("kapot.json", '{"format": ', "regel 1"),
        ("fout.vtt", "geen webvtt\n", "WEBVTT"),
        ("anders.json", '{"hello": 1}', "geen transcript van Gespreksspiegel"),
    ],
)
def test_bad_transcripts_give_one_sentence(tmp_path, name, content, message):
    with pytest.raises(UserError, match=message) as caught:
        read_transcript(write(tmp_path, name, content))
    assert "\n" not in str(caught.value)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "audio.txt"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    with pytest.raises(UserError, match="binair"):
        read_transcript(path)


def test_sentence_split_and_language_guess():
    assert split_sentences("Goed gedaan! Hoe heb je dat gedaan? Echt knap.") == [
        "Goed gedaan!",
        "Hoe heb je dat gedaan?",
        "Echt knap.",
    ]
    assert split_sentences("bijv. dit blijft één zin") == ["bijv. dit blijft één zin"]
    assert guess_language(["Wat zou er anders zijn als het probleem weg is?", "Ik weet het niet."]) == "nl"
    assert (
        guess_language(["What would be different if the problem was gone?", "I don't know, to be honest."])
        == "en"
    )
