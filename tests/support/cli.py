"""`pushback` commands run in the test's own process, as the console script runs them: `bot.cli.main` with the
arguments, environment, working directory and standard input given, its exit code and output captured. A process
per command spent 1-2 s importing and loading before doing anything; the console script itself, and
`pushback run`, are still started as processes by a few tests (`tests/core/test_cli.py`, `tests/e2e/`)."""

from __future__ import annotations

import io
import logging
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from bot.cli import main
from tests.support.process import PROJECT_ROOT


@dataclass(frozen=True)
class Ran:
    """What a command did: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_pushback(*args: str, env: dict[str, str] | None = None, cwd: Path | str = PROJECT_ROOT, stdin: str = "",
                 dropped: tuple[str, ...] = ("SLACK_", "PORT")) -> Ran:
    """`pushback args` with this process's environment less the variables starting with `dropped`, plus `env`;
    everything it changes (environment, working directory, logging) is put back afterwards."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    environment.update(env or {})
    saved_environment, saved_directory, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    saved_logging = _logging_state()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(environment)
        os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's own exits (usage errors, --help)
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_directory)
        os.environ.clear()
        os.environ.update(saved_environment)
        _restore_logging(saved_logging)
    return Ran(code, stdout.getvalue(), stderr.getvalue())


def _logging_state() -> tuple[list[logging.Handler], dict[str, int]]:
    loggers = {name: logger.level for name, logger in logging.Logger.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    return list(logging.root.handlers), {"": logging.root.level, **loggers}


def _restore_logging(state: tuple[list[logging.Handler], dict[str, int]]) -> None:
    """Undo `configure_logging`: the root's handlers, and every logger's level as it was (a logger made since has
    no level of its own)."""
    handlers, levels = state
    logging.root.handlers[:] = handlers
    logging.root.setLevel(levels[""])
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))
