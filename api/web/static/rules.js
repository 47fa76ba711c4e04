// The reward engine of ledger/rules/engine.py, in the page: a pure function of a rules document
// and one player's activity for one period, in BigInt (no Number ever holds an amount), every
// division rounding down. tests/rules/vectors.json judges this file and the Python engine alike.
// Also: the rules document's canonical form (RFC 8785) and hash, and the player's leaf and its
// StandardMerkleTree proof, so the page recomputes a reward and checks it against the root.

import { bare, keccak, uintWord } from "./hex.js";

const BP = 10000n;
export const FIGURES = ["deposits", "first_deposit", "wins", "carried_wager", "tier", "rank", "events"];
export const LEAF_TYPES = ["bytes32", "bytes32", "uint256[]", "uint256", "bytes32"];
const KINDS = {
  fixed_bonus: (r, a, doc) => {
    const bit = BigInt(doc.events.indexOf(r.event));
    const qualifies = ((a.events >> bit) & 1n) === 1n && a.first_deposit >= BigInt(r.min_first_deposit ?? "0");
    return qualifies ? BigInt(r.amount) : 0n;
  },
  deposit_match: (r, a) => min((a.deposits * BigInt(r.percent_bp)) / BP, BigInt(r.cap)),
  cashback: (r, a) => {
    const loss = a.wagered > a.wins ? a.wagered - a.wins : 0n;
    const value = (loss * BigInt(r.percent_bp)) / BP;
    return value < BigInt(r.min) ? 0n : min(value, BigInt(r.cap));
  },
  points: (r, a, doc) => {
    let weighted = 0n;
    doc.categories.forEach((c, i) => { weighted += a.wagers[i] * BigInt(r.weights_bp[c] ?? 0); });
    return (weighted * BigInt(r.points)) / (BigInt(r.per) * BP);
  },
  prize_table: (r, a) => (a.rank >= 1n && a.rank <= BigInt(r.prizes.length) ? BigInt(r.prizes[Number(a.rank) - 1]) : 0n),
  wagering_release: (r, a) => {
    const target = BigInt(r.bonus) * BigInt(r.multiple);
    return a.carried_wager < target && target <= a.carried_wager + a.wagered ? BigInt(r.bonus) : 0n;
  },
};

const min = (x, y) => (x < y ? x : y);

export class RulesError extends Error {}

/** Activity with every figure a BigInt (from decimal strings or BigInts), checked against the rules. */
export function activityOf(doc, raw) {
  const a = {};
  for (const name of FIGURES) a[name] = BigInt(raw[name] ?? 0);
  a.wagers = (raw.wagers ?? []).map((w) => BigInt(w));
  if (a.wagers.length !== doc.categories.length) throw new RulesError(`${a.wagers.length} wagers for ${doc.categories.length} categories`);
  if (a.tier < 0n || a.tier > BigInt((doc.tiers ?? []).length)) throw new RulesError(`tier ${a.tier} is not one of the rules' tiers`);
  if (a.events >> BigInt(doc.events.length)) throw new RulesError("the event mask has bits for undeclared events");
  if ([...FIGURES.map((n) => a[n]), ...a.wagers].some((v) => v < 0n)) throw new RulesError("activity figures are never negative");
  a.wagered = a.wagers.reduce((s, w) => s + w, 0n);
  return a;
}

/** { total, subtotal, multiplier_bp, parts: [{rule, kind, amount}] }, amounts as BigInt. */
export function computeReward(doc, rawActivity) {
  const a = activityOf(doc, rawActivity);
  const parts = doc.rules.map((r) => {
    const fn = KINDS[r.kind];
    if (!fn) throw new RulesError(`unknown rule kind ${JSON.stringify(r.kind)}`);
    return { rule: r.id, kind: r.kind, amount: fn(r, a, doc) };
  });
  const subtotal = parts.reduce((s, p) => s + p.amount, 0n);
  const multiplier = a.tier ? BigInt(doc.tiers[Number(a.tier) - 1].multiplier_bp) : BP;
  return { total: (subtotal * multiplier) / BP, subtotal, multiplier_bp: multiplier, parts };
}

