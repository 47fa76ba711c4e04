// The player page: balance and history from the API, each entry then checked against a node.

import { ApiError, enc, getBytes, getJson } from "./api.js";
import { bytes32Text, formatAmount, h, keccak, sameHex, shortHex, utc } from "./hex.js";
import { $, STORE, say, setCheck } from "./page.js";
import { Rpc, RpcError } from "./rpc.js";
import { apiReader, campaignOnChain, verifyPlayer } from "./verify.js";

const PAGE_SIZE = 20;
const POLL_MS = 10_000; // how often an open page looks for new entries (one cheap balance read)
const PLAYER_KEY = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const KIND_LABELS = { issued: "Reward", paid: "Payout", reversed: "Reversal", expired: "Expiry" };

const state = { config: null, player: null, balance: null, entries: [], cursor: null, loading: false };

// ------------------------------------------------------------------ node settings

function nodeUrl() {
  return $("rpc-url").value.trim();
}

function contractAddress() {
  return $("contract").value.trim().toLowerCase();
}

function fillNodeSettings() {
  const { config } = state;
  $("rpc-url").value = localStorage.getItem(STORE.rpc) || config.rpc_url;
  $("contract").value = localStorage.getItem(STORE.contract) || config.contract || "";
}

function keepNodeSettings() {
  const keep = (key, value, published) => (value && value !== published ? localStorage.setItem(key, value) : localStorage.removeItem(key));
  keep(STORE.rpc, nodeUrl(), state.config.rpc_url);
  keep(STORE.contract, contractAddress(), (state.config.contract || "").toLowerCase());
}

// ------------------------------------------------------------------ loading

async function load(player) {
  say("");
  if (!PLAYER_KEY.test(player)) {
    say("A player key is 0x followed by 64 hex digits.");
    return;
  }
  state.player = player.toLowerCase();
  state.balance = null;
  state.entries = [];
  state.cursor = null;
  $("entries").replaceChildren();
  for (const id of ["balance", "verify", "history"]) $(id).hidden = true;
  try {
    // The balance first: history read after it holds every entry up to the balance's block,
    // which is what lets verification check that the history adds up to the balance.
    const balance = await getJson(`/v1/players/${state.player}/balance`);
    const page = await getJson(`/v1/players/${state.player}/history?limit=${PAGE_SIZE}`);
    state.balance = balance;
    renderBalance(balance);
    appendPage(page);
  } catch (err) {
    say(err instanceof ApiError && err.status === 404 ? "This player key has no entries in the ledger yet." : err.message);
    return;
  }
  for (const id of ["balance", "verify", "history"]) $(id).hidden = false;
  $("fresh").hidden = true;
  setCheck($("verify-summary"), "unchecked", "Not checked yet.");
  setCheck($("history-check"), "unchecked", "");
}

async function loadMore() {
  if (!state.cursor || state.loading) return;
  state.loading = true;
  $("more").disabled = true;
  try {
    appendPage(await getJson(`/v1/players/${state.player}/history?limit=${PAGE_SIZE}&cursor=${enc(state.cursor)}`));
    setCheck($("verify-summary"), "unchecked", "Newly shown entries are not checked yet.");
    setCheck($("history-check"), "unchecked", "");
  } catch (err) {
    say(err.message);
  } finally {
    state.loading = false;
    $("more").disabled = false;
  }
}

function appendPage(page) {
  const list = $("entries");
  for (const entry of page.entries) {
    state.entries.push(entry);
    list.append(renderEntry(entry));
  }
  state.cursor = page.next_cursor;
  $("more").hidden = !state.cursor;
}

/** Tells the reader when entries newer than the ones shown have arrived (the page does not move
 * under their eyes: they choose when to reload). */
async function lookForNewEntries() {
  if (document.hidden || !state.balance || state.loading) return;
  try {
    const now = await getJson(`/v1/players/${state.player}/balance`);
    if (now.player !== state.player || now.last_seq <= state.balance.last_seq) return;
    const count = now.entries - state.balance.entries;
    $("fresh-text").textContent = `${count} new entr${count === 1 ? "y has" : "ies have"} arrived.`;
    $("fresh").hidden = false;
  } catch {
    // quiet: the next look retries
  }
}

// ------------------------------------------------------------------ rendering

