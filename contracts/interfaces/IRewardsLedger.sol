// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Transparent rewards ledger
/// @notice Records every reward issued and every payout made by a loyalty or bonus program as a
/// numbered ledger entry, folded into an on-chain hash chain so that anyone holding the entries can
/// prove a mirror of them complete and unaltered.
/// @dev Players are pseudonymous `bytes32` keys; nothing personal is ever stored. Every
/// balance-changing act is an entry with a global sequence number `seq` (from 1), and
/// `head_n = keccak256(abi.encode(head_{n-1}, n, kind, campaignId, player, amount, ref, aux))`.
/// What `ref` and `aux` hold depends on the kind (see {EntryKind}).
interface IRewardsLedger {
    /// @notice The kinds of ledger entries, as folded into the hash chain.
    /// @dev `Issued`: ref = reference (single issue) or the row reference (batch), aux = 0 or the
    /// batch id. `Paid`: ref = payment reference. `Reversed`: ref = the reversed entry's seq,
    /// aux = reason. `Expired`: ref = expiry reference, aux = reason.
    ///
    /// Adding a kind: append it here (never reorder or remove one: its number is folded into
    /// every head, so existing chains would stop verifying), say above what its `ref` and `aux`
    /// hold, and declare its past-tense event below with `seq` and `head`. Its entry path lives in
    /// a module that inherits `LedgerCore`: it takes its number from `_nextSeq()` (which also
    /// refuses entries while paused), makes its checks and effects, records the entry with
    /// `_append` (fold, head, count, and the amount added to the kind's total, kept for up to
    /// `LedgerCore.MAX_KINDS` kinds) and emits its event with the head `_append` returns. Off
    /// chain, the same number goes into `ledger/hashchain.py`'s `EntryKind` and the entry model
    /// that decodes the event.
    enum EntryKind {
        None,
        Issued,
        Paid,
        Reversed,
        Expired
    }

    /// @notice A campaign's budget, use and terms.
    struct Campaign {
        uint128 budget;
        uint128 issued;
        uint40 start;
        uint40 end;
        bool closed;
        bytes32 termsHash;
    }

    /// @notice Names one issued reward by the issuance that created it, for a reversal.
    /// @param id the single issue's reference or the batch id
    /// @param campaignId the campaign the issuance drew on
    /// @param firstSeq the sequence number of the issuance's first entry
    /// @param records the issuance's packed records, exactly as committed (64 bytes a row)
    /// @param index the row of the reward within `records`
    struct RewardProof {
        bytes32 id;
        bytes32 campaignId;
        uint256 firstSeq;
        bytes records;
        uint256 index;
    }

    // ---------------------------------------------------------------- errors

    /// @notice The campaign id is already taken.
    error CampaignExists(bytes32 campaignId);
    /// @notice No campaign has this id.
    error CampaignUnknown(bytes32 campaignId);
    /// @notice The campaign was closed and takes no more issuance.
    error CampaignAlreadyClosed(bytes32 campaignId);
    /// @notice The campaign's window has not opened yet.
    error CampaignNotStarted(bytes32 campaignId, uint256 start);
    /// @notice The campaign's window has ended.
    error CampaignEnded(bytes32 campaignId, uint256 end);
    /// @notice A campaign window must end after it starts, and campaign ids must be non-zero.
    error CampaignInvalid(bytes32 campaignId, uint256 start, uint256 end);
    /// @notice Issuing `amount` would take the campaign past its budget.
    error CampaignBudgetExceeded(bytes32 campaignId, uint256 budget, uint256 issued, uint256 amount);
    /// @notice Player keys must be non-zero.
    error PlayerKeyZero();
    /// @notice The player's balance cannot cover `amount`.
    error PlayerInsufficientBalance(bytes32 player, uint256 balance, uint256 amount);
    /// @notice Amounts must be positive.
    error LedgerZeroAmount();
    /// @notice A single reward, and each batch row, is at most `max` (2**96 - 1).
    error LedgerAmountTooLarge(uint256 amount, uint256 max);
    /// @notice This reference (issue reference, batch id, payment or expiry reference) was used.
    error LedgerReferenceUsed(bytes32 ref);
    /// @notice References must be non-zero.
    error LedgerReferenceZero();
    /// @notice Batch records must be a non-empty whole number of 64-byte rows.
    error BatchMalformed(uint256 length);
    /// @notice A batch row has a zero player key or a zero amount.
    error BatchRowInvalid(uint256 index);
    /// @notice The proof does not match what was issued under `id`.
    error RewardProofInvalid(bytes32 id);
    /// @notice The reward at `rewardSeq` was already reversed, by entry `reversalSeq`.
    error RewardAlreadyReversed(uint256 rewardSeq, uint256 reversalSeq);
    /// @notice A reversal cannot take back more than the reward it names.
    error RewardReversalExceedsReward(uint256 rewardSeq, uint256 amount, uint256 rewarded);
    /// @notice Rules hashes must be non-zero and effective times fit in 40 bits.
    error RulesInvalid(bytes32 campaignId, bytes32 rulesHash, uint256 effectiveFrom);
    /// @notice This rules hash is already a version of the campaign's rules.
    error RulesExists(bytes32 campaignId, bytes32 rulesHash);
    /// @notice This rules hash is not a version of the campaign's rules.
    error RulesUnknown(bytes32 campaignId, bytes32 rulesHash);
    /// @notice This version of the rules takes effect only at `effectiveFrom`.
    error RulesNotEffective(bytes32 campaignId, bytes32 rulesHash, uint256 effectiveFrom);
    /// @notice The period id is already committed.
    error PeriodExists(bytes32 periodId);
    /// @notice No period has been committed under this id.
    error PeriodUnknown(bytes32 periodId);
    /// @notice A commitment needs a non-zero period id and root, and between 1 and 2**64 - 1 leaves.
    error PeriodInvalid(bytes32 periodId);
    /// @notice The period's batches together cannot exceed the total its commitment states.
    error PeriodTotalExceeded(bytes32 periodId, uint256 total, uint256 issued, uint256 amount);
    /// @notice The ledger is paused and takes no entries. Named, like {ExpectedPause}, {Paused} and
    /// {Unpaused}, as in OpenZeppelin's `Pausable`, so the selectors and topics that operators'
    /// tooling decodes stay the same.
    error EnforcedPause();
    /// @notice The ledger is not paused, so there is no pause to lift.
    error ExpectedPause();

