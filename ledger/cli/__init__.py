"""The `ledger` command: one Typer app per command group."""