function renderBalance(b) {
  for (const key of ["available", "earned", "paid", "reversed", "expired"]) $(key).textContent = formatAmount(b[key]);
  const confirmations = `${b.confirmations} confirmation${b.confirmations === 1 ? "" : "s"}`;
  const finality = b.finalized ? "final" : "not final yet";
  $("as-of").textContent = `${b.entries} entries, as of block ${b.as_of_block} (${confirmations}; latest entry ${finality}).`;
  setCheck($("balance-check"), "unchecked", "Balance not checked against the chain yet.");
}

function field(label, name, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", { "data-field": name }, ...value));
}

function renderEntry(e) {
  const v = e.verification;
  const sign = e.kind === "issued" ? "+" : "\u2212";
  const fields = [];
  if (e.campaign_id) {
    const terms = h("button", { type: "button", class: "link", onclick: () => showTerms(e) }, "terms");
    terms.setAttribute("aria-label", `Terms of campaign ${e.campaign}`);
    fields.push(field("Campaign", "campaign", e.campaign, " ", terms));
  }
  if (e.kind === "reversed") {
    fields.push(field("Takes back", "reference", `entry #${e.reward_seq}`));
  } else {
    fields.push(field("Reference", "reference", e.ref_text));
  }
  if (e.kind === "reversed" || e.kind === "expired") fields.push(field("Reason", "reason", bytes32Text(e.aux)));
  if (e.batch_id) fields.push(field("Batch", "batch", `${bytes32Text(e.batch_id)}, row ${v.batch_index}`));
  const where = [
    field("Entry", "seq", `#${e.seq}`),
    field("Block", "block", String(v.block_number)),
    field("Transaction", "tx", h("code", { title: v.tx_hash }, shortHex(v.tx_hash, 8))),
    field("Log index", "log", String(v.log_index)),
  ];
  return h(
    "li",
    { class: "entry", id: `entry-${e.seq}`, "data-seq": e.seq, "data-kind": e.kind, "data-status": "unchecked" },
    h(
      "div",
      { class: "entry-head" },
      h("span", { class: `kind kind-${e.kind}` }, KIND_LABELS[e.kind]),
      h("span", { class: "amount", "data-field": "amount", "data-amount": e.amount }, `${sign}${formatAmount(e.amount)}`),
      h("time", { datetime: new Date(e.block_time * 1000).toISOString(), "data-field": "time" }, utc(e.block_time)),
    ),
    h("dl", { class: "entry-fields" }, fields),
    h("dl", { class: "entry-fields where", "aria-label": "Where the chain recorded it" }, where),
    h("p", { class: "check", "data-status": "unchecked" }, "Not checked yet."),
  );
}

function markEntry(seq, problems) {
  const item = document.querySelector(`li.entry[data-seq="${seq}"]`);
  if (!item) return;
  item.dataset.status = problems.length ? "failed" : "verified";
  const check = item.querySelector(".check");
  check.dataset.status = item.dataset.status;
  check.replaceChildren();
  if (!problems.length) {
    check.textContent = "Verified on chain.";
    return;
  }
  check.append(h("strong", {}, "Failed: "), problems.join("; "), ".");
}

// ------------------------------------------------------------------ verification

