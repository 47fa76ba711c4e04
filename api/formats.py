"""Formats of the API's identifiers, stated exactly in OpenAPI so that every schema-valid value
is a meaningful one, and what to tell a person whose value does not fit."""

from __future__ import annotations

# A player key: 0x and 64 hex digits, not all zero (no player can have the zero key).
PLAYER_PATTERN = r"^0x0*[1-9a-fA-F][0-9a-fA-F]*$"
PLAYER_LENGTH = 66
PLAYER_DESCRIPTION = "the player's key: 0x and 64 hex digits"
# The key's constraints, for every place that declares one (query, path, or validated by hand).
PLAYER_CONSTRAINTS = {"pattern": PLAYER_PATTERN, "min_length": PLAYER_LENGTH, "max_length": PLAYER_LENGTH}
# An id or reference: 0x and 64 hex digits, or up to 32 printable ASCII characters, not padded
# with spaces (other text is given as its 0x-hex).
ID_PATTERN = r"^(0x[0-9a-fA-F]{64}|[!-~]([ -~]{0,30}[!-~])?)$"
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
# What to say when a value does not fit its format (the pattern itself is no help to a person).
HINTS = {
    "player": "a player key is 0x and 64 hex digits, not all zero",
    "campaign": "a campaign id is 0x and 64 hex digits, or up to 32 printable ASCII characters",
    "ref": "a reference is 0x and 64 hex digits, or up to 32 printable ASCII characters",
    "sender": "an account is 0x and 40 hex digits",
}
