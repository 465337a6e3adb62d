"""Nothing leaves the machine: switch off every library's telemetry before those libraries load.

Measured here (FINDINGS.md): onnxruntime, loaded by faster-whisper for the Silero VAD, writes a device id and
an event queue under `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` and makes DNS queries for
`mobile.events.data.microsoft.com` on every `spiegel process`. Its Python call `disable_telemetry_events()`
alone does not stop that (checked with `strace -f -e trace=network`); the environment variable
`ORT_DISABLE_TELEMETRY=1`, read when the native runtime starts, does. So the variables below are set in
`os.environ` at the start of every `spiegel` command, before any of these libraries is imported, and the
dashboard's Streamlit child inherits them.

`tests/e2e/test_offline.py` runs process, import, export, report and the dashboard under strace and fails on
any connection to a non-loopback address, any DNS query, and any telemetry file under HOME.
"""

from __future__ import annotations

import os

#: Variables that switch off telemetry, usage statistics and update checks of the libraries we load.
NO_TELEMETRY: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime (Silero VAD inside faster-whisper)
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub (faster-whisper's model download helper)
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",  # Streamlit usage statistics
    "DO_NOT_TRACK": "1",  # the cross-tool convention (consoledonottrack.com)
}
#: Variables that forbid model-hub downloads; left out only when the user names a model to download.
NO_DOWNLOADS: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}


def keep_offline(allow_downloads: bool = False) -> None:
    """Set the variables (overriding the user's own): call before faster-whisper, onnxruntime or Streamlit load.

    `allow_downloads` is for `spiegel process --model NAME`, where the user asked for a model download.
    """
    os.environ.update(NO_TELEMETRY)
    if allow_downloads:
        for name in NO_DOWNLOADS:
            os.environ.pop(name, None)
    else:
        os.environ.update(NO_DOWNLOADS)


def disable_onnxruntime_telemetry() -> None:
    """Belt and braces once onnxruntime is about to load: the variable above, plus its own switch."""
    os.environ.update({"ORT_DISABLE_TELEMETRY": "1"})
    try:
        import onnxruntime
    except ImportError:  # VAD off or a build without onnxruntime: nothing to switch off
        return
    disable = getattr(onnxruntime, "disable_telemetry_events", None)
    if disable is not None:
        disable()
