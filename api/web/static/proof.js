// EIP-1186 storage proofs checked in the browser, as `ledger verify` checks them: RLP, the
// Merkle-Patricia trie walk from a state root, and the block header whose hash binds that root.
// Nothing here talks to a node: the caller passes the block it got from the node it trusts.

import { bare, keccak, sameHex, shortHex, uintWord } from "./hex.js";
import { CODE_HASH, PLAYERS_SLOT } from "./ledger.js";

export class ProofError extends Error {}

const EMPTY = new Uint8Array(0);
const EMPTY_TRIE_ROOT = keccak(new Uint8Array([0x80]));
const LOW128 = (1n << 128n) - 1n;

// Header fields in RLP order; later forks append fields, so a header stops at its last present one.
const HEADER_FIELDS = [
  "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
  "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
  "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash",
];
const INT_FIELDS = new Set(["difficulty", "number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "blobGasUsed", "excessBlobGas"]);

/** 0x-hex to bytes; nodes write quantities with an odd number of digits, so those are padded. */
export function bytesOf(hex) {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]*$/.test(hex)) throw new ProofError(`${JSON.stringify(hex)?.slice(0, 24)} is not 0x-hex`);
  const h = hex.length % 2 ? "0" + hex.slice(2) : hex.slice(2);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const hexOf = (bytes) => "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const bigOf = (bytes) => (bytes.length ? BigInt(hexOf(bytes)) : 0n);

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ------------------------------------------------------------------ RLP

/** Decodes one RLP item (bytes, or an array of items), strictly: canonical and nothing left over. */
export function rlpDecode(bytes) {
  const [item, end] = decodeAt(bytes, 0);
  if (end !== bytes.length) throw new ProofError("the RLP has bytes after its item");
  return item;
}

function decodeAt(b, pos) {
  if (pos >= b.length) throw new ProofError("the RLP ends early");
  const p = b[pos];
  if (p < 0x80) return [b.subarray(pos, pos + 1), pos + 1];
  const list = p >= 0xc0;
  const short = list ? p < 0xf8 : p < 0xb8;
  let start = pos + 1;
  let length = p - (list ? 0xc0 : 0x80);
  if (!short) {
    const size = p - (list ? 0xf7 : 0xb7);
    if (start + size > b.length || b[start] === 0) throw new ProofError("the RLP has a malformed length");
    length = Number(bigOf(b.subarray(start, start + size)));
    if (length < 56) throw new ProofError("the RLP is not canonical");
    start += size;
  }
  const end = start + length;
  if (end > b.length) throw new ProofError("the RLP ends early");
  if (!list) {
    if (length === 1 && b[start] < 0x80) throw new ProofError("the RLP is not canonical");
    return [b.subarray(start, end), end];
  }
  const items = [];
  for (let at = start; at < end; ) {
    const [item, next] = decodeAt(b.subarray(0, end), at);
    items.push(item);
    at = next;
  }
  return [items, end];
}

function lengthPrefix(length, offset) {
  if (length < 56) return Uint8Array.of(offset + length);
  const size = bytesOf("0x" + length.toString(16));
  return concat([Uint8Array.of(offset + 55 + size.length), size]);
}

/** RLP of a list of byte strings (all a header needs). */
export function rlpEncodeList(items) {
  const encoded = items.map((b) => (b.length === 1 && b[0] < 0x80 ? b : concat([lengthPrefix(b.length, 0x80), b])));
  const payload = concat(encoded);
  return concat([lengthPrefix(payload.length, 0xc0), payload]);
}

// ------------------------------------------------------------------ the trie

function nibbles(bytes) {
  const out = [];
  for (const b of bytes) out.push(b >> 4, b & 15);
  return out;
}

/** The value at `key` (bytes) in the trie with root `root`, from the proof's nodes (0x-hex RLP);
 * empty bytes when the proof shows the key absent. Throws ProofError when the proof does not hold. */
export function trieGet(root, key, proof, what) {
  const nodes = new Map();
  for (const node of proof) {
    const raw = bytesOf(node);
    nodes.set(keccak(raw), raw);
  }
  const lookup = (hash) => {
    const raw = nodes.get(hash);
    if (!raw) throw new ProofError(`the ${what} proof does not verify against root ${shortHex(root)}: it lacks node ${shortHex(hash)}`);
    return rlpDecode(raw);
  };
  const resolve = (child) => {
    if (Array.isArray(child)) return child; // a node under 32 bytes sits inside its parent
    if (child.length === 0) return EMPTY;
    if (child.length === 32) return lookup(hexOf(child));
    throw new ProofError(`the ${what} proof is malformed: a child reference of ${child.length} bytes`);
  };
  if (sameHex(root, EMPTY_TRIE_ROOT)) return EMPTY;
  let path = nibbles(bytesOf(keccak(key)));
  let node = lookup("0x" + bare(root));
  for (;;) {
    if (!Array.isArray(node)) {
      if (node.length === 0) return EMPTY;
      throw new ProofError(`the ${what} proof is malformed: a node is not a list`);
    }
    if (node.length === 17) {
      if (path.length === 0) return node[16];
      node = resolve(node[path[0]]);
      path = path.slice(1);
    } else if (node.length === 2 && !Array.isArray(node[0])) {
      const encoded = nibbles(node[0]);
      const flag = encoded[0];
      if (flag > 3) throw new ProofError(`the ${what} proof is malformed: hex-prefix flag ${flag}`);
      const own = encoded.slice(flag & 1 ? 1 : 2);
      const matches = own.every((n, i) => path[i] === n);
      if (flag & 2) return matches && own.length === path.length ? node[1] : EMPTY; // a leaf
      if (!matches) return EMPTY;
      node = resolve(node[1]);
      path = path.slice(own.length);
    } else {
      throw new ProofError(`the ${what} proof is malformed: a node of ${node.length} items`);
    }
  }
}

/** The account at `address` under `stateRoot`, as the proof shows it. */
export function verifyAccount(stateRoot, address, proof) {
  const raw = trieGet(stateRoot, bytesOf(address), proof, "account");
  if (raw.length === 0) return { nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: keccak(EMPTY) };
  const account = rlpDecode(raw);
  if (!Array.isArray(account) || account.length !== 4 || account.some(Array.isArray)) {
    throw new ProofError("the proven account is not an RLP account");
  }
  const [nonce, balance, storageRoot, codeHash] = account;
  return { nonce: bigOf(nonce), balance: bigOf(balance), storageRoot: hexOf(storageRoot), codeHash: hexOf(codeHash) };
}

/** The value of storage `slot` (0x-hex word) under `storageRoot`, as the proof shows it (0 if absent). */
export function verifyStorage(storageRoot, slot, proof) {
  const raw = trieGet(storageRoot, bytesOf(slot), proof, "storage");
  if (raw.length === 0) return 0n;
  const value = rlpDecode(raw);
  if (Array.isArray(value)) throw new ProofError("the proven storage value is not RLP bytes");
  return bigOf(value);
}

/** keccak256 of the header's RLP encoding, rebuilt from its JSON-RPC fields. */
export function headerHash(header) {
  const items = [];
  for (const name of HEADER_FIELDS) {
    if (header[name] == null) break;
    let value = bytesOf(String(header[name]));
    if (INT_FIELDS.has(name)) {
      let start = 0;
      while (start < value.length && value[start] === 0) start++;
      value = value.subarray(start); // RLP integers are minimal big-endian
    }
    items.push(value);
  }
  if (items.length < 15) throw new ProofError("the block header lacks the fields of a pre-London header");
  return keccak(rlpEncodeList(items));
}

/** The header fields of a JSON-RPC block, in RLP order (what `headerHash` needs). */
export function headerFields(block) {
  return Object.fromEntries(HEADER_FIELDS.filter((name) => block[name] != null).map((name) => [name, String(block[name])]));
}

/** The storage slot of the player's packed balance (low 128 bits) and lifetime earned. */
export function playerSlot(player) {
  return keccak(bare(player).padStart(64, "0") + uintWord(PLAYERS_SLOT));
}

/**
 * The storage proof of the player's slot must verify against the node's state root of `block`,
 * prove the ledger's code and show `figures` ([balance, earned] of the contract at `block`).
 * Returns the problems (strings beginning "proof: "), in the order `ledger verify` gives them.
 */
export function checkProof(proof, block, { contract, player, figures }) {
  let word;
  try {
    word = provenWord(proof, block, contract, player);
  } catch (err) {
    if (!(err instanceof ProofError)) throw err;
    word = err.message;
  }
  if (typeof word === "string") return [`proof: ${word}`];
  const proven = [word & LOW128, word >> 128n];
  const problems = [];
  if (proven[0] !== figures[0] || proven[1] !== figures[1]) problems.push(`proof: the proven slot holds balance ${proven[0]}, earned ${proven[1]}`);
  if (BigInt(proof.balance) !== proven[0] || BigInt(proof.earned) !== proven[1]) {
    problems.push(`proof: the API states balance ${proof.balance}, earned ${proof.earned}; the proof shows otherwise`);
  }
  return problems;
}

function provenWord(proof, block, contract, player) {
  const number = Number(BigInt(block.number));
  if (proof.block_number !== number || !sameHex(proof.block_hash, block.hash)) {
    return `it is for block ${proof.block_number} ${proof.block_hash}, not the node's block ${number}`;
  }
  if (!sameHex(headerHash(proof.header), proof.block_hash)) return "its header fields do not hash to its block hash";
  if (!sameHex(proof.header.stateRoot ?? "", block.stateRoot)) return "its state root is not the node's state root for that block";
  const account = verifyAccount(block.stateRoot, contract, proof.account_proof);
  if (!sameHex(account.codeHash, CODE_HASH)) return `the code at ${contract} is not the ledger contract's`;
  if (!sameHex(account.storageRoot, proof.storage_hash)) return "its storage root is not the proven account's";
  const slot = playerSlot(player);
  if (!sameHex(proof.storage_proof.key, slot)) return `it proves slot ${proof.storage_proof.key}, not the player's slot ${slot}`;
  return verifyStorage(account.storageRoot, slot, proof.storage_proof.proof);
}
