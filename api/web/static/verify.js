// Checks what the API claims against a node, and only the node: every check of
// docs/verification.md, as `ledger verify` makes them, with the same problem categories (the shared
// verification cases hold both to the same verdict). `verifyPlayer` runs them all at a block it
// chooses from the node; the functions before it check parts, for pages that show parts.

import { AnswerError, apiReader } from "./answers.js";
import { ZERO32, bare, sameHex, shortHex, utc } from "./hex.js";
import { KIND_RULES, calldata, decodeCampaign, decodeLog, decodeUints, fold } from "./ledger.js";

export { AnswerError, apiReader };

const EVENT_KINDS = { RewardIssued: "issued", BatchIssued: "issued", PayoutRecorded: "paid", RewardReversed: "reversed", BalanceExpired: "expired" };
const blockTag = (n) => "0x" + BigInt(n).toString(16);
const P = (category, text) => ({ category, text });
const texts = (problems) => problems.map((p) => p.text);

/**
 * Verifies `entries` (as the API lists them) for `player` against the ledger at `contract`.
 * Returns the node's chain id and, for every entry's seq, the list of problems (empty = verified).
 */
export async function verifyEntries(rpc, entries, { contract, player }) {
  const chainId = Number(BigInt(await rpc.call("eth_chainId")));
  const found = await entryProblems(rpc, entries, { contract });
  const problems = new Map(entries.map((e) => [e.seq, []]));
  for (const p of listingProblems(entries, { player, chainId, contract })) problems.get(p.seq).push(p.text);
  for (const [seq, list] of found) problems.get(seq).push(...texts(list));
  return { chainId, problems };
}

/** What is wrong with the list itself: repeats and order (when `apiBlock` is given, for a whole
 * history), other players, other chains or contracts, entries after the API's block. */
export function listingProblems(entries, { player, chainId, contract, apiBlock = null }) {
  const problems = [];
  let last = 0;
  for (const e of entries) {
    const v = e.verification;
    const checks = [
      ["listing", apiBlock != null && e.seq <= last, `it is listed out of order or twice (after entry ${last})`],
      ["listing", !sameHex(e.player, player), `it belongs to player ${shortHex(e.player)}, not this player`],
      ["listing", v.seq !== e.seq, `its on-chain location names entry ${v.seq}`],
      ["listing", apiBlock != null && v.block_number > apiBlock, `it is claimed at block ${v.block_number}, after the API's block ${apiBlock}`],
      ["chain", v.chain_id !== chainId, `it is claimed on chain ${v.chain_id}, but the node is chain ${chainId}`],
      ["contract", !sameHex(v.contract, contract), `it is claimed from contract ${v.contract}, not the ledger ${contract}`],
    ];
    for (const [category, bad, text] of checks) if (bad) problems.push({ category, text, seq: e.seq });
    last = Math.max(last, e.seq);
  }
  return problems;
}

/** Each entry's block, time, log, sender, fields and head against the node: a Map from seq to
 * problems ({category, text}) for the entries that have any. */
export async function entryProblems(rpc, entries, { contract }) {
  const txs = [...new Set(entries.map((e) => bare(e.verification.tx_hash)))];
  const numbers = [...new Set(entries.map((e) => e.verification.block_number))];
  const answers = await rpc.batch([
    ...txs.map((tx) => ["eth_getTransactionReceipt", ["0x" + tx]]),
    ...numbers.map((n) => ["eth_getBlockByNumber", [blockTag(n), false]]),
  ]);
  const ctx = {
    contract,
    receipts: new Map(txs.map((tx, i) => [tx, answers[i]])),
    blocks: new Map(numbers.map((n, i) => [n, answers[txs.length + i]])),
    located: new Map(),
  };
  const problems = new Map();
  const note = (seq, list) => list.length && problems.set(seq, [...(problems.get(seq) || []), ...list]);
  const batches = new Map(); // a batch's rows share one log: their heads are checked together
  for (const entry of entries) {
    const found = checkEntry(entry, ctx);
    note(entry.seq, found.problems);
    if (found.batchMember) {
      const key = found.batchMember.key;
      if (!batches.has(key)) batches.set(key, { event: found.batchMember.event, members: [] });
      batches.get(key).members.push(entry);
    }
  }
  for (const { event, members } of batches.values()) {
    for (const [seq, text] of batchHeadProblems(event, members)) note(seq, [P("head", text)]);
  }
  return problems;
}

