// What the page knows of the ledger contract, written from contracts/interfaces/IRewardsLedger.sol:
// event layouts, view selectors, the hash chain, what each kind of entry moves, its runtime code and
// where it stores a player's figures. Topics and selectors are computed here from the signatures,
// so nothing about the ABI is taken from the API; tests check every constant here against the
// compiled artifact and the Python entry model (tests/verify/test_page_constants.py).

import { ZERO32, bare, keccak, keccakText, uintWord, wordAt } from "./hex.js";

export const EVENT_SIGNATURES = {
  RewardIssued: "RewardIssued(uint256,bytes32,bytes32,uint256,bytes32,bytes32)",
  BatchIssued: "BatchIssued(bytes32,bytes32,uint256,uint256,bytes32,bytes)",
  PayoutRecorded: "PayoutRecorded(uint256,bytes32,uint256,bytes32,bytes32)",
  RewardReversed: "RewardReversed(uint256,bytes32,bytes32,uint256,uint256,bytes32,bytes32)",
  BalanceExpired: "BalanceExpired(uint256,bytes32,uint256,bytes32,bytes32,bytes32)",
};
export const TOPICS = Object.fromEntries(Object.entries(EVENT_SIGNATURES).map(([name, sig]) => [name, keccakText(sig)]));
const NAME_OF_TOPIC = Object.fromEntries(Object.entries(TOPICS).map(([name, topic]) => [topic, name]));

const selector = (signature) => keccakText(signature).slice(0, 10);
export const SELECTORS = {
  campaignOf: selector("campaignOf(bytes32)"),
  playerOf: selector("playerOf(bytes32)"),
  totals: selector("totals()"),
  chainState: selector("chainState()"),
};

export const KIND_CODES = { issued: 1, paid: 2, reversed: 3, expired: 4 };
/** How each kind moves a player's figures (ledger/model.py's RULES): credit adds to the balance. */
export const KIND_RULES = {
  issued: { credit: true, figure: "earned" },
  paid: { credit: false, figure: "paid" },
  reversed: { credit: false, figure: "reversed" },
  expired: { credit: false, figure: "expired" },
};
/** Where each entry event names the player among its topics (null: not indexed, read the rows). */
export const PLAYER_TOPIC = { RewardIssued: 2, BatchIssued: null, PayoutRecorded: 1, RewardReversed: 2, BalanceExpired: 1 };

/** keccak256 of the ledger's runtime code (the committed artifact's deployedBytecode): the code
 * the contract's address must hold. Changes with the contract; the tests say when it is stale. */
export const CODE_HASH = "0xa31f924e0523c5c75646d00f0619815307c4418b953dd34369970cf3004860e8";
/** The storage slot of the players mapping, the root of the ledger's ERC-7201 namespace
 * `rewardsledger.storage.Core`: a player's word is at keccak256(player ‖ PLAYERS_SLOT). */
export const PLAYERS_SLOT = 96605498095818739215880882245239086707082805490687546596130023163320456145152n;
const ROW_BYTES = 64;

/**
 * A ledger event decoded strictly from a raw log: `count` entries, `entryAt(i)` gives the i-th with
 * the fields the hash chain folds (`head` is null for batch rows before the last). Throws on any
 * log that does not have exactly the event's layout.
 */
export function decodeLog(log) {
  const topics = (log.topics || []).map((t) => "0x" + bare(t));
  const name = NAME_OF_TOPIC[topics[0]];
  if (!name) throw new Error(`it is not a ledger event (topic ${topics[0] || "none"})`);
  const data = bare(log.data || "0x");
  const words = (n) => {
    if (data.length !== 64 * n) throw new Error(`${name} data is ${data.length / 2} bytes, expected ${32 * n}`);
    return Array.from({ length: n }, (_, i) => wordAt(data, i));
  };
  const needTopics = (n) => {
    if (topics.length !== n) throw new Error(`${name} has ${topics.length - 1} indexed topics, expected ${n - 1}`);
  };
  const single = (fields) => ({ name, firstSeq: fields.seq, count: 1, entryAt: () => ({ ...fields, batchIndex: null }) });
  switch (name) {
    case "RewardIssued": {
      needTopics(3);
      const [seq, amount, ref, head] = words(4);
      return single({ seq: BigInt(seq), kind: "issued", campaign: topics[1], player: topics[2], amount: BigInt(amount), ref, aux: ZERO32, head });
    }
    case "PayoutRecorded": {
      needTopics(2);
      const [seq, amount, ref, head] = words(4);
      return single({ seq: BigInt(seq), kind: "paid", campaign: ZERO32, player: topics[1], amount: BigInt(amount), ref, aux: ZERO32, head });
    }
    case "RewardReversed": {
      needTopics(3);
      const [seq, rewardSeq, amount, reason, head] = words(5);
      // The hash chain folds the reversed reward's seq as the entry's ref.
      return single({ seq: BigInt(seq), kind: "reversed", campaign: topics[1], player: topics[2], amount: BigInt(amount), ref: rewardSeq, aux: reason, head });
    }
    case "BalanceExpired": {
      needTopics(2);
      const [seq, amount, ref, reason, head] = words(5);
      return single({ seq: BigInt(seq), kind: "expired", campaign: ZERO32, player: topics[1], amount: BigInt(amount), ref, aux: reason, head });
    }
    case "BatchIssued":
      needTopics(3);
      return decodeBatch(name, topics, data);
  }
  throw new Error(`unhandled event ${name}`);
}

