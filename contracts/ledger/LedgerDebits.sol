// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerCore} from "./LedgerCore.sol";

/// @title LedgerDebits
/// @notice Payouts and expiries: entries that spend a used-once reference and part of a
/// player's balance, never more than the balance.
/// @dev Keeps no state of its own (see {LedgerCore}).
abstract contract LedgerDebits is LedgerCore {
    /// @inheritdoc IRewardsLedger
    function recordPayout(bytes32 player, uint256 amount, bytes32 ref)
        external
        onlyRole(PAYER_ROLE)
        returns (uint256 seq)
    {
        seq = _nextSeq();
        _debitBalance(player, amount, ref, seq);
        bytes32 head = _append(seq, EntryKind.Paid, 0, player, amount, ref, 0);
        emit PayoutRecorded(seq, player, amount, ref, head);
    }

    /// @inheritdoc IRewardsLedger
    function expire(bytes32 player, uint256 amount, bytes32 ref, bytes32 reason)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 seq)
    {
        seq = _nextSeq();
        _debitBalance(player, amount, ref, seq);
        bytes32 head = _append(seq, EntryKind.Expired, 0, player, amount, ref, reason);
        emit BalanceExpired(seq, player, amount, ref, reason, head);
    }

    /// @dev Shared checks and effects of payouts and expiries: the reference is spent, storing
    /// the entry's seq, and the balance debited.
    function _debitBalance(bytes32 player, uint256 amount, bytes32 ref, uint256 seq) private {
        if (player == 0) revert PlayerKeyZero();
        _checkAmount(amount, type(uint128).max);
        _useReference(ref, bytes32(seq));
        _debit(player, amount);
    }
}
