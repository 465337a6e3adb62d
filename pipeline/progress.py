"""The progress bar of one recording: a tqdm bar over audio seconds, with the stage named beside it."""

from __future__ import annotations

from core.texts import text, user_lang


class Progress:
    """A tqdm bar over audio seconds, advanced by segment end times; silent when progress is off."""

    def __init__(self, name: str, total_s: float, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=round(total_s, 1),
                desc=name[:40],
                unit="s",
                unit_scale=False,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}] {postfix}",
            )

    def advance_to(self, seconds: float) -> None:
        if self._bar is not None:
            self._bar.update(max(0.0, min(seconds, self._bar.total) - self._bar.n))

    def stage(self, name: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(name)

    def finish(self) -> None:
        if self._bar is not None:
            self.advance_to(self._bar.total)
            self._bar.set_postfix_str(text("cli.progress.done", user_lang()))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
