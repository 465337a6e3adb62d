"""Diarization speed and quality against transcription, on the same files in one run.

    python bench/bench_diarization.py [AUDIO ...] [--model NAME_OR_DIR] [--no-asr] [--json OUT]

Default files: `samples/audio/*.wav` with their `.turns.json` gold, and the real two-voice recording
`shared/eval-public/real-nl/real_duo.wav` when it is there. For each file it times faster-whisper (the
bundled base model unless `--model`) and the diarizer, then joins words and turns, tags, decides roles and
prints: speakers found vs gold, DER (no collar and 0.25 s collar), share of speech time given the right role,
and the time ratio diarization / transcription (the target is at most 0.15). Model loading is timed apart
(once per process in real use) and included in the "cold" ratio.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.der import diarization_error, role_time_accuracy  # noqa: E402

REAL_DUO = ROOT.parent / "shared" / "eval-public" / "real-nl" / "real_duo.wav"


@dataclass
class FileResult:
    name: str
    duration_s: float
    gold_speakers: int
    found_speakers: int
    der: float | None = None
    der_collar: float | None = None
    role_accuracy: float | None = None
    role_confidence: float | None = None
    asr_s: float | None = None
    diarize_s: float = 0.0
    warnings: list[str] = field(default_factory=list)


def load_gold(audio: Path) -> tuple[list[tuple[float, float, str]], dict[str, str]] | None:
    """Gold turns (start, end, speaker) and roles from `<name>.turns.json` or `<name>.gold.json`."""
    for suffix in (".turns.json", ".gold.json"):
        path = audio.parent / (audio.stem + suffix)
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            turns = [(float(t["start"]), float(t["end"]), str(t["speaker"])) for t in data["turns"]]
            roles = (
                dict(data.get("speakers") or {}) if suffix == ".turns.json" else dict(data.get("roles") or {})
            )
            for t in data["turns"]:
                if t.get("role"):
                    roles[str(t["speaker"])] = t["role"]
            return turns, roles
    return None


def evaluate(audio_path: Path, model: object | None, language: str = "nl") -> FileResult:
    from faster_whisper import decode_audio

    from pipeline.diarize import diarize
    from pipeline.roles import assign_roles
    from pipeline.speakers import assign_speakers
    from pipeline.transcribe import AsrOptions, transcribe
    from tagger import load_tagger

    audio = decode_audio(str(audio_path))
    gold = load_gold(audio_path)
    asr_s = None
    segments = []
    if model is not None:
        t0 = time.perf_counter()
        segments, language = transcribe(model, audio, AsrOptions(language=language))
        asr_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    diarization = diarize(audio)
    diarize_s = time.perf_counter() - t0
    result = FileResult(
        name=audio_path.name,
        duration_s=len(audio) / 16000,
        gold_speakers=len({s for _, _, s in gold[0]}) if gold else -1,
        found_speakers=diarization.num_speakers,
        asr_s=asr_s,
        diarize_s=diarize_s,
        warnings=list(diarization.warnings),
    )
    hyp = [(t.start, t.end, t.speaker) for t in diarization.turns]
    if gold:
        result.der = diarization_error(gold[0], hyp).der
        result.der_collar = diarization_error(gold[0], hyp, collar=0.25).der
    if segments:
        utterances = assign_speakers(segments, diarization.turns)
        tagger = load_tagger("en" if language == "en" else "nl")
        tags = tagger.tag_conversation([(u.text, None) for u in utterances])
        decision = assign_roles(utterances, tags)
        result.role_confidence = decision.confidence
        result.warnings += [w for w in decision.warnings if w not in result.warnings]
        if gold and gold[1]:
            gold_roles = [(s, e, gold[1].get(sp, "client")) for s, e, sp in gold[0]]
            result.role_accuracy = role_time_accuracy(
                gold_roles, hyp, {k: str(v) for k, v in decision.roles.items()}
            )
    return result


def default_files() -> list[Path]:
    files = sorted((ROOT / "samples" / "audio").glob("*.wav"))
    if REAL_DUO.exists():
        files.append(REAL_DUO)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", nargs="*", type=Path)
    parser.add_argument(
        "--model", default=None, help="Whisper model name or directory (default: bundled base)"
    )
    parser.add_argument("--no-asr", action="store_true", help="diarization only (no ratio, no roles)")
    parser.add_argument("--json", type=Path, help="write the per-file results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    files = args.audio or default_files()
    if not files:
        print("no audio files: run `python -m samples.make_audio` first or pass files")
        return 2

    model = None
    asr_load_s = 0.0
    if not args.no_asr:
        from models import resolve_model
        from pipeline.transcribe import load_whisper

        t0 = time.perf_counter()
        resolved = resolve_model(args.model)
        model = load_whisper(resolved.path_or_name, resolved.offline)
        asr_load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    from pipeline.diarize import load_encoder

    load_encoder()
    diarize_load_s = time.perf_counter() - t0

    results = []
    header = (
        f"{'file':28} {'dur':>6} {'spk':>5} {'DER':>6} {'DER.25':>6} {'role':>6} {'conf':>5} "
        f"{'asr_s':>7} {'dia_s':>6} {'ratio':>6}"
    )
    print(header)
    for path in files:
        r = evaluate(path, model, language="en" if path.name.startswith("en_") else "nl")
        results.append(r)

        def fmt(value: float | None, spec: str = ".3f") -> str:
            return "-" if value is None else format(value, spec)

        ratio = r.diarize_s / r.asr_s if r.asr_s else None
        print(
            f"{r.name[:28]:28} {r.duration_s:6.1f} {r.found_speakers:>2}/{r.gold_speakers:<2} "
            f"{fmt(r.der):>6} "
            f"{fmt(r.der_collar):>6} {fmt(r.role_accuracy):>6} {fmt(r.role_confidence, '.2f'):>5} "
            f"{fmt(r.asr_s, '.1f'):>7} {r.diarize_s:6.2f} {fmt(ratio):>6}  {','.join(r.warnings)}"
        )
    total_asr = sum(r.asr_s or 0.0 for r in results)
    total_dia = sum(r.diarize_s for r in results)
    print(f"model load: whisper {asr_load_s:.1f} s, voice encoder {diarize_load_s:.1f} s")
    if total_asr:
        print(f"ratio diarization/transcription (warm, all files): {total_dia / total_asr:.3f}")
        print(
            "ratio incl. model loading (cold):                  "
            f"{(total_dia + diarize_load_s) / (total_asr + asr_load_s):.3f}"
        )
    scored = [r for r in results if r.gold_speakers > 0]
    print(f"speaker count right: {sum(r.found_speakers == r.gold_speakers for r in scored)}/{len(scored)}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