    // ---------------------------------------------------------------- events

    /// @notice A campaign was created with a budget, a window and the keccak256 of its terms.
    event CampaignCreated(bytes32 indexed campaignId, uint256 budget, bytes32 termsHash, uint256 start, uint256 end);
    /// @notice A campaign was closed; `issued` is what it issued in all.
    event CampaignClosed(bytes32 indexed campaignId, uint256 issued);
    /// @notice One reward was issued (entry `seq`); `head` is the hash-chain head after it.
    event RewardIssued(
        uint256 seq,
        bytes32 indexed campaignId,
        bytes32 indexed player,
        uint256 amount,
        bytes32 ref,
        bytes32 head
    );
    /// @notice A batch of rewards was issued as entries `firstSeq` to `firstSeq + rows - 1`.
    /// @dev `records` holds the rows, 64 bytes each: the player key, then one word with the row
    /// reference in its high 20 bytes and the amount in its low 12. `head` is the head after the
    /// last row.
    event BatchIssued(
        bytes32 indexed batchId,
        bytes32 indexed campaignId,
        uint256 firstSeq,
        uint256 total,
        bytes32 head,
        bytes records
    );
    /// @notice A payout to a player was recorded (entry `seq`).
    event PayoutRecorded(uint256 seq, bytes32 indexed player, uint256 amount, bytes32 ref, bytes32 head);
    /// @notice Part or all of reward `rewardSeq` was taken back (entry `seq`).
    event RewardReversed(
        uint256 seq,
        bytes32 indexed campaignId,
        bytes32 indexed player,
        uint256 rewardSeq,
        uint256 amount,
        bytes32 reason,
        bytes32 head
    );
    /// @notice An amount of a player's balance expired (entry `seq`).
    event BalanceExpired(uint256 seq, bytes32 indexed player, uint256 amount, bytes32 ref, bytes32 reason, bytes32 head);
    /// @notice Version `version` (from 1) of a campaign's machine-readable rules: the keccak256 of
    /// the rules document's RFC 8785 canonical form, in force for periods from `effectiveFrom`.
    event CampaignRulesSet(bytes32 indexed campaignId, uint256 version, bytes32 rulesHash, uint256 effectiveFrom);
    /// @notice A period's rewards were computed under `rulesHash` from the activity whose salted
    /// per-player leaves (OpenZeppelin StandardMerkleTree) have root `root`; `total` is the sum of
    /// the leaves' rewards, the most the period's batches may issue together.
    event PeriodCommitted(
        bytes32 indexed periodId,
        bytes32 indexed campaignId,
        bytes32 rulesHash,
        bytes32 root,
        uint256 leafCount,
        uint256 total
    );
    /// @notice Batch `batchId` (a {BatchIssued} in the same transaction) paid `amount` of period
    /// `periodId`; `issued` is what the period's batches have issued in all.
    event PeriodBatchIssued(bytes32 indexed periodId, bytes32 indexed batchId, uint256 amount, uint256 issued);
    /// @notice `account` paused the ledger: no entry is made until it is unpaused.
    event Paused(address account);
    /// @notice `account` lifted the pause.
    event Unpaused(address account);

