"""Deploying the ledger and recording where it landed."""

from __future__ import annotations

from eth_utils.crypto import keccak

from ledger.artifact import load_artifact
from ledger.chain.client import LedgerClient
from ledger.chain.deployments import Deployment
from ledger.chain.sender import Sender
from ledger.encoding import checksum
from ledger.errors import ConfigError

ZERO_ADDRESS = "0x" + "00" * 20


def deploy_ledger(
    sender: Sender, admin: str | None = None, token: str | None = None, funded: bool = False
) -> Deployment:
    """Deploys `RewardsLedger(admin, token, funded)` (no token: record-only), checks its runtime
    code against the artifact, returns the record."""
    if funded and not token:
        raise ConfigError("a funded ledger needs a settlement token (--token ADDRESS)")
    artifact = load_artifact()
    contract = sender.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = bytes.fromhex(
        contract.constructor(
            checksum(admin or sender.address), checksum(token or ZERO_ADDRESS), funded
        ).data_in_transaction.removeprefix("0x")
    )
    gas = int(sender.w3.eth.estimate_gas({"from": sender.address, "data": data}) * 1.2)
    tx_hash = sender.send_create(data, gas)
    receipt = sender.wait([tx_hash])[0]
    address = receipt.contract_address
    if not address:
        raise ConfigError(f"deployment 0x{tx_hash.hex()} created no contract")
    client = LedgerClient(sender.w3, address)
    client.check_code()
    code = bytes(sender.w3.eth.get_code(client.address))
    return Deployment(
        chain_id=sender.chain_id,
        address=client.address,
        block_number=receipt.block_number,
        block_hash="0x" + receipt.block_hash.hex(),
        tx_hash="0x" + tx_hash.hex(),
        deployer=sender.address,
        code_hash="0x" + keccak(code).hex(),
    )
