"""`python -m ledger.cli`: the `ledger` command without the console script."""

from ledger.cli.main import main

main()
