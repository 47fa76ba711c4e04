#!/usr/bin/env python3
"""The one-command demo (`make demo`): see ledger/demo/run.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.demo.run import main

if __name__ == "__main__":
    sys.exit(main())
