"""Revert data decodes to the contract's named errors with readable messages."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from ledger.chain.reverts import decode_revert
from ledger.encoding import text_to_bytes


def data(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_a_custom_error_decodes_with_its_arguments_and_a_readable_message() -> None:
    cid = text_to_bytes("welcome")
    error = decode_revert(
        data(
            "CampaignBudgetExceeded(bytes32,uint256,uint256,uint256)",
            ["bytes32", "uint256", "uint256", "uint256"],
            [cid, 100, 90, 20],
        )
    )
    assert error.name == "CampaignBudgetExceeded"
    assert error.args_by_name == {"campaignId": cid, "budget": 100, "issued": 90, "amount": 20}
    assert (
        str(error)
        == "CampaignBudgetExceeded: campaign welcome has issued 90 of its budget 100; 20 more is over budget"
    )


def test_a_missing_role_names_the_role() -> None:
    from ledger.artifact import role_id

    error = decode_revert(
        data(
            "AccessControlUnauthorizedAccount(address,bytes32)",
            ["address", "bytes32"],
            ["0x" + "ab" * 20, role_id("payer")],
        )
    )
    assert "lacks the payer role" in str(error)


def test_panics_plain_reverts_and_unknown_data_stay_readable() -> None:
    assert "overflow" in str(decode_revert(data("Panic(uint256)", ["uint256"], [0x11])))
    assert "without a reason" in str(decode_revert(b""))
    assert decode_revert(bytes.fromhex("deadbeef")).name == "unknown"
    assert str(decode_revert(data("Error(string)", ["string"], ["nope"]))) == "the contract refused: nope"
