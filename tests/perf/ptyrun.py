"""Run a terminal program in a real pseudo-terminal and watch what it draws.

Used for the whole-process measures: cold start to the first frame that shows
plan data, and the peak memory of a planner that painted each screen.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

# CSI (colours, cursor moves), OSC (titles, links) and two-byte escapes: what is
# left is the text drawn, in order. A colour change joins the text around it (one
# word in two colours); anything else (a cursor move) separates it.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def _separator(match: re.Match[bytes]) -> bytes:
    escape = match.group()
    return b"" if escape.startswith(b"\x1b[") and escape.endswith(b"m") else b"\n"


def visible_text(raw: bytes) -> str:
    return _ESCAPES.sub(_separator, raw).decode("utf-8", "replace")


class PtyProcess:
    """``argv`` on a fresh pseudo-terminal of ``size`` (columns, rows), in its own session."""

    def __init__(
        self, argv: Sequence[str], *, size: tuple[int, int], env: dict | None = None
    ) -> None:
        columns, rows = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environ = dict(os.environ if env is None else env)
        environ.pop("COLUMNS", None)  # the terminal's own size (set above) decides
        environ.pop("LINES", None)
        environ.update(TERM="xterm-256color", COLORTERM="truecolor")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environ,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.closed = False
        self.first_output_s: float | None = None  # seconds from the start to the first byte

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, timeout: float) -> bytes:
        if self.closed:
            return b""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program has gone and closed the terminal
            data = b""
        if not data:
            self.closed = True
        elif self.first_output_s is None:
            self.first_output_s = time.perf_counter() - self.started
        self.output += data
        return data

    def wait_for_text(self, text: str, timeout: float) -> float | None:
        """Seconds from the start until ``text`` is drawn; None if not within ``timeout``."""
        deadline = self.started + timeout
        needle = text.encode()
        scanned = 0
        while time.perf_counter() < deadline and not self.closed:
            self._read(deadline - time.perf_counter())
            # re-scan a little before the new bytes: an escape or the text may straddle reads
            window = bytes(self.output[max(0, scanned - 256) :])
            scanned = len(self.output)
            if needle in window or text in visible_text(window):
                return time.perf_counter() - self.started
        return None

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait_quiet(self, quiet: float, timeout: float, at_least: int = 1) -> bool:
        """Read until ``at_least`` bytes came and then nothing for ``quiet`` seconds.

        (A screen drawn is kilobytes; a few bytes may be only the pointer's shape.)
        """
        deadline = time.perf_counter() + timeout
        start = len(self.output)
        last = time.perf_counter()
        while time.perf_counter() < deadline and not self.closed:
            if self._read(0.02):
                last = time.perf_counter()
            elif len(self.output) - start >= at_least and time.perf_counter() - last >= quiet:
                return True
        return False

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory (VmHWM), while it is still running."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def text(self) -> str:
        return visible_text(bytes(self.output))

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
