// `verifyPlayer`: a player's balance and whole history from the API, judged against the node at a
// block the verifier chooses from the node itself (latest unless told), in the order and with the
// categories of docs/verification.md, exactly as `ledger verify` judges them.

import { bare, keccak, sameHex } from "./hex.js";
import { CODE_HASH, calldata, decodeLog, decodeUints, playerLogFilters } from "./ledger.js";
import { checkProof, headerFields, playerSlot } from "./proof.js";
import { balanceOf, earnedOf, entryProblems, historyProblems, listingProblems, sumsOf } from "./verify.js";

/** Blocks the API may be behind the block judged (ledger/verify/report.py's DEFAULT_MAX_LAG). */
export const MAX_LAG = 64;

const TAGS = ["latest", "finalized", "safe"];
const blockTag = (n) => "0x" + BigInt(n).toString(16);
const must = (answer) => {
  if (answer instanceof Error) throw answer;
  return answer;
};

/**
 * Judges what `api` (see answers.js's `apiReader`) says of `player` against `rpc`'s node, at block
 * `at` ("latest", "finalized", "safe" or a number) of that node. `contract` is the ledger expected
 * (null: the one the API names). Returns a report: `verdict` ("verified" or "failed"), `problems`
 * ({category, text, seq}), `entries` (a Map from seq to the problems' texts of each entry the API
 * listed), `balance` and `history` (the texts of the other problems, by what they concern), the
 * chosen `block`, the API's `apiBlock`, the `lag` between them, and the entries found `newer`
 * than the API. Throws when the node or the API cannot be read, or the API's answer is malformed.
 */
export async function verifyPlayer(rpc, api, { contract = null, player, at = "latest", maxLag = MAX_LAG }) {
  if (!TAGS.includes(at) && !/^[0-9]{1,15}$/.test(String(at))) {
    throw new Error(`the block to check at must be latest, finalized, safe or a block number, not ${at}`);
  }
  const [chainHex, block] = (await rpc.batch([["eth_chainId", []], ["eth_getBlockByNumber", [TAGS.includes(at) ? at : blockTag(at), false]]])).map(must);
  if (!block) throw new Error(`the node has no block ${at}`);
  const claimed = await api.balance();
  const report = {
    verdict: null, player: player.toLowerCase(), node: rpc.url, chainId: Number(BigInt(chainHex)),
    contract: (contract || claimed.contract).toLowerCase(), at: String(at), maxLag, block: Number(BigInt(block.number)),
    apiBlock: claimed.as_of_block, lag: Number(BigInt(block.number)) - claimed.as_of_block, count: 0,
    balanceOnChain: null, earnedOnChain: null, newer: [], problems: [], notes: [], entries: new Map(),
  };
  const where = `${report.contract} at block ${report.block}`;
  if (claimed.chain_id !== report.chainId) {
    add(report, "chain", `the API serves chain ${claimed.chain_id}, but the node is chain ${report.chainId}`);
  } else if (contract && !sameHex(claimed.contract, contract)) {
    add(report, "contract", `the API serves contract ${claimed.contract.toLowerCase()}, not the expected ${report.contract}`);
  } else {
    const code = await rpc.call("eth_getCode", [report.contract, blockTag(report.block)]);
    if (!bare(code)) add(report, "contract", `there is no contract at ${where}`);
    else if (!sameHex(keccak(code), CODE_HASH)) add(report, "contract", `the code at ${where} is not the ledger contract's`);
  }
  if (!report.problems.length) await judge(rpc, api, claimed, block, report); // else: nothing can be judged
  return finish(report);
}

function add(report, category, text, seq = null) {
  report.problems.push({ category, text, seq });
}

