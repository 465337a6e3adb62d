"""VAD once: does transcribing on the diarizer's speech regions (one Silero pass) cost accuracy?

    .venv/bin/python bench/bench_vad_once.py [--clips N] [--samples] [--fast]

Compares word error rate of the bundled Whisper model with its own VAD (faster-whisper's `vad_filter`, 500 ms
silence, 200 ms padding: the behaviour before the speech stage) against the same model on the regions of the
one VAD pass that `spiegel process` now runs (`stages.speech`: the diarizer's 250 ms / 100 ms / 150 ms on
loudness-normalised audio), joined at pauses under 300 ms and padded 100 ms more (`transcribe(regions=...)`). Real Dutch speech from ../shared/eval-public/
real-nl and, with --samples, the espeak-ng samples against their scripts. Prints both WERs and the ratio.
With --fast both arms use batched decoding (`spiegel process --fast`: the shared regions become its clips).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import resolve_model  # noqa: E402
from pipeline.audio import decode  # noqa: E402
from pipeline.diarize.embedding import speech_regions  # noqa: E402
from pipeline.diarize.frontend import _normalise  # noqa: E402
from pipeline.transcribe import AsrOptions, load_whisper, transcribe  # noqa: E402


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def main() -> int:
    import jiwer

    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=22)
    parser.add_argument("--samples", action="store_true")
    parser.add_argument("--fast", action="store_true", help="batched decoding in both arms")
    args = parser.parse_args()
    resolved = resolve_model()
    model = load_whisper(resolved.path_or_name, True)
    options = AsrOptions(language="nl", batched=args.fast)
    items = []
    real = ROOT.parent / "shared" / "eval-public" / "real-nl"
    for ref in json.loads((real / "references.json").read_text(encoding="utf-8"))[: args.clips]:
        items.append((real / ref["file"], ref["text"]))
    if args.samples:
        for turns in sorted((ROOT / "samples" / "audio").glob("nl_*.turns.json")):
            data = json.loads(turns.read_text(encoding="utf-8"))
            items.append(
                (
                    turns.with_name(turns.name.replace(".turns.json", ".wav")),
                    " ".join(t["text"] for t in data["turns"]),
                )
            )
    refs, own, once = [], [], []
    t_own = t_once = 0.0
    for path, text in items:
        audio = decode(path).samples
        refs.append(norm(text))
        started = time.perf_counter()
        segments, _ = transcribe(model, audio, options)
        own.append(norm(" ".join(s.text for s in segments)))
        t_own += time.perf_counter() - started
        started = time.perf_counter()
        regions = speech_regions(_normalise(audio))
        segments, _ = transcribe(model, audio, options, regions=regions)
        once.append(norm(" ".join(s.text for s in segments)))
        t_once += time.perf_counter() - started
    wer_own, wer_once = jiwer.wer(refs, own), jiwer.wer(refs, once)
    result = {
        "files": len(items),
        "batched": args.fast,
        "wer_whisper_vad": round(wer_own, 4),
        "wer_vad_once": round(wer_once, 4),
        "seconds_whisper_vad": round(t_own, 1),
        "seconds_vad_once": round(t_once, 1),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
