// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerIssuance} from "./LedgerIssuance.sol";

/// @title LedgerPeriods
/// @notice Published rules and committed periods: each campaign's rules hashes as numbered
/// versions with an effective time, and each period's commitment (campaign, rules hash, root of
/// the salted activity leaves, leaf count, total), whose batches never issue more than the total.
/// @dev State in the ERC-7201 namespace `rewardsledger.storage.Periods`. A commitment stores two
/// words (the campaign; the total and what was issued against it); the rules hash, root and leaf
/// count are in its {PeriodCommitted} event, which a period id can have only once.
abstract contract LedgerPeriods is LedgerIssuance {
    struct RulesVersion {
        uint64 version;
        uint40 effectiveFrom;
    }

    struct Period {
        bytes32 campaignId;
        uint128 total;
        uint128 issued;
    }

    /// @custom:storage-location erc7201:rewardsledger.storage.Periods
    struct PeriodStorage {
        mapping(bytes32 campaignId => mapping(bytes32 rulesHash => RulesVersion)) rules;
        mapping(bytes32 campaignId => uint64) versions;
        mapping(bytes32 periodId => Period) periods;
    }

    // keccak256(abi.encode(uint256(keccak256("rewardsledger.storage.Periods")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PERIOD_STORAGE = 0xabfe8e6589830166632f7963e44e505f707eac71fccf76d83979e9325885c100;

    /// @inheritdoc IRewardsLedger
    function setCampaignRules(bytes32 campaignId, bytes32 rulesHash, uint256 effectiveFrom)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (!_campaignExists(campaignId)) revert CampaignUnknown(campaignId);
        if (rulesHash == 0 || effectiveFrom > type(uint40).max) revert RulesInvalid(campaignId, rulesHash, effectiveFrom);
        // never back-dated: a time already past means now
        uint256 effective = effectiveFrom < block.timestamp ? block.timestamp : effectiveFrom;
        PeriodStorage storage $ = _periodStorage();
        RulesVersion storage rules = $.rules[campaignId][rulesHash];
        if (rules.version != 0) revert RulesExists(campaignId, rulesHash);
        uint64 version = $.versions[campaignId] + 1;
        $.versions[campaignId] = version;
        rules.version = version;
        rules.effectiveFrom = uint40(effective);
        emit CampaignRulesSet(campaignId, version, rulesHash, effective);
    }

    /// @inheritdoc IRewardsLedger
    function commitPeriod(
        bytes32 periodId,
        bytes32 campaignId,
        bytes32 rulesHash,
        bytes32 root,
        uint256 leafCount,
        uint256 total
    ) external onlyRole(ISSUER_ROLE) {
        if (periodId == 0 || root == 0 || leafCount == 0 || leafCount > type(uint64).max) {
            revert PeriodInvalid(periodId);
        }
        if (total > type(uint128).max) revert LedgerAmountTooLarge(total, type(uint128).max);
        PeriodStorage storage $ = _periodStorage();
        RulesVersion memory rules = $.rules[campaignId][rulesHash];
        if (rules.version == 0) revert RulesUnknown(campaignId, rulesHash);
        if (block.timestamp < rules.effectiveFrom) {
            revert RulesNotEffective(campaignId, rulesHash, rules.effectiveFrom);
        }
        Period storage period = $.periods[periodId];
        if (period.campaignId != 0) revert PeriodExists(periodId);
        period.campaignId = campaignId;
        period.total = uint128(total);
        emit PeriodCommitted(periodId, campaignId, rulesHash, root, leafCount, total);
    }

    /// @inheritdoc IRewardsLedger
    function issuePeriodBatch(bytes32 batchId, bytes32 periodId, bytes calldata records)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 firstSeq)
    {
        firstSeq = _nextSeq();
        uint256 length = records.length;
        if (length == 0 || length % ROW_BYTES != 0) revert BatchMalformed(length);
        Period storage period = _periodStorage().periods[periodId];
        bytes32 campaignId = period.campaignId;
        if (campaignId == 0) revert PeriodUnknown(periodId);
        _useReference(batchId, _issueCommitment(firstSeq, campaignId, keccak256(records)));
        (bytes32 head, uint256 total) = _creditRows(records, firstSeq, campaignId, batchId, _head());
        uint256 issued = period.issued;
        if (issued + total > period.total) revert PeriodTotalExceeded(periodId, period.total, issued, total);
        period.issued = uint128(issued + total);
        _drawOnCampaign(campaignId, total);
        _advance(firstSeq + length / ROW_BYTES - 1, head, EntryKind.Issued, total);
        emit BatchIssued(batchId, campaignId, firstSeq, total, head, records);
        emit PeriodBatchIssued(periodId, batchId, total, issued + total);
    }

    /// @inheritdoc IRewardsLedger
    function rulesOf(bytes32 campaignId, bytes32 rulesHash)
        external
        view
        returns (uint256 version, uint256 effectiveFrom)
    {
        RulesVersion memory rules = _periodStorage().rules[campaignId][rulesHash];
        return (rules.version, rules.effectiveFrom);
    }

    /// @inheritdoc IRewardsLedger
    function periodOf(bytes32 periodId) external view returns (bytes32 campaignId, uint256 total, uint256 issued) {
        Period memory period = _periodStorage().periods[periodId];
        return (period.campaignId, period.total, period.issued);
    }

    function _periodStorage() private pure returns (PeriodStorage storage $) {
        assembly {
            $.slot := PERIOD_STORAGE
        }
    }
}
