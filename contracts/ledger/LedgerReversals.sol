// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerIssuance} from "./LedgerIssuance.sol";

/// @title LedgerReversals
/// @notice Taking back part or all of one issued reward, once, proven against the commitment its
/// issuance stored.
/// @dev State in the ERC-7201 namespace `rewardsledger.storage.Reversals` (see {LedgerCore}).
abstract contract LedgerReversals is LedgerIssuance {
    /// @custom:storage-location erc7201:rewardsledger.storage.Reversals
    struct ReversalStorage {
        mapping(uint256 rewardSeq => uint256 reversalSeq) reversals;
    }

    // keccak256(abi.encode(uint256(keccak256("rewardsledger.storage.Reversals")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REVERSAL_STORAGE = 0x04fae99260c23d45ce772ecc48a2deeb9b2f8a4f0a974ad9b3bd326131e22900;

    /// @inheritdoc IRewardsLedger
    function reverse(RewardProof calldata proof, uint256 amount, bytes32 reason)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 seq)
    {
        seq = _nextSeq();
        (uint256 rewardSeq, bytes32 player, uint256 rewarded) = _provenReward(proof);
        mapping(uint256 => uint256) storage reversals = _reversals().reversals;
        uint256 reversalSeq = reversals[rewardSeq];
        if (reversalSeq != 0) revert RewardAlreadyReversed(rewardSeq, reversalSeq);
        if (amount == 0) revert LedgerZeroAmount();
        if (amount > rewarded) revert RewardReversalExceedsReward(rewardSeq, amount, rewarded);
        reversals[rewardSeq] = seq;
        _debit(player, amount);
        _recordReversal(seq, proof.campaignId, player, rewardSeq, amount, reason);
    }

    /// @inheritdoc IRewardsLedger
    function reversalOf(uint256 rewardSeq) external view returns (uint256) {
        return _reversals().reversals[rewardSeq];
    }

    function _recordReversal(
        uint256 seq,
        bytes32 campaignId,
        bytes32 player,
        uint256 rewardSeq,
        uint256 amount,
        bytes32 reason
    ) private {
        bytes32 head = _append(seq, EntryKind.Reversed, campaignId, player, amount, bytes32(rewardSeq), reason);
        emit RewardReversed(seq, campaignId, player, rewardSeq, amount, reason, head);
    }

    /// @dev Checks `proof` against the commitment stored under its id and returns the reward.
    function _provenReward(RewardProof calldata proof)
        private
        view
        returns (uint256 rewardSeq, bytes32 player, uint256 amount)
    {
        bytes32 expected = _issueCommitment(proof.firstSeq, proof.campaignId, keccak256(proof.records));
        uint256 offset = proof.index * ROW_BYTES;
        if (
            proof.id == 0 || _reference(proof.id) != expected || proof.records.length % ROW_BYTES != 0
                || offset >= proof.records.length
        ) revert RewardProofInvalid(proof.id);
        player = bytes32(proof.records[offset + ROW_PLAYER:offset + ROW_WORD]);
        amount = uint256(bytes32(proof.records[offset + ROW_WORD:offset + ROW_BYTES])) & ROW_AMOUNT_MASK;
        rewardSeq = proof.firstSeq + proof.index;
    }

    function _reversals() private pure returns (ReversalStorage storage $) {
        assembly {
            $.slot := REVERSAL_STORAGE
        }
    }
}
