// Checks what the API claims against a node, and only the node: each entry must be a log of the
// ledger contract in its transaction's receipt, at its log index, in its (canonical) block, with
// exactly the claimed fields and hash-chain head. The same checks as `ledger verify`.

import { ZERO32, bare, sameHex, shortHex, utc } from "./hex.js";
import { calldata, decodeCampaign, decodeLog, decodeUints, fold } from "./ledger.js";

const EVENT_KINDS = { RewardIssued: "issued", BatchIssued: "issued", PayoutRecorded: "paid", RewardReversed: "reversed", BalanceExpired: "expired" };
const blockTag = (n) => "0x" + BigInt(n).toString(16);

/**
 * Verifies `entries` (as the API lists them) for `player` against the ledger at `contract`.
 * Returns the node's chain id and, for every entry's seq, the list of problems (empty = verified).
 */
export async function verifyEntries(rpc, entries, { contract, player }) {
  const chainId = Number(BigInt(await rpc.call("eth_chainId")));
  const txs = [...new Set(entries.map((e) => bare(e.verification.tx_hash)))];
  const numbers = [...new Set(entries.map((e) => e.verification.block_number))];
  const answers = await rpc.batch([
    ...txs.map((tx) => ["eth_getTransactionReceipt", ["0x" + tx]]),
    ...numbers.map((n) => ["eth_getBlockByNumber", [blockTag(n), false]]),
  ]);
  const ctx = {
    chainId, contract, player,
    receipts: new Map(txs.map((tx, i) => [tx, answers[i]])),
    blocks: new Map(numbers.map((n, i) => [n, answers[txs.length + i]])),
    located: new Map(),
  };
  const problems = new Map();
  const batches = new Map(); // a batch's rows share one log: their heads are checked together
  for (const entry of entries) {
    const found = checkEntry(entry, ctx);
    problems.set(entry.seq, found.problems);
    if (found.batchMember) {
      const key = found.batchMember.key;
      if (!batches.has(key)) batches.set(key, { event: found.batchMember.event, members: [] });
      batches.get(key).members.push(entry);
    }
  }
  for (const { event, members } of batches.values()) checkBatchHeads(event, members, problems);
  return { chainId, problems };
}

function checkEntry(entry, ctx) {
  const v = entry.verification;
  const problems = [];
  if (BigInt(v.seq) !== BigInt(entry.seq)) problems.push(`its on-chain location names entry ${v.seq}`);
  if (!sameHex(entry.player, ctx.player)) problems.push(`it belongs to player ${shortHex(entry.player)}, not this player`);
  if (v.chain_id !== ctx.chainId) problems.push(`it is claimed on chain ${v.chain_id}, but the node is chain ${ctx.chainId}`);
  if (!sameHex(v.contract, ctx.contract)) problems.push(`it is claimed from contract ${v.contract}, not the ledger ${ctx.contract}`);
  problems.push(...blockProblems(entry, ctx.blocks.get(v.block_number)));

  const at = locate(entry, ctx);
  if (typeof at === "string") return { problems: [...problems, at] };
  if (!sameHex(at.receipt.from, entry.sender)) problems.push(`it was sent by ${at.receipt.from} on chain, not ${entry.sender}`);
  const { event } = at;
  const index = BigInt(entry.seq) - event.firstSeq;
  if (index < 0n || index >= BigInt(event.count)) {
    return { problems: [...problems, `the ${event.name} event at that location does not record entry ${entry.seq}`] };
  }
  const found = event.entryAt(Number(index));
  problems.push(...fieldProblems(entry, event, found));
  if (found.head == null) {
    return { problems, batchMember: { key: `${bare(v.tx_hash)}:${v.log_index}`, event } };
  }
  if (!sameHex(found.head, v.head)) problems.push(`its hash-chain head is ${shortHex(v.head)} here but ${shortHex(found.head)} on chain`);
  return { problems };
}

