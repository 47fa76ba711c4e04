// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRewardsGames} from "./interfaces/IRewardsGames.sol";
import {IRewardsLedger} from "./interfaces/IRewardsLedger.sol";

/// @title RewardsGames
/// @notice See {IRewardsGames}. A contract of its own beside the ledger: it reads the ledger's
/// views and pays prizes through the ledger's `issueBatch` (it holds the ledger's issuer role).
/// @dev Plain state variables (no ERC-7201 namespace): nothing reads this contract's slots.
contract RewardsGames is AccessControl, IRewardsGames {
    bytes32 public constant AWARDER_ROLE = keccak256("AWARDER_ROLE");
    bytes32 public constant TOURNAMENT_ROLE = keccak256("TOURNAMENT_ROLE");
    bytes32 private constant PRIZE_DOMAIN = keccak256("rewards-ledger/tournament-prizes/v1");

    uint256 private constant MAX_TIERS = 8;
    uint256 private constant POLICY_NONE = 0;
    uint256 private constant POLICY_RECHECK = 1;
    uint256 private constant ROW_BYTES = 64;
    uint256 private constant FINAL = 1;
    uint256 private constant PAID = 2;

    struct TierConfig {
        uint64 version;
        uint40 publishedAt;
        uint40 holdSeconds;
        uint40 graceSeconds;
        uint8 count;
        uint8 policy;
    }

    struct Held {
        uint8 tier;
        uint40 since;
    }

    struct Tournament {
        bytes32 campaignId;
        bytes32 finalRoot;
        uint96 prizeTotal;
        uint40 start;
        uint40 end;
        uint16 places;
        uint32 participants;
        uint24 commits;
        uint8 state;
    }

    IRewardsLedger private immutable _ledger;

    bytes32 private _tableHash;
    TierConfig private _tier;
    uint128[MAX_TIERS] private _thresholds;
    mapping(bytes32 player => Held) private _held;
    mapping(bytes32 badgeId => bytes32 ruleHash) private _badgeRules;
    mapping(bytes32 player => mapping(bytes32 badgeId => bytes32 evidenceHash)) private _badges;
    mapping(bytes32 tournamentId => Tournament) private _tournaments;

    constructor(address ledger_, address admin) {
        _ledger = IRewardsLedger(ledger_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- tiers

    /// @inheritdoc IRewardsGames
    function publishTierTable(
        bytes32 tableHash,
        uint256[] calldata thresholds,
        uint256 policy,
        uint256 holdSeconds,
        uint256 graceSeconds
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 count = thresholds.length;
        if (tableHash == 0 || count == 0 || count > MAX_TIERS) revert TierTableInvalid(count);
        if (policy > POLICY_RECHECK || holdSeconds > type(uint40).max || graceSeconds > type(uint40).max) {
            revert TierTableInvalid(count);
        }
        uint256 previous = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 threshold = thresholds[i];
            if (threshold <= previous || threshold > type(uint128).max) revert TierTableInvalid(i);
            _thresholds[i] = uint128(threshold);
            previous = threshold;
        }
        for (uint256 i = count; i < MAX_TIERS; ++i) {
            if (_thresholds[i] != 0) _thresholds[i] = 0;
        }
        uint64 version = _tier.version + 1;
        _tableHash = tableHash;
        _tier = TierConfig(
            version, uint40(block.timestamp), uint40(holdSeconds), uint40(graceSeconds), uint8(count), uint8(policy)
        );
        emit TierTablePublished(version, tableHash, thresholds, policy, holdSeconds, graceSeconds);
    }

    /// @inheritdoc IRewardsGames
    function syncTier(bytes32 player) external returns (uint256 tier) {
        if (player == 0) revert GamesPlayerKeyZero();
        (uint256 earned, uint256 computed) = _computed(player);
        Held memory held = _held[player];
        tier = _apply(computed, held);
        // a tier the figures support is re-qualified now; a kept one keeps its date
        uint40 since = tier == computed ? uint40(block.timestamp) : held.since;
        _held[player] = Held(uint8(tier), since);
        emit TierRecorded(player, held.tier, tier, earned, _tier.version);
    }

    /// @inheritdoc IRewardsGames
    function tierOf(bytes32 player) external view returns (uint256) {
        (, uint256 computed) = _computed(player);
        return _apply(computed, _held[player]);
    }

    /// @inheritdoc IRewardsGames
    function heldTierOf(bytes32 player) external view returns (uint256 tier, uint256 since) {
        Held memory held = _held[player];
        return (held.tier, held.since);
    }

    /// @inheritdoc IRewardsGames
    function tierTable()
        external
        view
        returns (
            bytes32 tableHash,
            uint256 version,
            uint256 publishedAt,
            uint256 policy,
            uint256 holdSeconds,
            uint256 graceSeconds,
            uint256[] memory thresholds
        )
    {
        TierConfig memory config = _tier;
        thresholds = new uint256[](config.count);
        for (uint256 i = 0; i < config.count; ++i) {
            thresholds[i] = _thresholds[i];
        }
        return (_tableHash, config.version, config.publishedAt, config.policy, config.holdSeconds, config.graceSeconds, thresholds);
    }

    /// @dev The ledger's lifetime earned and the tier it reaches: a binary search over at most
    /// eight thresholds (three reads of the four threshold slots).
    function _computed(bytes32 player) private view returns (uint256 earned, uint256 tier) {
        uint256 count = _tier.count;
        if (count == 0) revert TierTableUnset();
        (, earned) = _ledger.playerOf(player);
        uint256 low = 0;
        uint256 high = count;
        while (low < high) {
            uint256 mid = (low + high) >> 1;
            if (earned >= _thresholds[mid]) low = mid + 1;
            else high = mid;
        }
        tier = low;
    }

    /// @dev The published policy: up at once; down never (policy none), or only once the held
    /// tier is `holdSeconds` old and the table `graceSeconds` old (policy recheck).
    function _apply(uint256 computed, Held memory held) private view returns (uint256) {
        if (computed >= held.tier) return computed;
        TierConfig memory config = _tier;
        if (config.policy == POLICY_NONE) return held.tier;
        uint256 keptUntil = uint256(held.since) + config.holdSeconds;
        uint256 graceUntil = uint256(config.publishedAt) + config.graceSeconds;
        if (graceUntil > keptUntil) keptUntil = graceUntil;
        return block.timestamp < keptUntil ? held.tier : computed;
    }

    // ---------------------------------------------------------------- badges

    /// @inheritdoc IRewardsGames
    function defineBadge(bytes32 badgeId, bytes32 ruleHash) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (badgeId == 0 || ruleHash == 0) revert BadgeHashZero();
        if (_badgeRules[badgeId] != 0) revert BadgeExists(badgeId);
        _badgeRules[badgeId] = ruleHash;
        emit BadgeDefined(badgeId, ruleHash);
    }

    /// @inheritdoc IRewardsGames
    function awardBadge(bytes32 player, bytes32 badgeId, bytes32 evidenceHash) external onlyRole(AWARDER_ROLE) {
        if (player == 0) revert GamesPlayerKeyZero();
        if (evidenceHash == 0) revert BadgeHashZero();
        bytes32 ruleHash = _badgeRules[badgeId];
        if (ruleHash == 0) revert BadgeUnknown(badgeId);
        if (_badges[player][badgeId] != 0) revert BadgeAlreadyAwarded(player, badgeId);
        _badges[player][badgeId] = evidenceHash;
        emit BadgeAwarded(player, badgeId, ruleHash, evidenceHash);
    }

    /// @inheritdoc IRewardsGames
    function badgeRuleOf(bytes32 badgeId) external view returns (bytes32) {
        return _badgeRules[badgeId];
    }

    /// @inheritdoc IRewardsGames
    function badgeOf(bytes32 player, bytes32 badgeId) external view returns (bytes32) {
        return _badges[player][badgeId];
    }

    // ---------------------------------------------------------------- tournaments

    /// @inheritdoc IRewardsGames
    function createTournament(
        bytes32 tournamentId,
        bytes32 campaignId,
        bytes32 scoringHash,
        bytes32 prizeTableHash,
        uint256 prizeTotal,
        uint256 places,
        uint256 start,
        uint256 end
    ) external onlyRole(TOURNAMENT_ROLE) {
        if (
            tournamentId == 0 || campaignId == 0 || scoringHash == 0 || prizeTableHash == 0 || prizeTotal == 0
                || prizeTotal > type(uint96).max || places == 0 || places > type(uint16).max || end <= start
                || end > type(uint40).max
        ) revert TournamentInvalid(tournamentId);
        Tournament storage t = _tournaments[tournamentId];
        if (t.end != 0) revert TournamentExists(tournamentId);
        t.campaignId = campaignId;
        t.prizeTotal = uint96(prizeTotal);
        t.start = uint40(start);
        t.end = uint40(end);
        t.places = uint16(places);
        emit TournamentCreated(tournamentId, campaignId, scoringHash, prizeTableHash, prizeTotal, places, start, end);
    }

    /// @inheritdoc IRewardsGames
    function commitStandings(bytes32 tournamentId, bytes32 root, uint256 participants, bool isFinal)
        external
        onlyRole(TOURNAMENT_ROLE)
    {
        Tournament storage t = _existing(tournamentId);
        if (t.state & FINAL != 0) revert TournamentFinal(tournamentId);
        if (root == 0 || participants == 0 || participants > type(uint32).max) revert StandingsInvalid(tournamentId);
        if (block.timestamp < t.start) revert TournamentNotStarted(tournamentId, t.start);
        if (isFinal) {
            if (block.timestamp < t.end) revert TournamentNotEnded(tournamentId, t.end);
            t.finalRoot = root;
            t.state = uint8(FINAL);
        }
        uint24 index = t.commits + 1;
        t.commits = index;
        t.participants = uint32(participants);
        emit StandingsCommitted(tournamentId, index, root, participants, isFinal);
    }

    /// @inheritdoc IRewardsGames
    function issuePrizes(bytes32 tournamentId, bytes calldata records)
        external
        onlyRole(TOURNAMENT_ROLE)
        returns (uint256 firstSeq)
    {
        Tournament storage t = _existing(tournamentId);
        uint256 state = t.state;
        if (state & FINAL == 0) revert TournamentNotFinal(tournamentId);
        if (state & PAID != 0) revert TournamentPrizesIssued(tournamentId);
        uint256 winners = records.length / ROW_BYTES;
        uint256 total = 0;
        for (uint256 offset = 0; offset + ROW_BYTES <= records.length; offset += ROW_BYTES) {
            total += uint96(bytes12(records[offset + 52:offset + ROW_BYTES]));
        }
        uint256 places = t.places;
        uint256 expected = t.prizeTotal;
        bool filled = t.participants >= places;
        if (
            records.length % ROW_BYTES != 0 || winners != (filled ? places : t.participants)
                || (filled ? total != expected : total > expected)
        ) revert PrizesMismatch(tournamentId, expected, total, winners);
        t.state = uint8(state | PAID);
        bytes32 batchId = prizeBatchId(tournamentId);
        emit PrizesIssued(tournamentId, batchId, total, winners);
        firstSeq = _ledger.issueBatch(batchId, t.campaignId, records);
    }

    /// @inheritdoc IRewardsGames
    function tournamentOf(bytes32 tournamentId)
        external
        view
        returns (
            bytes32 campaignId,
            bytes32 finalRoot,
            uint256 prizeTotal,
            uint256 places,
            uint256 start,
            uint256 end,
            uint256 participants,
            uint256 commits,
            bool isFinal,
            bool prizesIssued
        )
    {
        Tournament memory t = _tournaments[tournamentId];
        return (
            t.campaignId, t.finalRoot, t.prizeTotal, t.places, t.start, t.end, t.participants, t.commits,
            t.state & FINAL != 0, t.state & PAID != 0
        );
    }

    /// @inheritdoc IRewardsGames
    function prizeBatchId(bytes32 tournamentId) public pure returns (bytes32) {
        return keccak256(abi.encode(PRIZE_DOMAIN, tournamentId));
    }

    /// @inheritdoc IRewardsGames
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    function _existing(bytes32 tournamentId) private view returns (Tournament storage t) {
        t = _tournaments[tournamentId];
        if (t.end == 0) revert TournamentUnknown(tournamentId);
    }
}
