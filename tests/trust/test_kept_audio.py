"""Kept recordings (`spiegel process --keep-audio`, store/audio.py): beside the database, encrypted with
`SPIEGEL_DB_KEY`, and erased byte for byte by `spiegel delete`."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

import store
from core.errors import UserError
from pipeline.keep import MIME, encode_opus
from tests.conftest import run_spiegel
from tests.trust.records import session
from tests.trust.test_erasure import KEY

SR = 16_000


def _tone(hz: float, seconds: float = 4.0) -> bytes:
    t = np.arange(int(SR * seconds)) / SR
    return encode_opus((0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32))


def _stored(db):
    with store.connect(db) as con:
        gone, _ = store.save_session(con, session("Eerste", n=10))
        kept, _ = store.save_session(con, session("Tweede", n=10, practitioner="Bram", client="K-2"))
    gone_audio, kept_audio = _tone(440), _tone(660)
    store.audio.keep(db, gone, gone_audio, MIME, 4.0)
    store.audio.keep(db, kept, kept_audio, MIME, 4.0)
    return (gone, gone_audio), (kept, kept_audio)


def _duration(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        return float(container.duration) / 1e6


def test_encoded_recording_is_ogg_opus_of_the_same_length():
    data = _tone(440, 3.0)
    assert data[:4] == b"OggS"
    with av.open(io.BytesIO(data)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"
    assert _duration(data) == pytest.approx(3.0, abs=0.05)


def test_delete_erases_the_kept_recording_byte_for_byte(tmp_path):
    db = tmp_path / "a.duckdb"
    (gone, gone_audio), (kept, kept_audio) = _stored(db)
    audio_file = store.audio.audio_path(db)
    assert audio_file.parent == db.parent and (audio_file.stat().st_mode & 0o777) == 0o600
    raw = audio_file.read_bytes()
    assert gone_audio[200:400] in raw and kept_audio[200:400] in raw  # the grep sees plain stored audio
    store.erase_session(db, gone)
    raw = audio_file.read_bytes()
    assert gone_audio[200:400] not in raw
    assert kept_audio[200:400] in raw
    assert store.audio.load(db, gone) is None
    assert store.audio.load(db, kept) == (kept_audio, MIME)
    store.erase_session(db, kept)  # the last one: the file itself goes
    assert not audio_file.exists()
    assert not store.audio.has(db, kept)


def test_kept_recording_is_encrypted_with_the_database_key(tmp_path, monkeypatch):
    monkeypatch.setenv(store.KEY_ENV, KEY)
    db = tmp_path / "e.duckdb"
    (gone, gone_audio), (kept, kept_audio) = _stored(db)
    raw = store.audio.audio_path(db).read_bytes()
    assert gone_audio[200:400] not in raw and kept_audio[200:400] not in raw
    assert store.audio.load(db, kept) == (kept_audio, MIME)
    size_before = store.audio.audio_path(db).stat().st_size
    store.erase_session(db, gone)
    assert store.audio.load(db, kept) == (kept_audio, MIME)
    assert store.audio.audio_path(db).stat().st_size <= size_before
    monkeypatch.setenv(store.KEY_ENV, "een ander wachtwoord")
    with pytest.raises(UserError) as caught:
        store.audio.load(db, kept)
    assert "\n" not in str(caught.value) and "sleutel" in str(caught.value)
    assert "key" in caught.value.message("en")


def test_rekey_moves_the_kept_recordings_to_the_new_key(tmp_path, monkeypatch):
    monkeypatch.setenv(store.KEY_ENV, KEY)
    db = tmp_path / "r.duckdb"
    _, (kept, kept_audio) = _stored(db)
    store.rekey(db, "het nieuwe wachtwoord")
    monkeypatch.setenv(store.KEY_ENV, "het nieuwe wachtwoord")
    assert store.audio.load(db, kept) == (kept_audio, MIME)


@pytest.mark.slow
def test_process_keeps_the_recording_only_when_asked_and_delete_erases_it(sample_audio, tmp_path):
    recording = tmp_path / "one_speaker.wav"
    recording.write_bytes((sample_audio / "one_speaker.wav").read_bytes())
    db = tmp_path / "p.duckdb"
    plain = run_spiegel("process", str(recording), "--db", str(db), "--no-progress", offline=True)
    assert plain.returncode == 0, plain.stderr
    assert not store.audio.audio_path(db).exists()  # the default keeps no recording
    again = run_spiegel(
        "process", str(recording), "--db", str(db), "--no-progress", "--keep-audio", offline=True
    )
    assert again.returncode == 0, again.stderr  # already stored: the rerun adds the recording
    with store.connect(db, read_only=True) as con:
        [(session_id, duration)] = con.execute("SELECT session_id, duration_s FROM sessions").fetchall()
    data, mime = store.audio.load(db, session_id)
    assert mime == "audio/ogg"
    assert _duration(data) == pytest.approx(duration, abs=0.1)
    assert len(data) < recording.stat().st_size / 5  # Opus, not the WAV
    deleted = run_spiegel("delete", session_id, "--db", str(db))
    assert deleted.returncode == 0, deleted.stderr
    assert not store.audio.audio_path(db).exists()
