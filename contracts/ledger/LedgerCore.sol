// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRewardsLedger} from "../interfaces/IRewardsLedger.sol";

/// @title LedgerCore
/// @notice The state every entry touches (players, the hash chain, the totals, the used
/// references, the pause flag) and the one way to append an entry. Each feature is a module that
/// inherits this core and keeps its own state in its own namespace.
/// @dev Storage layout. The ledger's state lives in ERC-7201 namespaced storage, one namespace a
/// module (this one is `rewardsledger.storage.Core`), and never in the sequential slots, which
/// hold only OpenZeppelin AccessControl's role table. Why: storage proofs (EIP-1186, served by the
/// API and checked by `ledger verify`) address a player's slot directly, so that slot must not
/// move when a dependency adds or drops a variable, when bases are listed in another order, or
/// when a later module (periods, settlement, tiers) adds state of its own; a namespace's root is
/// a hash of its name, fixed for ever. The pause flag is the ledger's own, in the slot the entry
/// count and issued total share, so an issuance reads and writes one slot for all three.
/// A player's slot is keccak256(player ‖ root), `players` being the namespace's first member.
abstract contract LedgerCore is IRewardsLedger, AccessControl {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    bytes32 public constant PAYER_ROLE = keccak256("PAYER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev Entry kinds whose totals {CoreStorage} keeps room for (see {IRewardsLedger-EntryKind}).
    uint256 internal constant MAX_KINDS = 16;

    /// @dev A player's slot, as batch issuance writes it in assembly: balance in the low 128 bits,
    /// lifetime earned in the high 128 (the layout of {Player}).
    uint256 internal constant PLAYER_BALANCE_MASK = 0xffffffffffffffffffffffffffffffff;
    uint256 internal constant PLAYER_EARNED_SHIFT = 128;

    /// @dev {Chain} read and written as one word by the entry paths (Solidity's member accesses
    /// measured 100 to 300 gas more an entry, one storage read or write each): the pause flag in
    /// the lowest byte, the entry count in the next 8 bytes, the issued total in the 16 above.
    uint256 internal constant CHAIN_PAUSED_MASK = 0xff;
    uint256 internal constant CHAIN_COUNT_SHIFT = 8;
    uint256 internal constant CHAIN_COUNT_MASK = 0xffffffffffffffff;
    uint256 internal constant CHAIN_ISSUED_SHIFT = 72;
    uint256 internal constant CHAIN_FUNDED_BIT = 1 << 200;
    uint256 internal constant CHAIN_SETTLES_BIT = 1 << 208;

    /// @dev The fold's preimage, abi.encode(head, seq, kind, campaignId, player, amount, ref, aux):
    /// byte offsets of its eight words and its length.
    uint256 internal constant FOLD_HEAD = 0x00;
    uint256 internal constant FOLD_SEQ = 0x20;
    uint256 internal constant FOLD_KIND = 0x40;
    uint256 internal constant FOLD_CAMPAIGN = 0x60;
    uint256 internal constant FOLD_PLAYER = 0x80;
    uint256 internal constant FOLD_AMOUNT = 0xa0;
    uint256 internal constant FOLD_REF = 0xc0;
    uint256 internal constant FOLD_AUX = 0xe0;
    uint256 internal constant FOLD_BYTES = 0x100;

    /// @dev Solidity's `Panic(uint256)` selector and its arithmetic-overflow code, for assembly
    /// that checks its own arithmetic.
    uint256 internal constant PANIC_SELECTOR = 0x4e487b71;
    uint256 internal constant PANIC_OVERFLOW = 0x11;

    struct Player {
        uint128 balance;
        uint128 earned;
    }

    /// @dev The slot every entry reads (pause flag, count) and issuance writes (count, issued).
    struct Chain {
        bool paused;
        uint64 entryCount;
        uint128 issued;
        bool funded; // set at deployment: issuance must leave the liability within the reserves
        bool settles; // set at deployment with a settlement token: the liability is kept in storage
    }

    /// @dev Read and written together by every entry in funded mode: what the ledger owes (every
    /// player's outstanding balance) and the settlement tokens it holds for it.
    struct Settlement {
        uint128 liability;
        uint128 reserves;
    }

    /// @custom:storage-location erc7201:rewardsledger.storage.Core
    struct CoreStorage {
        // first member: a player's slot is keccak256(player ‖ the namespace's root)
        mapping(bytes32 player => Player) players;
        Chain chain;
        bytes32 head;
        // the amount each kind has moved, by kind; Issued's total is `chain.issued` instead
        uint256[MAX_KINDS] totals;
        // zero if unused; else an issuance's commitment, or a payout's or expiry's seq
        mapping(bytes32 ref => bytes32) references;
        Settlement settlement;
    }

    // keccak256(abi.encode(uint256(keccak256("rewardsledger.storage.Core")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CORE_STORAGE = 0xd594c63545b750c055785b99758b808ede8d0802f14805377185508496e36900;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- pause

    /// @inheritdoc IRewardsLedger
    function pause() external onlyRole(PAUSER_ROLE) {
        Chain storage chain = _core().chain;
        if (chain.paused) revert EnforcedPause();
        chain.paused = true;
        emit Paused(_msgSender());
    }

    /// @inheritdoc IRewardsLedger
    function unpause() external onlyRole(PAUSER_ROLE) {
        Chain storage chain = _core().chain;
        if (!chain.paused) revert ExpectedPause();
        chain.paused = false;
        emit Unpaused(_msgSender());
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRewardsLedger
    function paused() external view returns (bool) {
        return _core().chain.paused;
    }

    /// @inheritdoc IRewardsLedger
    function balanceOf(bytes32 player) external view returns (uint256) {
        return _core().players[player].balance;
    }

    /// @inheritdoc IRewardsLedger
    function playerOf(bytes32 player) external view returns (uint256 balance, uint256 earned) {
        Player memory account = _core().players[player];
        return (account.balance, account.earned);
    }

    /// @inheritdoc IRewardsLedger
    function totals() external view returns (uint256 issued, uint256 paid, uint256 reversed, uint256 expired) {
        CoreStorage storage $ = _core();
        uint256[MAX_KINDS] storage moved = $.totals;
        return (
            $.chain.issued,
            moved[uint8(EntryKind.Paid)],
            moved[uint8(EntryKind.Reversed)],
            moved[uint8(EntryKind.Expired)]
        );
    }

    /// @inheritdoc IRewardsLedger
    function chainState() external view returns (uint256 entryCount, bytes32 head) {
        CoreStorage storage $ = _core();
        return ($.chain.entryCount, $.head);
    }

    /// @inheritdoc IRewardsLedger
    function referenceOf(bytes32 ref) external view returns (bytes32) {
        return _core().references[ref];
    }

    // ---------------------------------------------------------------- appending entries

    /// @dev The sequence number the next entry takes. Every entry path calls it first: it is the
    /// pause check too, and reads the slot the entry's count and total are written to later.
    function _nextSeq() internal view returns (uint256) {
        uint256 word = _chainWord();
        if (word & CHAIN_PAUSED_MASK != 0) revert EnforcedPause();
        return ((word >> CHAIN_COUNT_SHIFT) & CHAIN_COUNT_MASK) + 1;
    }

    /// @dev Appends entry `seq`: fold, head, count, total. The caller has made the entry's checks
    /// and effects and emits the kind's event with the head returned.
    function _append(
        uint256 seq,
        EntryKind kind,
        bytes32 campaignId,
        bytes32 player,
        uint256 amount,
        bytes32 ref,
        bytes32 aux
    ) internal returns (bytes32 head) {
        head = _fold(_core().head, seq, kind, campaignId, player, amount, ref, aux);
        _advance(seq, head, kind, amount);
    }

    /// @dev {_append}'s second half, alone for batches (which fold their rows in assembly): stores
    /// `head`, the head after entry `lastSeq`, sets the count to `lastSeq` and adds `amount` to
    /// `kind`'s total (Issued's in the chain slot, which is read and written once).
    function _advance(uint256 lastSeq, bytes32 head, EntryKind kind, uint256 amount) internal {
        CoreStorage storage $ = _core();
        $.head = head;
        uint256 word = _chainWord();
        uint128 issued = uint128(word >> CHAIN_ISSUED_SHIFT);
        if (kind == EntryKind.Issued) issued += uint128(amount);
        else $.totals[uint8(kind)] += amount;
        if (word & CHAIN_SETTLES_BIT != 0) _moveLiability(kind, amount, word & CHAIN_FUNDED_BIT != 0);
        word = (word & (CHAIN_PAUSED_MASK | CHAIN_FUNDED_BIT | CHAIN_SETTLES_BIT))
            | ((lastSeq & CHAIN_COUNT_MASK) << CHAIN_COUNT_SHIFT) | (uint256(issued) << CHAIN_ISSUED_SHIFT);
        Chain storage chain = $.chain;
        assembly ("memory-safe") {
            sstore(chain.slot, word)
        }
    }

    /// @dev Moves the stored liability by one entry's amount (issuance adds, every other kind
    /// debits a balance, never below zero); in funded mode an issuance must stay within the reserves.
    function _moveLiability(EntryKind kind, uint256 amount, bool funded) private {
        Settlement storage settlement = _core().settlement;
        uint256 liability = settlement.liability;
        if (kind == EntryKind.Issued) {
            liability += amount;
            if (funded && liability > settlement.reserves) revert CashoutReservesShort(liability, settlement.reserves);
        } else {
            liability -= amount;
        }
        settlement.liability = uint128(liability);
    }

    /// @dev {Chain} as the one word it is.
    function _chainWord() private view returns (uint256 word) {
        Chain storage chain = _core().chain;
        assembly ("memory-safe") {
            word := sload(chain.slot)
        }
    }

    /// @dev head_n = keccak256(abi.encode(head_{n-1}, n, kind, campaignId, player, amount, ref, aux)).
    /// Hashed in scratch memory above the free pointer: abi.encode would allocate 256 bytes a row,
    /// and memory growth made a 1,000-row batch pay quadratic expansion costs.
    function _fold(
        bytes32 head,
        uint256 seq,
        EntryKind kind,
        bytes32 campaignId,
        bytes32 player,
        uint256 amount,
        bytes32 ref,
        bytes32 aux
    ) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(add(p, FOLD_HEAD), head)
            mstore(add(p, FOLD_SEQ), seq)
            mstore(add(p, FOLD_KIND), kind)
            mstore(add(p, FOLD_CAMPAIGN), campaignId)
            mstore(add(p, FOLD_PLAYER), player)
            mstore(add(p, FOLD_AMOUNT), amount)
            mstore(add(p, FOLD_REF), ref)
            mstore(add(p, FOLD_AUX), aux)
            result := keccak256(p, FOLD_BYTES)
        }
    }

    // ---------------------------------------------------------------- shared checks and effects

    function _checkAmount(uint256 amount, uint256 max) internal pure {
        if (amount == 0) revert LedgerZeroAmount();
        if (amount > max) revert LedgerAmountTooLarge(amount, max);
    }

    /// @dev Spends `ref` for good, storing what it committed to.
    function _useReference(bytes32 ref, bytes32 value) internal {
        if (ref == 0) revert LedgerReferenceZero();
        mapping(bytes32 => bytes32) storage references = _core().references;
        if (references[ref] != 0) revert LedgerReferenceUsed(ref);
        references[ref] = value;
    }

    function _reference(bytes32 ref) internal view returns (bytes32) {
        return _core().references[ref];
    }

    function _head() internal view returns (bytes32) {
        return _core().head;
    }

    function _credit(bytes32 player, uint256 amount) internal {
        mapping(bytes32 => Player) storage players = _core().players;
        Player memory account = players[player];
        players[player] = Player(account.balance + uint128(amount), account.earned + uint128(amount));
    }

    function _debit(bytes32 player, uint256 amount) internal {
        Player storage account = _core().players[player];
        uint256 balance = account.balance;
        if (balance < amount) revert PlayerInsufficientBalance(player, balance, amount);
        account.balance = uint128(balance - amount);
    }

    /// @dev The liability and the reserves, for the settlement module.
    function _settlement() internal view returns (Settlement storage) {
        return _core().settlement;
    }

    /// @dev Chooses settlement in a token (the liability is kept from the first entry on) and
    /// funded mode, at deployment.
    function _setSettlement(bool funded) internal {
        Chain storage chain = _core().chain;
        chain.settles = true;
        chain.funded = funded;
    }

    /// @dev Every player's outstanding balance, summed: kept in storage by a settling ledger,
    /// derived from the totals by a record-only one (whose entries skip the write).
    function _liability() internal view returns (uint256) {
        CoreStorage storage $ = _core();
        if ($.chain.settles) return $.settlement.liability;
        uint256[MAX_KINDS] storage moved = $.totals;
        return $.chain.issued - moved[uint8(EntryKind.Paid)] - moved[uint8(EntryKind.Reversed)]
            - moved[uint8(EntryKind.Expired)];
    }

    /// @dev Whether issuance must stay backed by the reserves.
    function _funded() internal view returns (bool) {
        return _core().chain.funded;
    }

    /// @dev The players mapping, for code that computes a player's slot itself.
    function _players() internal view returns (mapping(bytes32 => Player) storage) {
        return _core().players;
    }

    function _core() private pure returns (CoreStorage storage $) {
        assembly {
            $.slot := CORE_STORAGE
        }
    }
}