async function judge(rpc, api, claimed, block, report) {
  const { player, contract, block: number, apiBlock, lag, maxLag } = report;
  if (!sameHex(claimed.player, player)) add(report, "listing", `the API answered for player ${claimed.player}`);
  const anchor = await rpc.call("eth_getBlockByNumber", [blockTag(apiBlock), false]);
  if (!anchor) add(report, "block", `the API's block ${apiBlock} does not exist on the node`);
  else if (!sameHex(anchor.hash, claimed.as_of_block_hash)) add(report, "block", `the API's block ${apiBlock} is not canonical on the node`);
  if (lag > maxLag) add(report, "lag", `the API is ${lag} blocks behind block ${number} (as of block ${apiBlock}); at most ${maxLag} are allowed`);

  const entries = await api.history(apiBlock);
  report.count = entries.length;
  for (const e of entries) report.entries.set(e.seq, []);
  for (const p of listingProblems(entries, { player, chainId: report.chainId, contract, apiBlock })) report.problems.push(p);
  const found = entries.length ? await entryProblems(rpc, entries, { contract }) : new Map();
  for (const [seq, list] of found) for (const p of list) add(report, p.category, p.text, seq);
  if (lag > 0 && lag <= maxLag) report.newer = await newerEntries(rpc, contract, player, apiBlock + 1, number);

  const blocks = anchor && apiBlock !== number ? [number, apiBlock] : [number];
  const figures = await playersOnChain(rpc, contract, player, blocks);
  [report.balanceOnChain, report.earnedOnChain] = figures[0];
  if (anchor) for (const text of balanceProblems(claimed, figures.at(-1))) add(report, "balance", text);
  for (const text of figureProblems(claimed, entries)) add(report, "history", text);
  if (lag > maxLag) report.notes.push("the history was not added up at the chosen block: the API is too far behind");
  else {
    const chain = { balance: figures[0][0], earned: figures[0][1] };
    for (const text of historyProblems(entries, number, chain, report.newer)) add(report, "history", text);
  }
  let proof;
  try {
    proof = await api.proof(number);
  } catch (err) {
    report.notes.push(`the API gave no proof at block ${number} (${err.message}); the node's proof was checked`);
    proof = await nodeProof(rpc, contract, player, block);
  }
  for (const text of checkProof(proof, block, { contract, player, figures: figures[0] })) add(report, "proof", text);
}

/** The API's available and earned must be the contract's at the API's block (`chain`). */
function balanceProblems(claimed, chain) {
  const at = `at block ${claimed.as_of_block}`;
  return [["available", claimed.available, chain[0]], ["earned", claimed.earned, chain[1]]]
    .filter(([, said, truth]) => BigInt(said) !== truth)
    .map(([name, said, truth]) => `${name} is ${said} here but ${truth} in the contract ${at}`);
}

/** The API's entries must add up to the figures it states beside them. */
function figureProblems(claimed, entries) {
  const sums = sumsOf(entries);
  const stated = [
    ["available", claimed.available, balanceOf(sums)], ["earned", claimed.earned, earnedOf(sums)],
    ["paid", claimed.paid, sums.paid], ["reversed", claimed.reversed, sums.reversed], ["expired", claimed.expired, sums.expired],
  ];
  return stated
    .filter(([, said, truth]) => BigInt(said) !== truth)
    .map(([name, said, truth]) => `${name} is ${said} here but the entries add up to ${truth} at block ${claimed.as_of_block}`);
}

/** [balance, earned] from the contract's playerOf at each of `blocks`. */
async function playersOnChain(rpc, contract, player, blocks) {
  const call = { to: contract, data: calldata("playerOf", player) };
  const answers = await rpc.batch(blocks.map((b) => ["eth_call", [call, blockTag(b)]]));
  return answers.map((answer) => decodeUints(must(answer), 2));
}

/** The player's entries recorded in blocks `from` to `to`, read from the ledger's logs. */
async function newerEntries(rpc, contract, player, from, to) {
  const answers = await rpc.batch(playerLogFilters(contract, player, from, to).map((filter) => ["eth_getLogs", [filter]]));
  const found = new Map();
  for (const logs of answers.map(must)) {
    for (const log of logs || []) {
      const event = decodeLog(log);
      for (let i = 0; i < event.count; i++) {
        const e = event.entryAt(i);
        if (!sameHex(e.player, player)) continue;
        found.set(e.seq, { seq: Number(e.seq), kind: e.kind, amount: e.amount, block: Number(BigInt(log.blockNumber)), tx: log.transactionHash });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.seq - b.seq);
}

/** The node's own proof of the player's slot at `block`, shaped as the API gives one. */
async function nodeProof(rpc, contract, player, block) {
  const slot = playerSlot(player);
  const raw = await rpc.call("eth_getProof", [contract, [slot], blockTag(block.number)]);
  const storage = raw.storageProof[0];
  const word = BigInt(storage.value);
  return {
    chain_id: 0, contract, block_number: Number(BigInt(block.number)), block_hash: block.hash, header: headerFields(block),
    balance: String(word & ((1n << 128n) - 1n)), earned: String(word >> 128n), account_proof: raw.accountProof,
    storage_hash: raw.storageHash, code_hash: raw.codeHash, storage_proof: { key: slot, value: storage.value, proof: storage.proof },
  };
}

/** The verdict, and the problems' texts grouped for a page: by entry, about the balance, about the history. */
function finish(report) {
  report.verdict = report.problems.length ? "failed" : "verified";
  for (const p of report.problems) {
    if (p.seq == null) continue;
    if (!report.entries.has(p.seq)) report.entries.set(p.seq, []);
    report.entries.get(p.seq).push(p.text);
  }
  report.balance = report.problems.filter((p) => p.seq == null && p.category !== "history").map((p) => p.text);
  report.history = report.problems.filter((p) => p.category === "history").map((p) => p.text);
  return report;
}
