"""Debian's firefox-esr driven over WebDriver BiDi, the W3C protocol Firefox speaks itself.

Playwright cannot drive Debian's Firefox: its default launch needs Juggler (a protocol only Playwright's own
Firefox build has) and its BiDi channel asks for commands Firefox lacks (`emulation.setMediaFeaturesOverride`),
and Playwright's Firefox cannot be downloaded here. Firefox's own remote agent needs neither: started with
`--remote-debugging-port` it listens for BiDi on a websocket, and the few commands a browser test needs
(open a page, run a script, a real mouse click, a screenshot) are standard. So this is a small client of
exactly those, on the `websockets` library Streamlit already brings, so that the same checks run in a
second real browser engine.

The profile is a fresh folder per run whose `user.js` turns off everything that would reach the network on its
own (telemetry, updates, safe browsing, captive-portal checks) and lets media play without a prior gesture
(as `--autoplay-policy=no-user-gesture-required` does for chromium), on a sound backend that needs no sound card.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FIREFOX = "/usr/bin/firefox-esr"

#: Preferences of the test profile: offline, quiet, and media allowed to play.
PREFS: dict[str, object] = {
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "extensions.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    # This machine has no sound output (no ALSA device, no PulseAudio): a playing <audio> then fails with
    # MEDIA_ERR_DECODE "OnMediaSinkAudioError" after a few seconds. Firefox's own test audio backend plays to
    # nowhere at the real clock, as a laptop's speakers would, so currentTime moves as it would there.
    "media.cubeb.force_mock_context": True,
}


class BidiError(RuntimeError):
    """A command Firefox answered with an error (its `error` and `message`)."""


class Firefox:
    """One headless firefox-esr with one page (its top-level browsing context), driven over BiDi."""

    def __init__(self, profile: Path, port: int, viewport: tuple[int, int] = (1400, 2000)) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "user.js").write_text(
            "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items()), encoding="utf-8"
        )
        self.proc = subprocess.Popen(
            [
                FIREFOX,
                "--headless",
                "--no-remote",
                "--profile",
                str(profile),
                f"--remote-debugging-port={port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        #: Errors the page logged (console errors, uncaught exceptions), as `log.entryAdded` reports them.
        self.errors: list[str] = []
        address = self._listening(timeout_s=60)
        self._closing = contextlib.ExitStack()
        self.ws: ClientConnection = self._closing.enter_context(
            connect(address + "/session", max_size=None, open_timeout=30)
        )
        self._next = 0
        self.command("session.new", {"capabilities": {}})
        self.command("session.subscribe", {"events": ["log.entryAdded"]})
        tree = self.command("browsingContext.getTree", {})
        self.context: str = tree["contexts"][0]["context"]
        width, height = viewport
        self.command(
            "browsingContext.setViewport",
            {"context": self.context, "viewport": {"width": width, "height": height}},
        )

    def _listening(self, timeout_s: float) -> str:
        """The websocket address Firefox prints once its remote agent listens (its stderr read on a thread,
        so a browser that never says it does not hang the test)."""
        found: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.log.append(line.rstrip())
                match = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
                if match and not found:
                    found.append(match.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(timeout_s)
        if not found:
            self.close()
            raise BidiError("firefox-esr did not start its remote agent: " + " | ".join(self.log[-5:]))
        return found[0]

    def command(self, method: str, params: dict[str, Any], timeout_s: float = 90) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are skipped)."""
        self._next += 1
        ident = self._next
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout_s
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("method") == "log.entryAdded" and message["params"].get("level") == "error":
                self.errors.append(str(message["params"].get("text")))
            if message.get("id") != ident:
                continue
            if message.get("type") == "error":
                raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message["result"]

    def goto(self, url: str) -> None:
        self.command("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (numbers, strings, booleans, null)."""
        result = self.command(
            "script.evaluate",
            {"expression": expression, "target": {"context": self.context}, "awaitPromise": True},
        )
        if result.get("type") == "exception":
            raise BidiError(f"script: {result['exceptionDetails'].get('text')}")
        value = result["result"]
        return value.get("value")

    def wait_for(self, expression: str, timeout_s: float = 60) -> None:
        """Poll until the expression is true in the page, or fail saying which."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except BidiError:
                pass  # the page is between two documents or a rerun: ask again
            time.sleep(0.25)
        raise TimeoutError(f"not true after {timeout_s:.0f} s in firefox: {expression}")

    def click(self, selector: str) -> None:
        """A real mouse click (move, press, release) in the middle of the first element the selector finds,
        scrolled into view first."""
        found = self.command(
            "script.evaluate",
            {
                "expression": f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                " if (e) e.scrollIntoView({block: 'center'}); return e; })()",
                "target": {"context": self.context},
                "awaitPromise": False,
                "resultOwnership": "root",
            },
        )["result"]
        if found.get("type") != "node":
            raise BidiError(f"nothing in the page matches {selector}")
        origin = {"type": "element", "element": {"sharedId": found["sharedId"]}}
        pointer = [
            {"type": "pointerMove", "x": 0, "y": 0, "origin": origin},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        action = {
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": pointer,
        }
        self.command("input.performActions", {"context": self.context, "actions": [action]})

    def screenshot(self, path: Path) -> None:
        shot = self.command(
            "browsingContext.captureScreenshot", {"context": self.context, "origin": "document"}
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                with contextlib.suppress(Exception):  # the browser may be gone already: close anyway
                    self.command("session.end", {}, timeout_s=10)
                self._closing.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
