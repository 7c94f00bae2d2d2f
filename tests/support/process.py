"""Runs `pushback run` as a real process on a free port and waits until it serves."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.driver import SlackDriver, http_request
from tests.support.slack_standin import SlackStandIn

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pushback_command() -> list[str]:
    """The installed `pushback` console script beside this interpreter, else the module."""
    script = Path(sys.executable).parent / "pushback"
    if script.exists():
        return [str(script)]
    found = shutil.which("pushback")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


class AppProcess:
    """One `pushback run` process and a driver that talks to it."""

    def __init__(self, env: dict[str, str], standin: SlackStandIn, signing_secret: str, workdir: Path,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = {**os.environ, **env, "PORT": str(self.port)}
        self.workdir = workdir
        self.log_path = workdir / f"pushback-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.driver = SlackDriver(self.url, signing_secret, standin)

    def start(self, timeout: float = 20.0) -> None:
        """Launch and wait until `/healthz` answers 200."""
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([*pushback_command(), "run"], env=self.env, cwd=PROJECT_ROOT,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"pushback run exited with {self.process.returncode}:\n{self.log()}")
            try:
                if http_request(f"{self.url}/healthz", timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"pushback run did not become ready in {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then wait for a clean exit; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"pushback run ignored SIGTERM:\n{self.log()}") from None

    def kill(self) -> None:
        """SIGKILL the whole instance (master, workers, clock), as a crash or an OOM kill would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
