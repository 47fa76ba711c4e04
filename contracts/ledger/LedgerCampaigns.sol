// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerCore} from "./LedgerCore.sol";

/// @title LedgerCampaigns
/// @notice Campaigns: a budget, a window and the hash of the terms, created and closed by the
/// admin, drawn on by issuance.
/// @dev State in the ERC-7201 namespace `rewardsledger.storage.Campaigns` (see {LedgerCore}).
abstract contract LedgerCampaigns is LedgerCore {
    /// @custom:storage-location erc7201:rewardsledger.storage.Campaigns
    struct CampaignStorage {
        mapping(bytes32 campaignId => Campaign) campaigns;
    }

    // keccak256(abi.encode(uint256(keccak256("rewardsledger.storage.Campaigns")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CAMPAIGN_STORAGE = 0x482c3c1227f353a4b16e8519eeb23de64ad9b84e53f31c660efbf3a75ebfd100;

    /// @inheritdoc IRewardsLedger
    function createCampaign(bytes32 campaignId, uint256 budget, bytes32 termsHash, uint256 start, uint256 end)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (campaignId == 0 || end <= start || end > type(uint40).max) {
            revert CampaignInvalid(campaignId, start, end);
        }
        if (budget == 0) revert LedgerZeroAmount();
        if (budget > type(uint128).max) revert LedgerAmountTooLarge(budget, type(uint128).max);
        Campaign storage campaign = _campaigns().campaigns[campaignId];
        if (campaign.end != 0) revert CampaignExists(campaignId);
        campaign.budget = uint128(budget);
        campaign.start = uint40(start);
        campaign.end = uint40(end);
        campaign.termsHash = termsHash;
        emit CampaignCreated(campaignId, budget, termsHash, start, end);
    }

    /// @inheritdoc IRewardsLedger
    function closeCampaign(bytes32 campaignId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Campaign storage campaign = _campaigns().campaigns[campaignId];
        if (campaign.end == 0) revert CampaignUnknown(campaignId);
        if (campaign.closed) revert CampaignAlreadyClosed(campaignId);
        campaign.closed = true;
        emit CampaignClosed(campaignId, campaign.issued);
    }

    /// @inheritdoc IRewardsLedger
    function campaignOf(bytes32 campaignId) external view returns (Campaign memory) {
        return _campaigns().campaigns[campaignId];
    }

    /// @dev Checks the campaign is open and has budget left for `amount`, then draws on it.
    function _drawOnCampaign(bytes32 campaignId, uint256 amount) internal {
        Campaign storage campaign = _campaigns().campaigns[campaignId];
        uint256 end = campaign.end;
        if (end == 0) revert CampaignUnknown(campaignId);
        if (campaign.closed) revert CampaignAlreadyClosed(campaignId);
        if (block.timestamp < campaign.start) revert CampaignNotStarted(campaignId, campaign.start);
        if (block.timestamp >= end) revert CampaignEnded(campaignId, end);
        uint256 issued = campaign.issued;
        if (issued + amount > campaign.budget) {
            revert CampaignBudgetExceeded(campaignId, campaign.budget, issued, amount);
        }
        campaign.issued = uint128(issued + amount);
    }

    /// @dev Whether a campaign was ever created (it may be closed or past its window).
    function _campaignExists(bytes32 campaignId) internal view returns (bool) {
        return _campaigns().campaigns[campaignId].end != 0;
    }

    function _campaigns() private pure returns (CampaignStorage storage $) {
        assembly {
            $.slot := CAMPAIGN_STORAGE
        }
    }
}
