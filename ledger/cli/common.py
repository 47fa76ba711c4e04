"""What every command shares: settings, consoles and clean errors (kept light: `ledger verify`
and `--help` should not pay for web3 and the database stack)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from ledger.errors import InputError, LedgerError, NodeError

if TYPE_CHECKING:
    from ledger.config import Settings

NODE_FAILED = NodeError.exit_code

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def clean_errors(fn: F) -> F:
    """Turns `LedgerError`s and Ctrl-C into one `error:` line and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LedgerError as exc:
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: what was sent is on chain; re-running the same command is safe")
            raise typer.Exit(130) from None
        except Exception as exc:
            if not type(exc).__module__.startswith(("web3", "eth_", "requests", "urllib3")):
                raise
            # the node answered something web3 could not use (a vanished node, a foreign chain)
            err.print(f"error: the node failed: {type(exc).__name__}: {_first_line(exc)}", markup=False)
            raise typer.Exit(NODE_FAILED) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def slow(message: str, after: float = 1.0) -> Iterator[None]:
    """Says `message` on stderr if the block takes longer than `after` seconds."""
    timer = threading.Timer(after, lambda: say(message))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def say(message: str) -> None:
    """One status line on stderr (what a command waits for, what it found on the way)."""
    err.print(message, markup=False)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def parse_seconds(value: str | None) -> float | None:
    """A number of seconds (0 or more), or None when not given."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise InputError(f"--wait {value[:40]!r} is not a number of seconds") from None
    if not 0 <= seconds < 10**7:
        raise InputError(f"--wait {value[:40]!r} must be between 0 and 10,000,000 seconds")
    return seconds


def settings() -> Settings:
    from ledger.config import load_settings  # pydantic-settings: only commands that run need it

    return load_settings()


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
