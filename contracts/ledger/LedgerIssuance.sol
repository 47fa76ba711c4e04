// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerCampaigns} from "./LedgerCampaigns.sol";

/// @title LedgerIssuance
/// @notice Issuing rewards, one at a time or in batches, against a campaign's budget. An
/// issuance stores one commitment (under its reference or batch id) instead of one slot a reward;
/// {LedgerReversals} proves a reward against it.
/// @dev Keeps no state of its own: players, references and the chain are the core's, budgets
/// the campaigns'.
abstract contract LedgerIssuance is LedgerCampaigns {
    /// @dev The batch row codec (see {IRewardsLedger-BatchIssued}): 64 bytes a row, the player key
    /// in the first word, then one word with the row reference in its high 20 bytes and the
    /// amount in its low 12.
    uint256 internal constant ROW_BYTES = 64;
    uint256 internal constant ROW_INDEX_SHIFT = 6; // row index = byte offset >> 6
    uint256 internal constant ROW_PLAYER = 0x00;
    uint256 internal constant ROW_WORD = 0x20;
    uint256 internal constant ROW_AMOUNT_MASK = 0xffffffffffffffffffffffff;
    uint256 internal constant ROW_REF_MASK = 0xffffffffffffffffffffffffffffffffffffffff000000000000000000000000;

    /// @dev The most one reward may be, single or batch row: what a row's 12 amount bytes hold.
    uint256 internal constant MAX_AMOUNT = ROW_AMOUNT_MASK;

    /// @inheritdoc IRewardsLedger
    function issue(bytes32 campaignId, bytes32 player, uint256 amount, bytes32 ref)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 seq)
    {
        seq = _nextSeq();
        if (player == 0) revert PlayerKeyZero();
        _checkAmount(amount, MAX_AMOUNT);
        // A single issue commits like a batch of one row whose row reference is zero.
        _useReference(ref, _issueCommitment(seq, campaignId, keccak256(abi.encodePacked(player, amount))));
        _drawOnCampaign(campaignId, amount);
        _credit(player, amount);
        bytes32 head = _append(seq, EntryKind.Issued, campaignId, player, amount, ref, 0);
        emit RewardIssued(seq, campaignId, player, amount, ref, head);
    }

    /// @inheritdoc IRewardsLedger
    function issueBatch(bytes32 batchId, bytes32 campaignId, bytes calldata records)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 firstSeq)
    {
        firstSeq = _nextSeq();
        uint256 length = records.length;
        if (length == 0 || length % ROW_BYTES != 0) revert BatchMalformed(length);
        _useReference(batchId, _issueCommitment(firstSeq, campaignId, keccak256(records)));
        (bytes32 head, uint256 total) = _creditRows(records, firstSeq, campaignId, batchId, _head());
        _drawOnCampaign(campaignId, total);
        _advance(firstSeq + length / ROW_BYTES - 1, head, EntryKind.Issued, total);
        emit BatchIssued(batchId, campaignId, firstSeq, total, head, records);
    }

    /// @dev What an issuance's reference or batch id commits to.
    function _issueCommitment(uint256 firstSeq, bytes32 campaignId, bytes32 recordsHash)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(firstSeq, campaignId, recordsHash));
    }

    /// @dev Credits every row of a batch, the first being entry `seq`, and folds each into the hash chain: {LedgerCore-_credit}
    /// and {LedgerCore-_fold} a row, with the same checks (rows validated, balances and lifetime
    /// totals overflow-checked). In assembly because the measurement asked: the Solidity loop
    /// (slice bounds checks, a memory struct a row) cost about 1,700 gas a row on top of the
    /// storage write it exists for.
    function _creditRows(
        bytes calldata records,
        uint256 seq,
        bytes32 campaignId,
        bytes32 batchId,
        bytes32 head
    ) internal returns (bytes32, uint256 total) {
        uint256 entry; // the fold's preimage, in memory above the free pointer
        {
            uint256 kind = uint256(EntryKind.Issued);
            assembly ("memory-safe") {
                entry := mload(0x40)
                mstore(add(entry, FOLD_KIND), kind)
                mstore(add(entry, FOLD_CAMPAIGN), campaignId)
                mstore(add(entry, FOLD_AUX), batchId)
            }
        }
        uint256 rowInvalid = uint32(BatchRowInvalid.selector);
        mapping(bytes32 => Player) storage players = _players();
        assembly ("memory-safe") {
            mstore(0x20, players.slot)
            let end := add(records.offset, records.length)
            for { let row := records.offset } lt(row, end) { row := add(row, ROW_BYTES) } {
                let player := calldataload(add(row, ROW_PLAYER))
                let word := calldataload(add(row, ROW_WORD))
                let amount := and(word, ROW_AMOUNT_MASK)
                if or(iszero(player), iszero(amount)) {
                    mstore(0x00, shl(224, rowInvalid))
                    mstore(0x04, shr(ROW_INDEX_SHIFT, sub(row, records.offset)))
                    revert(0x00, 0x24)
                }
                mstore(0x00, player)
                let slot := keccak256(0x00, 0x40)
                let account := sload(slot)
                let credited := add(and(account, PLAYER_BALANCE_MASK), amount)
                let earned := add(shr(PLAYER_EARNED_SHIFT, account), amount)
                if or(shr(PLAYER_EARNED_SHIFT, credited), shr(PLAYER_EARNED_SHIFT, earned)) {
                    mstore(0x00, shl(224, PANIC_SELECTOR))
                    mstore(0x04, PANIC_OVERFLOW)
                    revert(0x00, 0x24)
                }
                sstore(slot, or(credited, shl(PLAYER_EARNED_SHIFT, earned)))
                mstore(add(entry, FOLD_HEAD), head)
                mstore(add(entry, FOLD_SEQ), seq)
                mstore(add(entry, FOLD_PLAYER), player)
                mstore(add(entry, FOLD_AMOUNT), amount)
                mstore(add(entry, FOLD_REF), and(word, ROW_REF_MASK))
                head := keccak256(entry, FOLD_BYTES)
                total := add(total, amount)
                seq := add(seq, 1)
            }
        }
        return (head, total);
    }
}
