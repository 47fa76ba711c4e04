"""Campaign terms texts, kept by their keccak256 so that anyone can check them against the chain."""

from __future__ import annotations

from pathlib import Path

from eth_utils.crypto import keccak


def terms_path(directory: Path, terms_hash: bytes) -> Path:
    return directory / f"0x{terms_hash.hex()}.txt"


def save_terms(directory: Path, text: bytes) -> Path:
    """Stores `text` under its hash (idempotent) and returns where."""
    path = terms_path(directory, keccak(text))
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(text)
        tmp.replace(path)
    return path


def load_terms(directory: Path, terms_hash: bytes) -> bytes | None:
    """The kept text for `terms_hash`, or None; a file whose hash differs is never returned."""
    path = terms_path(directory, terms_hash)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    return text if keccak(text) == terms_hash else None
