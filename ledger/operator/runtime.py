"""Starting the one sender inside `ledger serve` (`LEDGER_OPERATOR_SEND=1`), and stopping it."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pydantic import Field

from ledger.config import Settings
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.operator.dispatch import Dispatcher
from ledger.operator.sender import OperatorSender, SenderOptions


class OperatorSettings(Settings):
    operator_send: bool = Field(False, description="run the operator API's sender in this process")
    operator_lease: float = Field(300.0, gt=0, description="seconds a claimed row stays with its sender")
    operator_poll: float = Field(0.2, gt=0, description="seconds between looks at an idle outbox")
    operator_rate: float = Field(
        100.0, gt=0, description="requests a second each token may make (per process)"
    )
    operator_burst: float = Field(200.0, ge=1, description="requests a token may make at once")
    webhook_max_backoff: float = Field(300.0, gt=0, description="longest wait between a delivery's attempts")


@dataclass
class RunningSender:
    sender: OperatorSender
    dispatcher: Dispatcher
    threads: list[threading.Thread]
    stop: threading.Event

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        self.dispatcher.close()
        self.sender.writer.close()
        self.sender.engine.dispose()


def build_sender(cfg: OperatorSettings) -> OperatorSender:
    """The sender over `cfg`'s mirror and ledger, signing with `cfg`'s key (migrates the schema)."""
    from ledger.cli.context import open_ledger, open_writer

    upgrade(cfg.effective_database_url)
    client = open_ledger(cfg)
    options = SenderOptions(
        rows_per_batch=cfg.batch_rows, max_in_flight=cfg.max_in_flight, lease=cfg.operator_lease,
        poll=cfg.operator_poll, confirmations=cfg.confirmations,
    )  # fmt: skip
    return OperatorSender(make_engine(cfg.effective_database_url), open_writer(cfg, client), options)


def start_sender(cfg: OperatorSettings | None = None) -> RunningSender | None:
    """The sender and the webhook dispatcher in background threads when `LEDGER_OPERATOR_SEND`
    is on; else None."""
    cfg = cfg or OperatorSettings()
    if not cfg.operator_send:
        return None
    sender = build_sender(cfg)
    dispatcher = Dispatcher(sender.engine, max_backoff=cfg.webhook_max_backoff)
    stop = threading.Event()
    threads = [
        threading.Thread(target=sender.run, args=(stop,), name="operator-sender", daemon=True),
        threading.Thread(target=dispatcher.run, args=(stop, cfg.operator_poll), name="webhooks", daemon=True),
    ]
    for thread in threads:
        thread.start()
    return RunningSender(sender, dispatcher, threads, stop)