async function verify() {
  const button = $("verify-button");
  const summary = $("verify-summary");
  const contract = contractAddress();
  if (!ADDRESS.test(contract)) {
    setCheck(summary, "failed", "Enter the ledger contract's address (0x and 40 hex digits) under Node and contract.");
    $("node-settings").open = true;
    return;
  }
  button.disabled = true;
  const entries = state.entries.slice();
  setCheck(summary, "checking", `Checking your balance and whole history against ${nodeUrl()}…`);
  try {
    const rpc = new Rpc(nodeUrl());
    keepNodeSettings();
    // The verifier reads the balance and the whole history from the API itself and judges them at
    // the node's latest block, finding on chain any entry newer than the API.
    const report = await verifyPlayer(rpc, apiReader(getJson, state.player), { contract, player: state.player });
    for (const entry of entries) markEntry(entry.seq, report.entries.get(entry.seq) ?? ["the ledger's site no longer lists it"]);
    const bad = report.balance;
    setCheck(
      $("balance-check"),
      bad.length ? "failed" : "verified",
      bad.length ? `Balance failed: ${bad.join("; ")}.` : `Available and earned match the contract at block ${report.block}.`,
    );
    setCheck(
      $("history-check"),
      report.history.length ? "failed" : "verified",
      report.history.length ? `Your history is incomplete: ${report.history.join("; ")}.` : "Your whole history adds up to your balance and lifetime earnings on chain.",
    );
    const failed = entries.filter((e) => report.entries.get(e.seq)?.length);
    const where = `node ${rpc.url} (chain ${report.chainId})`;
    let text = `All ${entries.length} entries verified against ${where}.`;
    if (failed.length) text = `${failed.length} of ${entries.length} entries failed against ${where}. `;
    else if (report.history.length) text = `All ${entries.length} entries verified against ${where}, but they do not add up to the balance.`;
    else if (bad.length) text = `All ${entries.length} entries verified against ${where}, but the balance does not match.`;
    if (report.lag > 0) text += ` The ledger's site is ${report.lag} block${report.lag === 1 ? "" : "s"} behind the chain`;
    if (report.lag > 0) text += report.newer.length ? `; ${report.newer.length} newer entr${report.newer.length === 1 ? "y was" : "ies were"} found on chain.` : ".";
    setCheck(summary, report.verdict === "verified" ? "verified" : "failed", text);
    if (failed.length) summary.append(h("a", { href: `#entry-${failed[0].seq}` }, `See entry #${failed[0].seq}`));
  } catch (err) {
    setCheck(summary, "failed", `Could not check: ${err instanceof RpcError ? err.message : String(err.message || err)}.`);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ terms

async function showTerms(entry) {
  const dialog = $("terms");
  const status = $("terms-status");
  $("terms-title").textContent = `Terms of campaign ${entry.campaign}`;
  $("terms-chain-hash").textContent = "…";
  $("terms-text-hash").textContent = "…";
  $("terms-text").textContent = "";
  setCheck(status, "checking", "Reading the terms hash from the chain…");
  dialog.showModal();
  const [onChain, served] = await Promise.allSettled([
    Promise.resolve().then(() => campaignOnChain(new Rpc(nodeUrl()), contractAddress(), entry.campaign_id)),
    getBytes(`/v1/campaigns/${entry.campaign_id}/terms`),
  ]);
  if (served.status === "fulfilled") {
    $("terms-text").textContent = new TextDecoder().decode(served.value.bytes);
    $("terms-text-hash").textContent = keccak(served.value.bytes);
  } else {
    $("terms-text-hash").textContent = "no text";
  }
  if (onChain.status === "rejected") {
    setCheck(status, "failed", `Could not read the chain: ${onChain.reason.message}.`);
    return;
  }
  const campaign = onChain.value;
  if (campaign.end === 0n) {
    setCheck(status, "failed", "The chain has no such campaign.");
    return;
  }
  $("terms-chain-hash").textContent = campaign.termsHash;
  if (served.status === "rejected") {
    setCheck(status, "unavailable", `No terms text matching the chain is served here: ${served.reason.message}.`);
  } else if (sameHex(keccak(served.value.bytes), campaign.termsHash)) {
    setCheck(status, "verified", "These terms match the hash committed on chain.");
  } else {
    setCheck(status, "failed", "These terms do NOT match the hash committed on chain.");
  }
}

// ------------------------------------------------------------------ start

async function start() {
  try {
    state.config = await getJson("/web/config.json");
  } catch (err) {
    say(err.message);
    return;
  }
  fillNodeSettings();
  $("reset-node").addEventListener("click", () => {
    localStorage.removeItem(STORE.rpc);
    localStorage.removeItem(STORE.contract);
    fillNodeSettings();
  });
  $("verify-button").addEventListener("click", verify);
  $("more").addEventListener("click", loadMore);
  $("fresh-show").addEventListener("click", () => load(state.player));
  setInterval(lookForNewEntries, POLL_MS);
  $("lookup").addEventListener("submit", (event) => {
    event.preventDefault();
    const player = $("player-key").value.trim();
    history.replaceState(null, "", `?player=${enc(player)}`);
    load(player);
  });
  const params = new URLSearchParams(location.search);
  const player = params.get("player") || new URLSearchParams(location.hash.slice(1)).get("player");
  if (player) {
    $("player-key").value = player;
    await load(player.trim());
  }
  document.body.dataset.ready = "true"; // for tests and scripts: the first load has finished
}

start();