/** RFC 8785 canonical JSON of a rules document (strings, integers, arrays and objects only). */
export function canonicalize(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RulesError(`${value} is not an integer a rules document may hold`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
  // RFC 8785 sorts keys by their UTF-16 code units, which is what JS string comparison does
  const keys = Object.keys(value).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(value[k])}`).join(",")}}`;
}

/** keccak256 of the canonical form: the hash the chain records for the rules. */
export function rulesHash(doc) {
  return keccak(new TextEncoder().encode(canonicalize(doc)));
}

/** The leaf's figures in leaf order, from an activity (as activityOf reads it). */
export function figuresOf(a) {
  return [...FIGURES.map((n) => a[n]), ...a.wagers];
}

/** StandardMerkleTree leaf hash of [player, period, figures, reward, salt]. */
export function leafHash(value) {
  const [player, period, figures, reward, salt] = value;
  const words = [bare(player), bare(period), uintWord(0xa0), uintWord(reward), bare(salt), uintWord(figures.length)];
  for (const f of figures) words.push(uintWord(f));
  if (words.slice(0, 5).some((w) => w.length !== 64)) throw new RulesError("a leaf's words are 32 bytes");
  return keccak(keccak("0x" + words.join("")));
}

/** The root a leaf hash and its proof lead to (pairs hashed sorted). */
export function processProof(leaf, proof) {
  let node = bare(leaf);
  for (const sibling of proof) {
    const s = bare(sibling);
    node = bare(keccak("0x" + (node < s ? node + s : s + node)));
  }
  return "0x" + node;
}

/** The activity a leaf commits ({deposits, …, wagers}, BigInts), as computeReward takes it. */
export function leafActivity(leaf) {
  const f = leaf.value[2].map((x) => BigInt(x));
  const raw = Object.fromEntries(FIGURES.map((n, i) => [n, f[i] ?? 0n]));
  raw.wagers = f.slice(FIGURES.length);
  return raw;
}

/** A player's leaf recomputed and checked: { reward, computed, leaf, root, ok, problems }. */
export function recomputeLeaf(doc, leaf, proof, root) {
  const reward = leaf.value[3];
  const computed = computeReward(doc, leafActivity(leaf));
  const hash = leafHash(leaf.value);
  const problems = [];
  if (computed.total !== BigInt(reward)) problems.push(`the leaf says ${reward} but the rules give ${computed.total}`);
  if (bare(processProof(hash, proof)) !== bare(root)) problems.push("the leaf and its proof do not lead to the committed root");
  return { reward: BigInt(reward), computed, leaf: hash, ok: problems.length === 0, problems };
}

// ------------------------------------------------------------------ how a reward was computed

const pct = (bp) => `${(Number(bp) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 })} %`;
const num = (n) => BigInt(n).toLocaleString("en-US");

/** Each rule's arithmetic in words, for the player: [{rule, kind, amount, text}], then the total. */
export function explainReward(doc, rawActivity) {
  const a = activityOf(doc, rawActivity);
  const reward = computeReward(doc, rawActivity);
  const lines = doc.rules.map((r, i) => ({ ...reward.parts[i], text: EXPLAIN[r.kind](r, a, doc, reward.parts[i].amount) }));
  const tier = a.tier ? doc.tiers[Number(a.tier) - 1] : null;
  const total = tier
    ? `${num(reward.subtotal)} × ${tier.name} multiplier ${pct(tier.multiplier_bp)}, rounded down = ${num(reward.total)}`
    : `${num(reward.total)} (no tier multiplier)`;
  return { lines, total, reward };
}