    // ---------------------------------------------------------------- campaigns

    /// @notice Creates a campaign. Admin only.
    /// @param campaignId a non-zero id, unique for ever
    /// @param budget the most the campaign may ever issue
    /// @param termsHash keccak256 of the campaign's terms text
    /// @param start first second (unix time) issuance is allowed
    /// @param end first second issuance is no longer allowed
    function createCampaign(bytes32 campaignId, uint256 budget, bytes32 termsHash, uint256 start, uint256 end)
        external;

    /// @notice Closes a campaign for good. Admin only.
    function closeCampaign(bytes32 campaignId) external;

    /// @notice Adds a version of a campaign's rules. Admin only. A version cannot be changed,
    /// removed or back-dated: an `effectiveFrom` already past means the block's time.
    function setCampaignRules(bytes32 campaignId, bytes32 rulesHash, uint256 effectiveFrom) external;

    // ---------------------------------------------------------------- periods

    /// @notice Commits a period: its campaign, the rules version its rewards were computed under
    /// (set and in effect), the root of its activity leaves, their count and the rewards' total.
    /// Issuer only; a period id is committed once.
    function commitPeriod(
        bytes32 periodId,
        bytes32 campaignId,
        bytes32 rulesHash,
        bytes32 root,
        uint256 leafCount,
        uint256 total
    ) external;

    /// @notice Issues a batch of a committed period's rewards, as {issueBatch} on the period's
    /// campaign, never taking the period's batches past its committed total. Issuer only.
    function issuePeriodBatch(bytes32 batchId, bytes32 periodId, bytes calldata records)
        external
        returns (uint256 firstSeq);

    // ---------------------------------------------------------------- entries

    /// @notice Issues one reward. Issuer only; the reference can be used once.
    /// @return seq the new entry's sequence number
    function issue(bytes32 campaignId, bytes32 player, uint256 amount, bytes32 ref) external returns (uint256 seq);

    /// @notice Issues a batch of rewards, all or nothing. Issuer only; the batch id can be used once.
    /// @param records packed 64-byte rows (see {BatchIssued})
    /// @return firstSeq the sequence number of the first row's entry
    function issueBatch(bytes32 batchId, bytes32 campaignId, bytes calldata records)
        external
        returns (uint256 firstSeq);

    /// @notice Records a payout; never more than the player's balance. Payer only; the reference
    /// can be used once.
    function recordPayout(bytes32 player, uint256 amount, bytes32 ref) external returns (uint256 seq);

    /// @notice Takes back part or all of one reward, once. Issuer only.
    function reverse(RewardProof calldata proof, uint256 amount, bytes32 reason) external returns (uint256 seq);

    /// @notice Expires part of a player's balance. Issuer only; the reference can be used once.
    function expire(bytes32 player, uint256 amount, bytes32 ref, bytes32 reason) external returns (uint256 seq);

    /// @notice Stops every new entry. Pauser only; refused with {EnforcedPause} if already paused.
    function pause() external;

    /// @notice Lets entries through again. Pauser only; refused with {ExpectedPause} if not paused.
    function unpause() external;

    // ---------------------------------------------------------------- views

    /// @notice A player's spendable balance.
    function balanceOf(bytes32 player) external view returns (uint256);

    /// @notice A player's balance and everything ever issued to them.
    function playerOf(bytes32 player) external view returns (uint256 balance, uint256 earned);

    /// @notice A campaign's budget, use, window and terms hash.
    function campaignOf(bytes32 campaignId) external view returns (Campaign memory);

    /// @notice The global totals: issued, paid, reversed and expired.
    function totals() external view returns (uint256 issued, uint256 paid, uint256 reversed, uint256 expired);

    /// @notice The number of entries and the hash-chain head after the last one.
    function chainState() external view returns (uint256 entryCount, bytes32 head);

    /// @notice What a reference committed to: zero if unused, else the issuance commitment
    /// (issues and batches) or the entry's seq (payouts and expiries).
    function referenceOf(bytes32 ref) external view returns (bytes32);

    /// @notice The entry that reversed reward `rewardSeq`, or zero.
    function reversalOf(uint256 rewardSeq) external view returns (uint256);

    /// @notice A rules hash's version of the campaign's rules (0 if none) and when it takes effect.
    function rulesOf(bytes32 campaignId, bytes32 rulesHash)
        external
        view
        returns (uint256 version, uint256 effectiveFrom);

    /// @notice A committed period's campaign, committed total and what its batches issued so far
    /// (root, rules hash and leaf count are in its {PeriodCommitted} event).
    function periodOf(bytes32 periodId) external view returns (bytes32 campaignId, uint256 total, uint256 issued);

    /// @notice Whether the ledger is paused.
    function paused() external view returns (bool);
}
