// One history entry as the player page shows it: what it was in plain words, and under "Proof"
// where the chain recorded it (entry number, block, transaction, log index, batch row, sender).

import { bytes32Text, h, shortHex, utc } from "./hex.js";
import { money, when } from "./format.js";
import { withHex } from "./page.js";

const KIND_LABELS = { issued: "Reward", paid: "Payout", reversed: "Reversal", expired: "Expiry" };

/** A value that may be a long hex string: shortened, the whole of it in the tooltip and `data-full`. */
export function token(value) {
  const text = String(value);
  if (!/^0x[0-9a-fA-F]{17,}$/.test(text)) return text;
  return h("code", { title: text, "data-full": text }, shortHex(text, 6));
}

/** A long address (a node's URL) cut in the middle to `keep` characters, whole in the tooltip. */
export function shortened(text, keep = 36) {
  const t = String(text);
  const cut = t.length <= keep ? t : `${t.slice(0, Math.ceil(keep / 2))}…${t.slice(-Math.floor(keep / 2) + 1)}`;
  return h("code", { title: t, "data-full": t }, cut);
}

function field(label, name, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", { "data-field": name }, ...value));
}

/** Label/value rows of a proof (`[label, name, value]`), in a `<details>` closed by default. */
export function proof(rows, summary = "Proof") {
  return h(
    "details",
    { class: "proof" },
    h("summary", {}, summary),
    h("dl", { class: "proof-fields" }, rows.map(([label, name, ...value]) => field(label, name, ...value))),
  );
}

/** The list item for entry `e` (as the API gives it); `showTerms(e)` opens its campaign's terms. */
export function renderEntry(e, showTerms) {
  const v = e.verification;
  const fields = [];
  if (e.campaign_id) {
    const terms = h("button", { type: "button", class: "link", onclick: () => showTerms(e) }, "terms");
    terms.setAttribute("aria-label", `Terms of campaign ${e.campaign}`);
    fields.push(field("Campaign", "campaign", token(e.campaign), " ", terms));
  }
  if (e.kind === "reversed") {
    fields.push(field("Takes back", "reference", h("a", { href: `#entry-${e.reward_seq}` }, `entry #${e.reward_seq}`)));
  } else {
    fields.push(field("Reference", "reference", token(e.ref_text)));
  }
  if (e.kind === "reversed" || e.kind === "expired") fields.push(field("Reason", "reason", token(bytes32Text(e.aux))));
  const where = [
    ["Entry", "seq", `#${e.seq}`],
    ["Recorded", "recorded", utc(e.block_time)],
    ["Block", "block", String(v.block_number)],
    ["Transaction", "tx", h("code", { title: v.tx_hash }, shortHex(v.tx_hash, 8))],
    ["Log index", "log", String(v.log_index)],
  ];
  if (e.batch_id) where.push(["Batch", "batch", token(bytes32Text(e.batch_id)), `, row ${v.batch_index}`]);
  where.push(["Sent by", "sender", token(e.sender)]);
  return h(
    "li",
    { class: "entry", id: `entry-${e.seq}`, "data-seq": e.seq, "data-kind": e.kind, "data-status": "unchecked" },
    h(
      "div",
      { class: "entry-head" },
      h("span", { class: `kind kind-${e.kind}` }, KIND_LABELS[e.kind]),
      h("span", { class: "amount", "data-field": "amount", "data-amount": e.amount }, money(e.amount, { sign: e.kind === "issued" ? "+" : "-" })),
      h("time", { datetime: new Date(e.block_time * 1000).toISOString(), "data-field": "time" }, when(e.block_time)),
    ),
    h("dl", { class: "entry-fields" }, fields),
    h("p", { class: "check", "data-status": "unchecked" }),
    proof(where),
  );
}

/** Marks entry `seq` as being checked (`problems` null), matching the chain ([]), or not. */
export function markEntry(seq, status, problems = []) {
  const item = document.querySelector(`li.entry[data-seq="${seq}"]`);
  if (!item) return;
  const check = item.querySelector(".check");
  item.dataset.status = status;
  check.dataset.status = status;
  check.replaceChildren();
  if (status === "checking") check.textContent = "Checking…";
  else if (status === "unchecked") check.textContent = "Not checked.";
  else if (status === "verified") check.textContent = "Matches the chain.";
  else check.append(h("strong", {}, "Does not match the chain: "), ...withHex(problems.join("; ")), ".");
}