function decodeBatch(name, topics, data) {
  const firstSeq = BigInt(wordAt(data, 0));
  const head = wordAt(data, 2);
  const offset = Number(BigInt(wordAt(data, 3) || "0x0"));
  if (offset !== 128) throw new Error(`${name} records start at byte ${offset}, expected 128`);
  const length = Number(BigInt(wordAt(data, 4) || "0x0"));
  const padded = Math.ceil(length / 32) * 64;
  if (length === 0 || length % ROW_BYTES || data.length !== 5 * 64 + padded) {
    throw new Error(`${name} records are malformed (${length} bytes)`);
  }
  const records = data.slice(5 * 64, 5 * 64 + 2 * length);
  const count = length / ROW_BYTES;
  const [batchId, campaign] = [topics[1], topics[2]];
  return {
    name,
    firstSeq,
    count,
    entryAt(i) {
      // A row: 32-byte player key, then a word with the 20-byte row ref high and the 12-byte amount low.
      const row = records.slice(2 * ROW_BYTES * i, 2 * ROW_BYTES * (i + 1));
      return {
        seq: firstSeq + BigInt(i),
        kind: "issued",
        campaign,
        player: "0x" + row.slice(0, 64),
        amount: BigInt("0x" + row.slice(104, 128)),
        ref: "0x" + row.slice(64, 104).padEnd(64, "0"),
        aux: batchId,
        head: i === count - 1 ? head : null,
        batchIndex: i,
      };
    },
  };
}

/** head_n = keccak256(abi.encode(head_{n-1}, n, kind, campaignId, player, amount, ref, aux)) */
export function fold(head, entry) {
  return keccak(
    bare(head) + uintWord(entry.seq) + uintWord(KIND_CODES[entry.kind]) + bare(entry.campaign) +
      bare(entry.player) + uintWord(entry.amount) + bare(entry.ref) + bare(entry.aux),
  );
}

/** calldata for a view taking one bytes32 (or none). */
export function calldata(name, arg) {
  return SELECTORS[name] + (arg ? bare(arg).padStart(64, "0") : "");
}

/** campaignOf's tuple (budget, issued, start, end, closed, termsHash); `end` is zero for no campaign. */
export function decodeCampaign(result) {
  const w = (i) => wordAt(result, i);
  if (w(5) == null) throw new Error("campaignOf answered too little data");
  return { budget: BigInt(w(0)), issued: BigInt(w(1)), start: BigInt(w(2)), end: BigInt(w(3)), closed: BigInt(w(4)) !== 0n, termsHash: w(5) };
}

/** The uint256 words of a view's answer. */
export function decodeUints(result, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const w = wordAt(result, i);
    if (w == null) throw new Error("the view answered too little data");
    out.push(BigInt(w));
  }
  return out;
}

/** eth_getLogs filters for the player's entries in blocks `from` to `to`: one per topic position of
 * the player, and the batch events (whose rows must be read, the player is not indexed there). */
export function playerLogFilters(contract, player, from, to) {
  const groups = new Map();
  for (const [name, position] of Object.entries(PLAYER_TOPIC)) {
    if (!groups.has(position)) groups.set(position, []);
    groups.get(position).push(TOPICS[name]);
  }
  const range = { address: contract, fromBlock: "0x" + BigInt(from).toString(16), toBlock: "0x" + BigInt(to).toString(16) };
  return [...groups].map(([position, topics]) => ({
    ...range,
    topics: position == null ? [topics] : [topics, ...Array(position - 1).fill(null), "0x" + bare(player).padStart(64, "0")],
  }));
}
