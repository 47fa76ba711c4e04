// What both pages share: their own elements, the one-line message, check marks, and where the
// reader's own node and contract are kept in this browser (localStorage).

import { h, shortHex } from "./hex.js";

export const STORE = { rpc: "ledger.rpc", contract: "ledger.contract" };

export const $ = (id) => document.getElementById(id);

export function say(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

export function setCheck(el, status, text) {
  el.dataset.status = status;
  el.replaceChildren(...withHex(text));
}

const SMALLEST_FIGURE_PX = 12;

/** Keeps every figure under `root` on one line inside its box: the layout gives each figure the
 * width of its number, and a number wider than the whole card is set smaller until it fits
 * (past the smallest legible size it scrolls sideways in its box rather than wrap). */
export function fitFigures(root = document) {
  for (const dd of root.querySelectorAll(".figure dd")) {
    dd.style.fontSize = ""; // CSSOM, allowed by the pages' CSP (inline style attributes are not)
    if (dd.scrollWidth <= dd.clientWidth) continue;
    let size = Math.floor((parseFloat(getComputedStyle(dd).fontSize) * dd.clientWidth) / dd.scrollWidth);
    for (; ; size--) {
      dd.style.fontSize = `${Math.max(SMALLEST_FIGURE_PX, size)}px`;
      if (size <= SMALLEST_FIGURE_PX || dd.scrollWidth <= dd.clientWidth) break;
    }
  }
}

const HEX_RUN = /0x[0-9a-fA-F]{6,}(?:…[0-9a-fA-F]+)?/g;

/** A message (a check's reasons, a reconciliation report) as nodes in which each hash or address is
 * one unbreakable piece, shortened when long (whole in its tooltip), so it never breaks mid-word. */
export function withHex(text) {
  const out = [];
  let at = 0;
  for (const m of String(text).matchAll(HEX_RUN)) {
    out.push(text.slice(at, m.index));
    const whole = m[0];
    const long = !whole.includes("…") && whole.length > 17;
    out.push(h("code", { title: long ? whole : null, "data-full": long ? whole : null }, long ? shortHex(whole, 6) : whole));
    at = m.index + whole.length;
  }
  out.push(String(text).slice(at));
  return out.filter((part) => part !== "");
}
