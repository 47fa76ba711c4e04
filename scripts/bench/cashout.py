#!/usr/bin/env python3
"""Cash-out: the gas of a player's withdrawal against a bare ERC-20 transfer, and the time from the
player's request to the tokens in the wallet on one-second blocks.

A funded ledger settling in the 6-decimal test stablecoin. Gas: a player's first withdrawal (a
fresh wallet, the day's first) against a transfer to a fresh address, and a repeat withdrawal
against a transfer to an address that already holds tokens, both measured in this run (another
player withdraws first, so the ledger's own first-ever writes are not counted). Latency: the node
switches to one-second blocks and each withdrawal is timed from the request (`ledger.cashout.ops.
withdraw`: reference check, estimate, signing, sending) until the wallet's token balance shows
it. `--quick` times 10 withdrawals instead of 40; `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eth_account import Account
from web3 import Web3

from ledger.cashout.ops import bind_address, set_limits, token_balance, withdraw
from ledger.cashout.tokens import deploy_token, test_tokens
from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.encoding import text_to_bytes
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, issue_one, set_role

TARGET_GAS_OVER = 15_000
TARGET_P95_S = 2.0


class Bench:
    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.sender = self.account_sender()
        self.token = deploy_token(self.sender)
        self.erc20 = w3.eth.contract(
            address=Web3.to_checksum_address(self.token), abi=test_tokens()["TestStablecoin"].abi
        )
        self.client = LedgerClient(w3, deploy_ledger(self.sender, token=self.token, funded=True).address)
        for role in ("issuer", "kyc"):
            set_role(self.client, self.sender, role, self.sender.address, granted=True)
        set_limits(self.client, self.sender, 10**15, 10**15)
        self.token_call(self.sender, "mint", self.sender.address, 10**15)
        self.token_call(self.sender, "approve", self.client.address, 10**13)
        self.sender.transact(self.client.address, self.client.encode("depositReserves", 10**13))
        now = int(w3.eth.get_block("latest")["timestamp"])
        self.campaign = text_to_bytes("bench")
        create_campaign(self.client, self.sender, self.campaign, 10**13, bytes(32), now - 10, now + 10**8)
        self.refs = 0

    def account_sender(self) -> Sender:
        account = Account.create()
        self.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**22)])  # type: ignore[arg-type]
        return Sender(self.w3, account, timeout=60, poll_interval=0.02)

    def token_call(self, sender: Sender, name: str, *args: Any) -> int:
        data = bytes.fromhex(self.erc20.encode_abi(name, args=list(args)).removeprefix("0x"))
        return sender.transact(self.token, data).gas_used

    def ref(self) -> bytes:
        self.refs += 1
        return text_to_bytes(f"bench-{self.refs}")

    def player(self, amount: int) -> tuple[bytes, Sender]:
        """A player with `amount` issued and a fresh funded wallet bound to it."""
        player = Account.create().key[:32]
        issue_one(self.client, self.sender, self.campaign, player, amount, self.ref())
        wallet = self.account_sender()
        bind_address(self.client, self.sender, player, wallet.address, text_to_bytes("kyc"))
        return player, wallet

    def withdrawal_gas(self, player: bytes, wallet: Sender, amount: int) -> int:
        done = withdraw(self.client, wallet, player, amount)
        assert not isinstance(done, int)
        return done.entry.gas_used


def measure_gas(bench: Bench) -> dict[str, int]:
    warm_player, warm_wallet = bench.player(1_000_000)
    bench.withdrawal_gas(warm_player, warm_wallet, 1)  # the ledger's own first writes
    player, wallet = bench.player(1_000_000)
    first = bench.withdrawal_gas(player, wallet, 250_000)
    repeat = bench.withdrawal_gas(player, wallet, 250_000)
    holder, fresh = bench.account_sender(), Account.create().address
    bench.token_call(bench.sender, "transfer", holder.address, 10**9)
    transfer_first = bench.token_call(holder, "transfer", fresh, 250_000)
    transfer_repeat = bench.token_call(holder, "transfer", fresh, 250_000)
    return {
        "withdraw_gas_first": first,
        "withdraw_gas_repeat": repeat,
        "transfer_gas_first": transfer_first,
        "transfer_gas_repeat": transfer_repeat,
        "withdraw_gas_over_transfer_first": first - transfer_first,
        "withdraw_gas_over_transfer_repeat": repeat - transfer_repeat,
        "withdraw_gas_over_transfer": max(first - transfer_first, repeat - transfer_repeat),
    }


def measure_latency(bench: Bench, count: int) -> list[float]:
    player, wallet = bench.player(10**9)
    bench.w3.provider.make_request("evm_setIntervalMining", [1])  # type: ignore[arg-type]
    times = []
    for _ in range(count):
        before = token_balance(bench.client, bench.token, wallet.address)
        started = time.monotonic()
        withdraw(bench.client, wallet, player, 1_000)
        while token_balance(bench.client, bench.token, wallet.address) < before + 1_000:
            time.sleep(0.01)
        times.append(time.monotonic() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time 10 withdrawals instead of 40")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    args = parser.parse_args()
    count = 10 if args.quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(Path(tmp) / "node", port=_free_port(), persist=False)
        node.start()
        try:
            bench = Bench(Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60})))
            figures: dict[str, Any] = measure_gas(bench)
            times = measure_latency(bench, count)
        finally:
            node.stop()
    figures["withdrawals_timed"] = count
    figures["withdraw_p50_s"] = round(statistics.median(times), 3)
    figures["withdraw_p95_s"] = round(statistics.quantiles(times, n=20, method="inclusive")[18], 3)
    report(figures)
    if args.json:
        print(json.dumps(figures))
    return 0


def report(f: dict[str, Any]) -> None:
    for kind in ("first", "repeat"):
        w, t = f[f"withdraw_gas_{kind}"], f[f"transfer_gas_{kind}"]
        print(
            f"{kind:>6} withdrawal {w:,} gas; bare transfer {t:,} gas; over {w - t:,} ({w / t:.2f}x the transfer)"
        )
    worst = f["withdraw_gas_over_transfer"]
    print(
        f"worst over the transfer: {worst:,} gas (target within {TARGET_GAS_OVER:,}: {'met' if worst <= TARGET_GAS_OVER else 'NOT met'})"
    )
    p95 = f["withdraw_p95_s"]
    print(f"request to tokens in the wallet, 1 s blocks: p50 {f['withdraw_p50_s']} s, p95 {p95} s over {f['withdrawals_timed']} "
          f"(target p95 <= {TARGET_P95_S} s: {'met' if p95 <= TARGET_P95_S else 'NOT met'})")  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
