// Bytes, 32-byte words, keccak256 and the hex and time formats shared by the pages (amounts: format.js).
// keccak256 comes from the vendored js-sha3 (sha3.min.js, loaded before the modules).

export const ZERO32 = "0x" + "00".repeat(32);

const keccakImpl = globalThis.keccak256;
if (typeof keccakImpl !== "function") throw new Error("sha3.min.js must load before the page's modules");

/** Lowercase hex without 0x. */
export function bare(hex) {
  return String(hex).replace(/^0x/i, "").toLowerCase();
}

export function hexToBytes(hex) {
  const h = bare(hex);
  if (h.length % 2 || /[^0-9a-f]/.test(h)) throw new Error(`not hex: ${String(hex).slice(0, 20)}…`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** keccak256 of bytes (Uint8Array or 0x-hex), as 0x-hex. */
export function keccak(data) {
  return "0x" + keccakImpl(typeof data === "string" ? hexToBytes(data) : data);
}

/** keccak256 of a string's UTF-8 bytes (signatures), as 0x-hex. */
export function keccakText(text) {
  return keccak(new TextEncoder().encode(text));
}

/** A uint256 as one 32-byte word of hex (no 0x). */
export function uintWord(value) {
  const n = BigInt(value);
  if (n < 0n || n >= 1n << 256n) throw new Error(`${value} is not a uint256`);
  return n.toString(16).padStart(64, "0");
}

/** Word `i` of ABI data (0x-hex) as 0x-hex, or null past the end. */
export function wordAt(data, i) {
  const h = bare(data);
  const w = h.slice(64 * i, 64 * i + 64);
  return w.length === 64 ? "0x" + w : null;
}

export function sameHex(a, b) {
  return a != null && b != null && bare(a) === bare(b);
}

const PRINTABLE = /^(?:[^\p{C}\p{Z}]| )+$/u;

/** An id or reference as the ledger's tools show it: its text when it is padded UTF-8, else hex. */
export function bytes32Text(hex) {
  const bytes = hexToBytes(hex);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
    if (end > 0 && !text.includes("\0") && PRINTABLE.test(text)) return text;
  } catch {
    // not UTF-8: fall through to hex
  }
  return "0x" + bare(hex);
}

export function shortHex(hex, keep = 6) {
  const h = String(hex);
  return h.length <= 2 + 2 * keep + 1 ? h : `${h.slice(0, 2 + keep)}…${h.slice(-keep)}`;
}

/** Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`: the same text for every reader, whatever their zone. */
export function utc(seconds) {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A tiny element builder: text children become text nodes (never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
