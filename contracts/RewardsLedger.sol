// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LedgerCore} from "./ledger/LedgerCore.sol";
import {LedgerCampaigns} from "./ledger/LedgerCampaigns.sol";
import {LedgerIssuance} from "./ledger/LedgerIssuance.sol";
import {LedgerReversals} from "./ledger/LedgerReversals.sol";
import {LedgerDebits} from "./ledger/LedgerDebits.sol";
import {LedgerPeriods} from "./ledger/LedgerPeriods.sol";

/// @title RewardsLedger
/// @notice See {IRewardsLedger}: the deployed ledger, composed of its modules.
/// @dev {LedgerCore} owns the storage every entry touches and the one way to append an entry;
/// each module adds a feature and keeps any state of its own in its own ERC-7201 namespace, so
/// the order of this list moves no storage slot. A new feature is a new module (inheriting the
/// core, or the module whose internals it needs) and one more name in this list.
contract RewardsLedger is
    LedgerCore,
    LedgerCampaigns,
    LedgerIssuance,
    LedgerReversals,
    LedgerDebits,
    LedgerPeriods
{
    constructor(address admin) LedgerCore(admin) {}
}
