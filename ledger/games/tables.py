"""The mirror's games tables: published tier tables, awarded badges with their evidence, and each
tournament's latest committed standings with every leaf's proof (the leaderboard's pages)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from ledger.db.types import U256

HEX32 = 66


class GamesTierTable(SQLModel, table=True):
    """A published tier table: its version on chain, hash and document (canonical JSON)."""

    __tablename__ = "games_tier_tables"
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    table_hash: str = Field(max_length=HEX32)
    document: str = Field(sa_column=Column(Text, nullable=False))


class GamesBadge(SQLModel, table=True):
    """An awarded badge: the rule it was awarded under and its evidence (canonical JSON)."""

    __tablename__ = "games_badges"
    player: str = Field(max_length=HEX32, primary_key=True)
    badge_id: str = Field(max_length=HEX32, primary_key=True)
    rule: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))


class GamesTournament(SQLModel, table=True):
    """A tournament's latest committed standings: root, participants, index, final or not."""

    __tablename__ = "games_tournaments"
    tournament_id: str = Field(max_length=HEX32, primary_key=True)
    commit_index: int = Field(sa_column=Column(Integer, nullable=False))
    root: str = Field(max_length=HEX32)
    participants: int = Field(sa_column=Column(BigInteger, nullable=False))
    final: bool = Field(sa_column=Column(Boolean, nullable=False))


class GamesStanding(SQLModel, table=True):
    """One leaf of a tournament's latest standings and its line as served: rank, player, score, proof."""

    __tablename__ = "games_standings"
    __table_args__ = (Index("ix_games_standings_player", "tournament_id", "player"),)
    tournament_id: str = Field(sa_column=Column(String(HEX32), primary_key=True))
    rank: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    player: str = Field(max_length=HEX32)
    score: int = Field(sa_column=Column(U256, nullable=False))
    line: str = Field(sa_column=Column(Text, nullable=False))  # the leaderboard line as JSON