function checkEntry(entry, ctx) {
  const v = entry.verification;
  const problems = blockProblems(entry, ctx.blocks.get(v.block_number));
  const at = locate(entry, ctx);
  if (typeof at === "string") return { problems: [...problems, P("location", at)] };
  const { event, receipt } = at;
  const index = BigInt(entry.seq) - event.firstSeq;
  if (index < 0n || index >= BigInt(event.count)) {
    return { problems: [...problems, P("location", `the ${event.name} event at that location does not record entry ${entry.seq}`)] };
  }
  if (!sameHex(receipt.from, entry.sender)) problems.push(P("sender", `it was sent by ${receipt.from} on chain, not ${entry.sender}`));
  const found = event.entryAt(Number(index));
  problems.push(...fieldProblems(entry, event, found));
  if (found.head == null) {
    return { problems, batchMember: { key: `${bare(v.tx_hash)}:${v.log_index}`, event } };
  }
  if (!sameHex(found.head, v.head)) problems.push(P("head", `its hash-chain head is ${shortHex(v.head)} here but ${shortHex(found.head)} on chain`));
  return { problems };
}

function blockProblems(entry, block) {
  const v = entry.verification;
  if (block instanceof Error) return [P("block", `the node cannot give block ${v.block_number}: ${block.message}`)];
  if (!block) return [P("block", `the node has no block ${v.block_number}`)];
  if (!sameHex(block.hash, v.block_hash)) {
    return [P("block", `block ${v.block_number} is ${shortHex(block.hash)} on the node, not ${shortHex(v.block_hash)}: that block is not canonical`)];
  }
  if (BigInt(block.timestamp) !== BigInt(entry.block_time)) {
    return [P("time", `its time is ${utc(entry.block_time)} here but the block's time is ${utc(BigInt(block.timestamp))}`)];
  }
  return [];
}

/** The ledger event at the entry's claimed log, decoded once per log, or why there is none. */
function locate(entry, ctx) {
  const v = entry.verification;
  const key = `${bare(v.tx_hash)}:${v.log_index}:${v.block_number}:${bare(v.block_hash)}`;
  if (!ctx.located.has(key)) ctx.located.set(key, locateUncached(v, ctx));
  return ctx.located.get(key);
}

function locateUncached(v, ctx) {
  const receipt = ctx.receipts.get(bare(v.tx_hash));
  const tx = shortHex(v.tx_hash);
  if (receipt instanceof Error) return `the node cannot give transaction ${tx}: ${receipt.message}`;
  if (!receipt) return `the node has no transaction ${tx}`;
  if (BigInt(receipt.blockNumber) !== BigInt(v.block_number) || !sameHex(receipt.blockHash, v.block_hash)) {
    return `transaction ${tx} is in block ${BigInt(receipt.blockNumber)} ${shortHex(receipt.blockHash)}, not block ${v.block_number} ${shortHex(v.block_hash)}`;
  }
  if (BigInt(receipt.status ?? "0x0") !== 1n) return `transaction ${tx} failed on chain`;
  const log = (receipt.logs || []).find((l) => BigInt(l.logIndex) === BigInt(v.log_index));
  if (!log) return `transaction ${tx} has no log with index ${v.log_index}`;
  if (!sameHex(log.address, ctx.contract)) return `log ${v.log_index} of transaction ${tx} is from ${log.address}, not the ledger`;
  try {
    return { receipt, event: decodeLog(log) };
  } catch (err) {
    return `log ${v.log_index} of transaction ${tx}: ${err.message}`;
  }
}

function fieldProblems(entry, event, found) {
  const v = entry.verification;
  const batch = event.name === "BatchIssued";
  const claimed = {
    event: v.event, kind: entry.kind, player: entry.player, campaign: entry.campaign_id ?? ZERO32,
    amount: BigInt(entry.amount), reference: entry.ref, aux: entry.aux,
    "batch row": v.batch_index ?? null, "batch id": entry.batch_id ?? null,
  };
  const actual = {
    event: event.name, kind: EVENT_KINDS[event.name], player: found.player, campaign: found.campaign,
    amount: found.amount, reference: found.ref, aux: found.aux,
    "batch row": batch ? found.batchIndex : null, "batch id": batch ? found.aux : null,
  };
  if (event.name === "RewardReversed") {
    claimed["reversed entry"] = entry.reward_seq == null ? null : BigInt(entry.reward_seq);
    actual["reversed entry"] = BigInt(found.ref);
  }
  const show = (x) => (typeof x === "string" && x.startsWith("0x") ? shortHex(x) : String(x ?? "none"));
  const same = (a, b) => (typeof a === "string" && typeof b === "string" ? bare(a) === bare(b) : a === b);
  return Object.keys(claimed)
    .filter((name) => !same(claimed[name], actual[name]))
    .map((name) => P("fields", `its ${name} is ${show(claimed[name])} here but ${show(actual[name])} on chain`));
}

/** Inside a batch only the last row's head is on chain: each claimed head must fold forward through
 * the later rows to a head already proven (the event's, or a later row's already checked).
 * Returns [seq, problem] pairs. */
