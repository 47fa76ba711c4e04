// The API's answers as the verifier reads them: every field it relies on is checked for its shape
// first (the same shapes `ledger verify` requires), so a malformed answer is an error, never a
// verdict reached by omission.

export class AnswerError extends Error {}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX = /^0x[0-9a-fA-F]*$/;
const DECIMAL = /^[0-9]+$/;
const PAGE_SIZE = 500;

const is = {
  hex32: (v) => typeof v === "string" && HEX32.test(v),
  address: (v) => typeof v === "string" && ADDRESS.test(v),
  hex: (v) => typeof v === "string" && HEX.test(v),
  amount: (v) => typeof v === "string" && DECIMAL.test(v),
  int: (v) => Number.isSafeInteger(v),
  uint: (v) => Number.isSafeInteger(v) && v >= 0,
  positive: (v) => Number.isSafeInteger(v) && v >= 1,
  string: (v) => typeof v === "string",
  strings: (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
  headerFields: (v) => v != null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string"),
};
const optional = (check) => (v) => v == null || check(v);
const object = (v) => v != null && typeof v === "object" && !Array.isArray(v);

const BALANCE = {
  player: is.hex32, available: is.amount, earned: is.amount, paid: is.amount, reversed: is.amount, expired: is.amount,
  as_of_block: is.uint, as_of_block_hash: is.hex32, chain_id: is.int, contract: is.address,
};
const LOCATION = {
  chain_id: is.int, contract: is.address, tx_hash: is.hex32, block_number: is.uint, block_hash: is.hex32,
  log_index: is.uint, seq: is.positive, head: is.hex32, event: is.string, batch_index: optional(is.int),
};
const ENTRY = {
  seq: is.positive, kind: is.string, player: is.hex32, campaign_id: optional(is.hex32), amount: is.amount,
  ref: is.hex32, aux: is.hex32, reward_seq: optional(is.int), batch_id: optional(is.hex32), block_time: is.uint,
  sender: is.address, verification: (v) => shaped(v, LOCATION),
};
const PROOF = {
  chain_id: is.int, contract: is.address, block_number: is.int, block_hash: is.hex32, header: is.headerFields,
  balance: is.amount, earned: is.amount, account_proof: is.strings, storage_hash: is.hex32, code_hash: is.hex32,
  storage_proof: (v) => shaped(v, { key: is.hex32, value: is.hex, proof: is.strings }),
};

function shaped(value, shape) {
  return object(value) && Object.entries(shape).every(([name, check]) => check(value[name]));
}

function checked(value, shape, what) {
  if (!object(value)) throw new AnswerError(`the API's answer to ${what} is not an object`);
  for (const [name, check] of Object.entries(shape)) {
    if (!check(value[name])) throw new AnswerError(`the API's answer to ${what} is malformed at ${name}`);
  }
  return value;
}

/**
 * The player routes of the ledger API, read through `getJson(path)` (the page's same-origin
 * reader, or any other): the balance, the whole history up to a block, oldest first, and the
 * balance proof at a block. Every answer is checked for its shape.
 */
export function apiReader(getJson, player) {
  const base = `/v1/players/${player}`;
  return {
    async balance() {
      return checked(await getJson(`${base}/balance`), BALANCE, "the balance");
    },
    async history(toBlock) {
      const entries = [];
      let cursor = null;
      do {
        const more = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const page = await getJson(`${base}/history?order=asc&to_block=${toBlock}&limit=${PAGE_SIZE}${more}`);
        if (!object(page) || !Array.isArray(page.entries) || !optional(is.string)(page.next_cursor)) {
          throw new AnswerError("the API's answer to the history is malformed");
        }
        page.entries.forEach((entry, i) => checked(entry, ENTRY, `the history (entry ${entries.length + i})`));
        if (page.next_cursor && !page.entries.length) throw new AnswerError("the API returned an empty history page with a next cursor");
        entries.push(...page.entries);
        cursor = page.next_cursor;
      } while (cursor);
      return entries;
    },
    async proof(block) {
      return checked(await getJson(`${base}/proof?block=${block}`), PROOF, "the balance proof");
    },
  };
}
