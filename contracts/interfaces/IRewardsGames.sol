// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRewardsGames
/// @notice Tiers, badges and tournaments over a RewardsLedger, each checkable by a player.
/// Tiers: a published table (its document's hash, up to 8 ascending thresholds on the ledger's
/// lifetime earned, a downgrade policy); a player's tier is read from the ledger in O(1).
/// Badges: non-transferable records, one per player and badge, with the badge rule's hash and
/// the evidence's hash. Tournaments: a scoring rule and prize table published by hash, standings
/// committed as Merkle roots of (player, score, rank), a final commitment after which they never
/// change, and one prize batch on the ledger whose total the contract checks against the table.
interface IRewardsGames {
    // ---------------------------------------------------------------- errors

    /// @notice A tier table that is empty, too long, not strictly ascending, or has a bad policy.
    error TierTableInvalid(uint256 index);
    /// @notice No tier table has been published yet.
    error TierTableUnset();
    /// @notice A badge id whose rule is already defined (a rule never changes).
    error BadgeExists(bytes32 badgeId);
    /// @notice A badge id with no published rule.
    error BadgeUnknown(bytes32 badgeId);
    /// @notice The player already holds this badge: a badge is awarded once.
    error BadgeAlreadyAwarded(bytes32 player, bytes32 badgeId);
    /// @notice A badge rule hash or evidence hash of zero.
    error BadgeHashZero();
    /// @notice The player key is zero.
    error GamesPlayerKeyZero();
    /// @notice A tournament id that already exists.
    error TournamentExists(bytes32 tournamentId);
    /// @notice A tournament id that does not exist.
    error TournamentUnknown(bytes32 tournamentId);
    /// @notice Bad tournament parameters (zero id or hashes, end not after start, no prizes).
    error TournamentInvalid(bytes32 tournamentId);
    /// @notice Standings committed before the tournament's start.
    error TournamentNotStarted(bytes32 tournamentId, uint256 start);
    /// @notice A final commitment before the tournament's end.
    error TournamentNotEnded(bytes32 tournamentId, uint256 end);
    /// @notice The final standings are committed: they can never change.
    error TournamentFinal(bytes32 tournamentId);
    /// @notice Prizes before the final standings.
    error TournamentNotFinal(bytes32 tournamentId);
    /// @notice The prizes were already issued.
    error TournamentPrizesIssued(bytes32 tournamentId);
    /// @notice A standings commitment with a zero root or no participants.
    error StandingsInvalid(bytes32 tournamentId);
    /// @notice A prize batch whose winners or total do not match the committed prize table.
    error PrizesMismatch(bytes32 tournamentId, uint256 expectedTotal, uint256 total, uint256 winners);

    // ---------------------------------------------------------------- events

    /// @notice A tier table was published (version counts from 1).
    event TierTablePublished(
        uint256 version, bytes32 tableHash, uint256[] thresholds, uint256 policy, uint256 holdSeconds, uint256 graceSeconds
    );
    /// @notice A player's held tier was recorded (`fromTier` == `toTier`: re-qualified).
    event TierRecorded(bytes32 indexed player, uint256 fromTier, uint256 toTier, uint256 earned, uint256 tableVersion);
    /// @notice A badge's rule was published.
    event BadgeDefined(bytes32 indexed badgeId, bytes32 ruleHash);
    /// @notice A badge was awarded to a player.
    event BadgeAwarded(bytes32 indexed player, bytes32 indexed badgeId, bytes32 ruleHash, bytes32 evidenceHash);
    /// @notice A tournament was created with its scoring rule and prize table.
    event TournamentCreated(
        bytes32 indexed tournamentId,
        bytes32 campaignId,
        bytes32 scoringHash,
        bytes32 prizeTableHash,
        uint256 prizeTotal,
        uint256 places,
        uint256 start,
        uint256 end
    );
    /// @notice Standings were committed: root of (bytes32 player, uint256 score, uint256 rank) leaves.
    event StandingsCommitted(
        bytes32 indexed tournamentId, uint256 index, bytes32 root, uint256 participants, bool isFinal
    );
    /// @notice The prizes went out as one ledger batch.
    event PrizesIssued(bytes32 indexed tournamentId, bytes32 batchId, uint256 total, uint256 winners);

    // ---------------------------------------------------------------- tiers

    /// @notice Publishes a tier table: ascending thresholds on lifetime earned (tier i when at
    /// least thresholds[i-1]), and its downgrade policy: 0 none (a held tier never drops), 1
    /// recheck (a held tier is kept `holdSeconds` after it was recorded and `graceSeconds` after
    /// a new table, then follows the figures). Admin only.
    function publishTierTable(
        bytes32 tableHash,
        uint256[] calldata thresholds,
        uint256 policy,
        uint256 holdSeconds,
        uint256 graceSeconds
    ) external;

    /// @notice Records the player's current tier as held (anyone may call).
    function syncTier(bytes32 player) external returns (uint256 tier);

    /// @notice The player's tier under the published table and policy.
    function tierOf(bytes32 player) external view returns (uint256);

    /// @notice The held tier and when it was recorded.
    function heldTierOf(bytes32 player) external view returns (uint256 tier, uint256 since);

    /// @notice The current tier table.
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
        );

    // ---------------------------------------------------------------- badges

    /// @notice Publishes a badge's rule hash (admin only; once per badge).
    function defineBadge(bytes32 badgeId, bytes32 ruleHash) external;

    /// @notice Awards a badge (awarder only): once per player and badge, never transferable.
    function awardBadge(bytes32 player, bytes32 badgeId, bytes32 evidenceHash) external;

    /// @notice A badge's rule hash (zero if undefined).
    function badgeRuleOf(bytes32 badgeId) external view returns (bytes32);

    /// @notice The evidence hash of a player's badge (zero if not awarded).
    function badgeOf(bytes32 player, bytes32 badgeId) external view returns (bytes32 evidenceHash);

    // ---------------------------------------------------------------- tournaments

    /// @notice Creates a tournament paying from `campaignId` (tournament role only).
    function createTournament(
        bytes32 tournamentId,
        bytes32 campaignId,
        bytes32 scoringHash,
        bytes32 prizeTableHash,
        uint256 prizeTotal,
        uint256 places,
        uint256 start,
        uint256 end
    ) external;

    /// @notice Commits standings; `isFinal` (only after the end) freezes them for good.
    function commitStandings(bytes32 tournamentId, bytes32 root, uint256 participants, bool isFinal) external;

    /// @notice Issues the prizes as one ledger batch (64-byte rows as `issueBatch` takes them):
    /// min(places, participants) winners whose total is the table's total when every place is
    /// filled, and at most it otherwise. Needs the ledger's issuer role; once per tournament.
    function issuePrizes(bytes32 tournamentId, bytes calldata records) external returns (uint256 firstSeq);

    /// @notice A tournament's state.
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
        );

    /// @notice The ledger batch id of a tournament's prizes.
    function prizeBatchId(bytes32 tournamentId) external pure returns (bytes32);

    /// @notice The ledger this contract reads and pays through.
    function ledger() external view returns (address);
}
