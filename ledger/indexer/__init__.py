"""The indexer: extract (eth_getLogs) / transform (pure decode) / load (SQL) / cursor (reorgs)."""
