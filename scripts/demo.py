#!/usr/bin/env python3
"""The one-command demo (`make demo`): see ledger/demo/run.py."""

import signal
import sys
from pathlib import Path

# Ctrl-C stops the demo even when it starts with SIGINT ignored (a background job of a script);
# until the demo installs its own handlers, it interrupts the imports.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.default_int_handler)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    try:
        from ledger.demo.run import main as run_demo
    except KeyboardInterrupt:
        print("> stopped before the demo started anything", flush=True)
        return 130
    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