function batchHeadProblems(event, members) {
  members.sort((a, b) => b.seq - a.seq);
  let targetIndex = event.count - 1;
  let targetHead = event.entryAt(targetIndex).head;
  const problems = [];
  for (const member of members) {
    const index = Number(BigInt(member.seq) - event.firstSeq);
    let head = member.verification.head;
    for (let k = index + 1; k <= targetIndex; k++) head = fold(head, event.entryAt(k));
    if (sameHex(head, targetHead)) {
      targetIndex = index;
      targetHead = member.verification.head;
    } else {
      problems.push([member.seq, `its hash-chain head ${shortHex(member.verification.head)} does not fold to the batch's head on chain`]);
    }
  }
  return problems;
}

/** The player's balance and lifetime earned in the contract at `block`, against the claimed ones.
 * Returns the problems and the contract's figures (null when the node cannot give them). */
export async function verifyBalance(rpc, { contract, player, block, blockHash, available, earned }) {
  const [header, result] = await rpc.batch([
    ["eth_getBlockByNumber", [blockTag(block), false]],
    ["eth_call", [{ to: contract, data: calldata("playerOf", player) }, blockTag(block)]],
  ]);
  const fail = (why) => ({ problems: [why], chain: null });
  if (header instanceof Error || !header) return fail(`the node cannot give block ${block}${header ? ": " + header.message : ""}`);
  if (!sameHex(header.hash, blockHash)) return fail(`block ${block} is ${shortHex(header.hash)} on the node, not ${shortHex(blockHash)}: not canonical`);
  if (result instanceof Error) return fail(`the node cannot read the contract at block ${block}: ${result.message}`);
  const [balance, lifetime] = decodeUints(result, 2);
  const problems = [];
  if (balance !== BigInt(available)) problems.push(`available is ${available} here but ${balance} in the contract at block ${block}`);
  if (lifetime !== BigInt(earned)) problems.push(`earned is ${earned} here but ${lifetime} in the contract at block ${block}`);
  return { problems, chain: { balance, earned: lifetime } };
}

/** Amounts by kind of `entries` (and entries found newer than the API); an unknown kind is a
 * problem the field checks name, not a sum. */
export function sumsOf(entries, newer = []) {
  const sums = Object.fromEntries(Object.keys(KIND_RULES).map((kind) => [kind, 0n]));
  for (const e of entries) if (Object.hasOwn(KIND_RULES, e.kind)) sums[e.kind] += BigInt(e.amount);
  for (const n of newer) sums[n.kind] += n.amount;
  return sums;
}

export const balanceOf = (sums) => Object.entries(sums).reduce((net, [kind, v]) => (KIND_RULES[kind].credit ? net + v : net - v), 0n);
export const earnedOf = (sums) => Object.entries(sums).reduce((all, [kind, v]) => (KIND_RULES[kind].figure === "earned" ? all + v : all), 0n);

/** Whether the history up to `block` (with entries found newer than the API) adds up to the
 * contract's figures: with every entry verified, a missing entry is the only way for them to differ. */
export function historyProblems(entries, block, chain, newer = []) {
  const sums = sumsOf(entries.filter((e) => e.verification.block_number <= block), newer);
  const withNewer = newer.length ? ` with ${newer.length} newer ${newer.length === 1 ? "entry" : "entries"} found on chain` : "";
  const problems = [];
  if (earnedOf(sums) !== chain.earned) problems.push(`its rewards${withNewer} add up to ${earnedOf(sums)}, but the contract says ${chain.earned} was earned`);
  if (balanceOf(sums) !== chain.balance) problems.push(`it${withNewer} adds up to a balance of ${balanceOf(sums)}, but the contract holds ${chain.balance}`);
  return problems;
}

/** The campaign as the contract holds it now (`end` is zero when there is no such campaign). */
export async function campaignOnChain(rpc, contract, campaignId) {
  return decodeCampaign(await rpc.call("eth_call", [{ to: contract, data: calldata("campaignOf", campaignId) }, "latest"]));
}

/** The contract's global totals and hash-chain state at `block`. */
export async function totalsOnChain(rpc, contract, block) {
  const [totals, state] = await rpc.batch([
    ["eth_call", [{ to: contract, data: calldata("totals") }, blockTag(block)]],
    ["eth_call", [{ to: contract, data: calldata("chainState") }, blockTag(block)]],
  ]);
  for (const answer of [totals, state]) if (answer instanceof Error) throw answer;
  const [issued, paid, reversed, expired] = decodeUints(totals, 4);
  const [entryCount] = decodeUints(state, 1);
  return { issued, paid, reversed, expired, entryCount, head: "0x" + bare(state).slice(64, 128) };
}

export { MAX_LAG, verifyPlayer } from "./verify-player.js";
