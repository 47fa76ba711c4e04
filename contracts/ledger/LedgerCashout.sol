// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";
import {LedgerCore} from "./LedgerCore.sol";

/// @title LedgerCashout
/// @notice Settlement in an ERC-20 chosen at deployment: reserves deposited by anyone, the
/// surplus above the liability taken out by the admin, withdrawal addresses bound after KYC, and
/// payouts that debit the balance and move the tokens in the same transaction. One ledger unit
/// is one base unit of the token.
/// @dev A settled payout is a `Paid` entry (the hash chain, the totals and every off-chain layer
/// treat it as any payout) followed by {PayoutSettled} naming the recipient. The liability and
/// the reserves share the core's settlement slot, which every entry moves; the token, the
/// limits, the bindings and the daily use live in this module's namespace. Transfers come last
/// (checks, effects, events, interactions) and every function that moves tokens is nonReentrant.
abstract contract LedgerCashout is LedgerCore, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant KYC_ROLE = keccak256("KYC_ROLE");

    /// @notice How long after a rebinding the new address waits before it may withdraw.
    uint256 public constant REBIND_COOLDOWN = 2 days;

    struct Binding {
        address account;
        uint40 activeFrom;
    }

    /// @dev A player's withdrawals: the UTC day of the last, the amount withdrawn that day, and
    /// how many there have been (the nonce the next one must name).
    struct Usage {
        uint40 day;
        uint128 used;
        uint88 count;
    }

    struct Limits {
        uint128 perWithdrawal;
        uint128 perDay;
    }

    /// @custom:storage-location erc7201:rewardsledger.storage.Cashout
    struct CashoutStorage {
        IERC20 token;
        Limits limits;
        mapping(bytes32 player => Binding) bindings;
        mapping(bytes32 player => Usage) usage;
    }

    // keccak256(abi.encode(uint256(keccak256("rewardsledger.storage.Cashout")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CASHOUT_STORAGE = 0x52dd7737a407314fb867b36350a74353b7c29cbca85e8ab83549a92f682a2800;

    constructor(address token, bool funded) {
        if (token != address(0)) _setSettlement(funded);
        else if (funded) revert CashoutTokenMissing();
        _cashout().token = IERC20(token);
    }

    // ---------------------------------------------------------------- reserves

    /// @inheritdoc IRewardsLedger
    function depositReserves(uint256 amount) external nonReentrant {
        IERC20 token = _token();
        if (amount == 0) revert LedgerZeroAmount();
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(_msgSender(), address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert CashoutDepositShort(amount, received);
        Settlement storage settlement = _settlement();
        uint256 reserves = settlement.reserves + amount;
        if (reserves > type(uint128).max) revert LedgerAmountTooLarge(reserves, type(uint128).max);
        settlement.reserves = uint128(reserves);
        emit ReservesDeposited(_msgSender(), amount, reserves);
    }

    /// @inheritdoc IRewardsLedger
    function withdrawSurplus(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        IERC20 token = _token();
        if (to == address(0)) revert CashoutAddressZero();
        if (amount == 0) revert LedgerZeroAmount();
        Settlement storage settlement = _settlement();
        uint256 reserves = settlement.reserves;
        uint256 liability = settlement.liability;
        uint256 surplus = reserves > liability ? reserves - liability : 0;
        if (amount > surplus) revert CashoutSurplusExceeded(amount, surplus);
        settlement.reserves = uint128(reserves - amount);
        emit SurplusWithdrawn(to, amount, reserves - amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- bindings and limits

    /// @inheritdoc IRewardsLedger
    function bindWithdrawalAddress(bytes32 player, address account, bytes32 attestation)
        external
        onlyRole(KYC_ROLE)
    {
        if (player == 0) revert PlayerKeyZero();
        if (account == address(0)) revert CashoutAddressZero();
        if (attestation == 0) revert LedgerReferenceZero();
        Binding storage binding = _cashout().bindings[player];
        uint256 activeFrom = binding.account == address(0) ? block.timestamp : block.timestamp + REBIND_COOLDOWN;
        binding.account = account;
        binding.activeFrom = uint40(activeFrom);
        // The first binding opens the player's usage slot, so the KYC transaction pays its first
        // write (20,000 gas) instead of the player's first withdrawal; nothing is withdrawn yet.
        Usage storage usage = _cashout().usage[player];
        if (usage.day == 0) usage.day = uint40(block.timestamp / 1 days);
        emit WithdrawalAddressBound(player, account, attestation, activeFrom);
    }

    /// @inheritdoc IRewardsLedger
    function setWithdrawalLimits(uint256 perWithdrawal, uint256 perDay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 larger = perWithdrawal > perDay ? perWithdrawal : perDay;
        if (larger > type(uint128).max) revert LedgerAmountTooLarge(larger, type(uint128).max);
        _cashout().limits = Limits(uint128(perWithdrawal), uint128(perDay));
        emit WithdrawalLimitsSet(perWithdrawal, perDay);
    }

    // ---------------------------------------------------------------- payouts in tokens

    /// @inheritdoc IRewardsLedger
    function withdraw(bytes32 player, uint256 amount, uint256 nonce) external nonReentrant returns (uint256 seq) {
        seq = _nextSeq();
        CashoutStorage storage $ = _cashout();
        address to = _boundAccount($, player, _msgSender());
        _checkAmount(amount, type(uint128).max);
        Limits memory limits = $.limits;
        if (amount > limits.perWithdrawal) revert CashoutLimitExceeded(amount, limits.perWithdrawal);
        Usage memory usage = $.usage[player];
        if (nonce != usage.count) revert CashoutNonceInvalid(player, nonce, usage.count);
        uint256 today = block.timestamp / 1 days;
        uint256 used = usage.day == today ? usage.used : 0;
        if (used + amount > limits.perDay) revert CashoutDailyLimitExceeded(player, used, amount, limits.perDay);
        $.usage[player] = Usage(uint40(today), uint128(used + amount), uint88(nonce + 1));
        _settle(seq, player, to, amount, keccak256(abi.encode(player, nonce)));
    }

    /// @inheritdoc IRewardsLedger
    function settlePayout(bytes32 player, uint256 amount, bytes32 ref)
        external
        onlyRole(PAYER_ROLE)
        nonReentrant
        returns (uint256 seq)
    {
        seq = _nextSeq();
        address to = _boundAccount(_cashout(), player, address(0));
        _checkAmount(amount, type(uint128).max);
        _useReference(ref, bytes32(seq));
        _settle(seq, player, to, amount, ref);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRewardsLedger
    function cashoutState() external view returns (address token, bool funded, uint256 reserves, uint256 liability) {
        return (address(_cashout().token), _funded(), _settlement().reserves, _liability());
    }

    /// @inheritdoc IRewardsLedger
    function bindingOf(bytes32 player) external view returns (address account, uint256 activeFrom) {
        Binding memory binding = _cashout().bindings[player];
        return (binding.account, binding.activeFrom);
    }

    /// @inheritdoc IRewardsLedger
    function withdrawalLimits() external view returns (uint256 perWithdrawal, uint256 perDay) {
        Limits memory limits = _cashout().limits;
        return (limits.perWithdrawal, limits.perDay);
    }

    /// @inheritdoc IRewardsLedger
    function withdrawalsOf(bytes32 player) external view returns (uint256 today, uint256 count) {
        Usage memory usage = _cashout().usage[player];
        return (usage.day == block.timestamp / 1 days ? usage.used : 0, usage.count);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The player's bound address, which must be `caller` (any, if zero) and past its cool-down.
    function _boundAccount(CashoutStorage storage $, bytes32 player, address caller) private view returns (address) {
        Binding memory binding = $.bindings[player];
        if (binding.account == address(0) || (caller != address(0) && binding.account != caller)) {
            revert CashoutNotBound(player, caller);
        }
        if (block.timestamp < binding.activeFrom) revert CashoutBindingCoolingDown(player, binding.activeFrom);
        return binding.account;
    }

    /// @dev A token payout: the balance and the reserves debited, the `Paid` entry appended
    /// (which lowers the liability by as much), the events, then the transfer.
    function _settle(uint256 seq, bytes32 player, address to, uint256 amount, bytes32 ref) private {
        IERC20 token = _token();
        _debit(player, amount);
        Settlement storage settlement = _settlement();
        uint256 reserves = settlement.reserves;
        if (reserves < amount) revert CashoutReservesShort(amount, reserves);
        settlement.reserves = uint128(reserves - amount);
        bytes32 head = _append(seq, EntryKind.Paid, 0, player, amount, ref, 0);
        emit PayoutRecorded(seq, player, amount, ref, head);
        emit PayoutSettled(seq, player, to, amount);
        token.safeTransfer(to, amount);
    }

    function _token() private view returns (IERC20 token) {
        token = _cashout().token;
        if (address(token) == address(0)) revert CashoutTokenUnset();
    }

    function _cashout() private pure returns (CashoutStorage storage $) {
        assembly {
            $.slot := CASHOUT_STORAGE
        }
    }
}