function blockProblems(entry, block) {
  const v = entry.verification;
  if (block instanceof Error) return [`the node cannot give block ${v.block_number}: ${block.message}`];
  if (!block) return [`the node has no block ${v.block_number}`];
  if (!sameHex(block.hash, v.block_hash)) {
    return [`block ${v.block_number} is ${shortHex(block.hash)} on the node, not ${shortHex(v.block_hash)}: that block is not canonical`];
  }
  if (BigInt(block.timestamp) !== BigInt(entry.block_time)) {
    return [`its time is ${utc(entry.block_time)} here but the block's time is ${utc(BigInt(block.timestamp))}`];
  }
  return [];
}

/** The ledger event at the entry's claimed log, decoded once per log, or why there is none. */
function locate(entry, ctx) {
  const v = entry.verification;
  const key = `${bare(v.tx_hash)}:${v.log_index}:${bare(v.block_hash)}`;
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
  const claimed = {
    event: v.event, kind: entry.kind, player: entry.player, campaign: entry.campaign_id ?? ZERO32,
    amount: BigInt(entry.amount), reference: entry.ref, aux: entry.aux,
  };
  const actual = {
    event: event.name, kind: EVENT_KINDS[event.name], player: found.player, campaign: found.campaign,
    amount: found.amount, reference: found.ref, aux: found.aux,
  };
  if (event.name === "BatchIssued") {
    claimed["batch row"] = v.batch_index;
    actual["batch row"] = found.batchIndex;
    claimed["batch id"] = entry.batch_id;
    actual["batch id"] = found.aux;
  }
  if (event.name === "RewardReversed") {
    claimed["reversed entry"] = entry.reward_seq == null ? null : BigInt(entry.reward_seq);
    actual["reversed entry"] = BigInt(found.ref);
  }
  const show = (x) => (typeof x === "string" && x.startsWith("0x") ? shortHex(x) : String(x));
  const same = (a, b) => (typeof a === "string" && typeof b === "string" ? bare(a) === bare(b) : a === b);
  return Object.keys(claimed)
    .filter((name) => !same(claimed[name], actual[name]))
    .map((name) => `its ${name} is ${show(claimed[name])} here but ${show(actual[name])} on chain`);
}

/** Inside a batch only the last row's head is on chain: each claimed head must fold forward through
 * the later rows to a head already proven (the event's, or a later row's already checked). */
function checkBatchHeads(event, members, problems) {
  members.sort((a, b) => (BigInt(b.seq) > BigInt(a.seq) ? 1 : -1));
  let targetIndex = event.count - 1;
  let targetHead = event.entryAt(targetIndex).head;
  for (const member of members) {
    const index = Number(BigInt(member.seq) - event.firstSeq);
    let head = member.verification.head;
    for (let k = index + 1; k <= targetIndex; k++) head = fold(head, event.entryAt(k));
    if (sameHex(head, targetHead)) {
      targetIndex = index;
      targetHead = member.verification.head;
    } else {
      problems.get(member.seq).push(`its hash-chain head ${shortHex(member.verification.head)} does not fold to the batch's head on chain`);
    }
  }
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

/** Whether the whole history up to `block` adds up to the contract's figures: with every entry
 * verified, a missing entry is the only way for the sums to differ. */
export function historyProblems(entries, block, chain) {
  const sums = { issued: 0n, paid: 0n, reversed: 0n, expired: 0n };
  for (const e of entries) if (e.verification.block_number <= block) sums[e.kind] += BigInt(e.amount);
  const net = sums.issued - sums.paid - sums.reversed - sums.expired;
  const problems = [];
  if (sums.issued !== chain.earned) problems.push(`its rewards add up to ${sums.issued}, but the contract says ${chain.earned} was earned`);
  if (net !== chain.balance) problems.push(`it adds up to a balance of ${net}, but the contract holds ${chain.balance}`);
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