const EXPLAIN = {
  fixed_bonus: (r, a, doc, amount) => {
    const had = ((a.events >> BigInt(doc.events.indexOf(r.event))) & 1n) === 1n;
    const least = BigInt(r.min_first_deposit ?? "0");
    return `${r.event} ${had ? "happened" : "did not happen"}; first deposit ${num(a.first_deposit)} ${a.first_deposit >= least ? "≥" : "<"} ${num(least)}: ${num(amount)}`;
  },
  deposit_match: (r, a, doc, amount) => `${pct(r.percent_bp)} of deposits ${num(a.deposits)}, rounded down, at most ${num(r.cap)}: ${num(amount)}`,
  cashback: (r, a, doc, amount) => {
    const loss = a.wagered > a.wins ? a.wagered - a.wins : 0n;
    const value = (loss * BigInt(r.percent_bp)) / BP;
    const bound = value < BigInt(r.min) ? `below the minimum ${num(r.min)}, so 0` : value > BigInt(r.cap) ? `capped at ${num(r.cap)}` : `between ${num(r.min)} and ${num(r.cap)}`;
    return `net loss ${num(a.wagered)} wagered − ${num(a.wins)} won = ${num(loss)}; ${pct(r.percent_bp)} of it, rounded down, is ${num(value)}, ${bound}: ${num(amount)}`;
  },
  points: (r, a, doc, amount) => {
    const terms = doc.categories.map((c, i) => `${num(a.wagers[i])} ${c} × ${pct(r.weights_bp[c] ?? 0)}`).join(" + ");
    return `${num(r.points)} per ${num(r.per)} of weighted wagers (${terms || "none"}), rounded down: ${num(amount)}`;
  },
  prize_table: (r, a, doc, amount) => (a.rank ? `rank ${a.rank} of a table of ${r.prizes.length} prizes: ${num(amount)}` : `unranked: 0`),
  wagering_release: (r, a, doc, amount) => {
    const target = BigInt(r.bonus) * BigInt(r.multiple);
    return `wagering ${num(a.carried_wager)} before + ${num(a.wagered)} this period towards ${num(target)} (${r.multiple} × the bonus ${num(r.bonus)}): ${amount ? "reached now, bonus released" : a.carried_wager >= target ? "released in an earlier period" : "not reached yet"}: ${num(amount)}`;
  },
};

// ------------------------------------------------------------------ the period on chain

const TOPIC = {
  committed: keccak(new TextEncoder().encode("PeriodCommitted(bytes32,bytes32,bytes32,bytes32,uint256,uint256)")),
  periodBatch: keccak(new TextEncoder().encode("PeriodBatchIssued(bytes32,bytes32,uint256,uint256)")),
  batch: keccak(new TextEncoder().encode("BatchIssued(bytes32,bytes32,uint256,uint256,bytes32,bytes)")),
};
const word = (data, i) => "0x" + bare(data).slice(64 * i, 64 * i + 64);

/** The player's check of one period, against the node: { computed, paid, problems, explained }. */
export async function checkPeriod(rpc, contract, answer, doc) {
  const [player, period] = answer.leaf.value;
  const logs = (topics) => rpc.call("eth_getLogs", [{ address: contract, fromBlock: "0x0", toBlock: "latest", topics }]);
  const committed = await logs([TOPIC.committed, period]);
  if (committed.length !== 1) return { problems: [`period ${period} is not committed on this ledger`] };
  const c = committed[0].data;
  const [committedRules, root] = [word(c, 0), word(c, 1)];
  const checked = recomputeLeaf(doc, answer.leaf, answer.proof, root);
  const problems = [...checked.problems];
  if (bare(rulesHash(doc)) !== bare(committedRules)) problems.unshift(`the rules hash to ${rulesHash(doc)}, but the period was committed under ${committedRules}`);
  let paid = 0n;
  for (const mark of await logs([TOPIC.periodBatch, period])) {
    for (const batch of await logs([TOPIC.batch, mark.topics[2]])) {
      const records = bare(batch.data).slice(64 * 5, 64 * 5 + 2 * Number(BigInt(word(batch.data, 4))));
      for (let i = 0; i < records.length; i += 128) {
        if (records.slice(i, i + 64) === bare(player)) paid += BigInt("0x" + records.slice(i + 104, i + 128));
      }
    }
  }
  const computed = checked.computed.total;
  if (paid !== computed) problems.push(`the ledger paid ${num(paid)} where the rules give ${num(computed)} (difference ${num(computed - paid)})`);
  return { computed, paid, problems, ok: problems.length === 0, rulesHash: committedRules, root };
}
