"""The write path's context: one ledger, its signer, its write lock, its journal and its mirror.

Every write (the CLI's commands and the operator API's sender) opens a `Writer` and does its work
inside `writer.writing(...)`: the ledger's write lock is taken (waiting, and saying for whom,
up to `lock_wait` seconds), whatever an earlier killed run left in flight is settled, and each
transaction signed from then on is journalled before it goes out. The look-up of references,
the sending and the last receipt all happen under the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.errors import ConfigError
from ledger.ops.journal import SendJournal, Settled, settle
from ledger.ops.landed import Coverage, LandedReward, find_rewards, mirror_engine
from ledger.ops.lock import WriteLock

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class Writer:
    """What a write needs. `sender` may be None for a dry run (nothing is signed)."""

    client: LedgerClient
    sender: Sender | None
    data_dir: Path
    deploy_block: int = 0
    mirror_url: str | None = None
    lock_wait: float | None = None
    say: Say = _quiet  # progress and waiting messages, one line each
    settled: Settled | None = field(default=None, init=False)
    _mirror: Engine | None = field(default=None, init=False)
    _holding: bool = field(default=False, init=False)

    @property
    def journal(self) -> SendJournal:
        return SendJournal(self.data_dir / "journal", self.client.chain_id, self.client.address)

    @property
    def holding(self) -> bool:
        """Whether this writer holds the ledger's write lock now."""
        return self._holding

    def signer(self) -> Sender:
        if self.sender is None:
            raise ConfigError("this writer has no signing key (a dry run sends nothing)")
        return self.sender

    @contextmanager
    def writing(self, plan: str) -> Iterator[Sender]:
        """Holds the write lock, settles an earlier run's transactions, journals this run's.

        The journal is cleared when the block ends normally (every receipt is in); an error or a
        kill leaves it for the next writer to settle.
        """
        sender = self.signer()
        lock = WriteLock(
            self.data_dir / "locks", self.client.chain_id, self.client.address, self.lock_wait, self.say
        )
        with lock:
            self._holding = True
            journal = self.journal
            try:
                self.settled = settle(journal, sender, self.say)
                if self.settled is not None:
                    self.say(self.settled.describe())
                journal.begin(plan)
                sender.journal = journal
                yield sender
                journal.clear()
            finally:
                sender.journal = None
                self._holding = False

    def find_rewards(self, refs: list[bytes]) -> tuple[dict[bytes, LandedReward], Coverage]:
        """Rewards recorded under `refs` (32-byte words): the mirror, then the chain's logs."""
        if self._mirror is None:
            self._mirror = mirror_engine(self.mirror_url)
        return find_rewards(self.client, refs, self._mirror, self.deploy_block)

    def unsettled(self) -> int:
        """Transactions an earlier run left in the journal (a dry run reports them)."""
        return len(self.journal.signed())

    def close(self) -> None:
        if self._mirror is not None:
            self._mirror.dispose()
            self._mirror = None
