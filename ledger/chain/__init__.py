"""Talking to EVM nodes: the managed local node, connections, signing and sending."""
