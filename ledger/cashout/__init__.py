"""Cash-out: settlement of the ledger in an ERC-20 (reserves, bindings, limits, withdrawals)."""
