"""Tiers, badges and tournaments that a player can check against the chain (docs/gamification.md)."""
