"""`--channels`: the VAD runs once on each channel, in the speech stage; Whisper gets their union and the
channel diarizer the channels' own regions, so no pass on the mix and none again in the diarizer.

Before: the speech stage ran the VAD on the mix and `diarize_channels` again on every channel (three passes
for a stereo file). The count is taken on the real `get_speech_timestamps` (wrapped, still doing its work).
"""

from __future__ import annotations

from pipeline.audio import DecodedAudio
from pipeline.diarize.channels import merged_regions
from tests.conftest import count_calls
from tests.records import make_session
from tests.speakers.test_diarize_audio import load_case, microphone_per_speaker


def test_union_of_channel_regions() -> None:
    assert merged_regions([[(0.0, 1.0), (3.0, 4.0)], [(0.5, 2.0), (5.0, 6.0)]]) == [
        (0.0, 2.0),
        (3.0, 4.0),
        (5.0, 6.0),
    ]
    assert merged_regions([[], []]) == []


def test_speech_and_channel_diarization_share_one_pass_per_channel(monkeypatch) -> None:
    import faster_whisper.vad as vad

    from pipeline import stages
    from pipeline.diarize import diarize_channels

    channels = microphone_per_speaker(load_case("nl_eerste_gesprek"))
    audio = DecodedAudio(
        samples=channels.mean(axis=0), channels=channels, duration_s=channels.shape[1] / 16000
    )
    calls = count_calls(monkeypatch, (vad, "get_speech_timestamps"))
    before = diarize_channels(channels)  # on its own: its own pass on each channel
    assert len(calls) == 2

    calls.clear()
    per_channel = stages.channel_speech(audio, True)
    session = stages.speech(make_session([]), audio, per_channel=per_channel)
    session, _ = stages.diarize(session, audio, None, True, per_channel=per_channel)
    assert len(calls) == 2  # one per channel, none on the mix, none again in the diarizer
    assert session.diarization.turns == tuple(before.turns)  # the diarizer's turns are unchanged
    assert stages.channel_speech(audio, False) is None  # without --channels the mix has the one pass
