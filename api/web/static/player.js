// The player page: balance and history from the API, checked against a node as soon as they are
// shown (and again on request, with the published node or the reader's own).

import { ApiError, enc, getJson } from "./api.js";
import { h } from "./hex.js";
import { count, money, setDisplay, when } from "./format.js";
import { markEntry, proof, renderEntry, shortened, token } from "./entry.js";
import { $, STORE, fitFigures, say, setCheck } from "./page.js";
import { Rpc } from "./rpc.js";
import { showTerms } from "./terms.js";
import { apiReader, campaignOnChain, verifyPlayer } from "./verify.js";

const PAGE_SIZE = 20;
const POLL_MS = 10_000; // how often an open page looks for new entries (one cheap balance read)
const PLAYER_KEY = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const FIGURES = ["available", "earned", "paid", "reversed", "expired"];
const entryCount = (n) => count(n, "entry", "entries");

const state = {
  config: null, player: null, balance: null, entries: [], cursor: null, loading: false,
  generation: 0, // bumped by each load: checks started for an older load drop their answers
  checks: Promise.resolve(), // one check at a time, in order
  results: new Map(), // seq -> problems ([] = matches the chain), for entries checked
  balanceProblems: null, history: null,
};

// ------------------------------------------------------------------ the one error on screen

let shownError = null;

/** Shows `text` in `el` (the top message, or a check line), removing whatever error was shown before. */
function showError(el, text) {
  clearError();
  if (el === $("message")) say(text);
  else setCheck(el, "failed", text);
  shownError = el;
}

function clearError() {
  if (shownError === $("message")) say("");
  else if (shownError) setCheck(shownError, "unchecked", "Not checked.");
  shownError = null;
}

// ------------------------------------------------------------------ node settings

const nodeUrl = () => $("rpc-url").value.trim();
const contractAddress = () => $("contract").value.trim().toLowerCase();
const published = () => nodeUrl() === state.config.rpc_url;

function fillNodeSettings() {
  const { config } = state;
  $("rpc-url").value = localStorage.getItem(STORE.rpc) || config.rpc_url;
  $("contract").value = localStorage.getItem(STORE.contract) || config.contract || "";
}

function keepNodeSettings() {
  const keep = (key, value, official) => (value && value !== official ? localStorage.setItem(key, value) : localStorage.removeItem(key));
  keep(STORE.rpc, nodeUrl(), state.config.rpc_url);
  keep(STORE.contract, contractAddress(), (state.config.contract || "").toLowerCase());
}

// ------------------------------------------------------------------ loading

async function load(player) {
  clearError();
  const generation = ++state.generation;
  Object.assign(state, { player: null, balance: null, entries: [], cursor: null, results: new Map(), balanceProblems: null, history: null });
  $("entries").replaceChildren();
  for (const id of ["balance", "verify", "history"]) $(id).hidden = true;
  if (!PLAYER_KEY.test(player)) {
    showError($("message"), "A player key is 0x followed by 64 hex digits.");
    return;
  }
  state.player = player.toLowerCase();
  let balance, page;
  try {
    // The balance first: history read after it holds every entry up to the balance's block,
    // which is what lets the check tell whether the history adds up to the balance.
    balance = await getJson(`/v1/players/${state.player}/balance`);
    page = await getJson(`/v1/players/${state.player}/history?limit=${PAGE_SIZE}`);
  } catch (err) {
    if (generation === state.generation) {
      showError($("message"), err instanceof ApiError && err.status === 404 ? "This player key has no entries in the ledger yet." : err.message);
    }
    return;
  }
  if (generation !== state.generation) return; // another key was asked for meanwhile
  state.balance = balance;
  const shown = appendPage(page);
  renderBalance(balance);
  for (const id of ["balance", "verify", "history"]) $(id).hidden = false;
  $("fresh").hidden = true;
  fitFigures($("balance"));
  await check(shown);
}

async function loadMore() {
  if (!state.cursor || state.loading) return;
  state.loading = true;
  $("more").disabled = true;
  const generation = state.generation;
  try {
    const page = await getJson(`/v1/players/${state.player}/history?limit=${PAGE_SIZE}&cursor=${enc(state.cursor)}`);
    if (generation !== state.generation) return;
    const shown = appendPage(page);
    clearError();
    check(shown);
  } catch (err) {
    showError($("message"), `Could not show older entries: ${err.message}`);
  } finally {
    state.loading = false;
    $("more").disabled = false;
  }
}

/** Shows a page of history below the entries shown; returns its entries. */
function appendPage(page) {
  const list = $("entries");
  for (const entry of page.entries) {
    state.entries.push(entry);
    list.append(renderEntry(entry, (e) => showTerms(e, termsHashOnChain)));
  }
  state.cursor = page.next_cursor;
  $("more").hidden = !state.cursor;
  return page.entries;
}

/** Tells the reader when entries newer than the ones shown have arrived (the page does not move
 * under their eyes: they choose when to reload). */
async function lookForNewEntries() {
  if (document.hidden || !state.balance || state.loading) return;
  try {
    const now = await getJson(`/v1/players/${state.player}/balance`);
    if (now.player !== state.player || now.last_seq <= state.balance.last_seq) return;
    const fresh = now.entries - state.balance.entries;
    $("fresh-text").textContent = `${count(fresh, "new entry", "new entries")} ${fresh === 1 ? "has" : "have"} arrived.`;
    $("fresh").hidden = false;
  } catch {
    // quiet: the next look retries
  }
}

function renderBalance(b) {
  for (const key of FIGURES) $(key).textContent = money(b[key]);
  const newest = state.entries.find((e) => e.seq <= b.last_seq);
  const recent = b.finalized ? "" : " It is recent and may take a few minutes to become final.";
  $("as-of").textContent = `${entryCount(b.entries)} in all. The newest was on ${newest ? when(newest.block_time) : "—"}.${recent}`;
  $("balance-proof").replaceWith(
    Object.assign(
      proof([
        ["As of block", "as-of-block", String(b.as_of_block), " ", token(b.as_of_block_hash)],
        ["Confirmations", "confirmations", String(b.confirmations)],
        ["Newest entry", "last-entry", `#${b.last_seq} in block ${b.last_entry_block} (${b.finalized ? "final" : "not final yet"})`],
        ["Chain", "chain", String(b.chain_id)],
        ["Contract", "contract", token(b.contract)],
      ]),
      { id: "balance-proof" },
    ),
  );
}

// ------------------------------------------------------------------ checking against a node

/**
 * Every call into the verifier's checks (terms: termsHashOnChain below), so that a change of its
 * interface touches this function only. The verifier reads the balance and the whole history from
 * the API itself and judges them at the node's latest block (docs/verification.md): the history is
 * checked to add up whatever is shown, and entries newer than the API are found on chain.
 * Problems are lists of reasons ([] = matches the chain).
 */
async function askNode(url, contract, entries) {
  const report = await verifyPlayer(new Rpc(url), apiReader(getJson, state.player), { contract, player: state.player });
  for (const e of entries) if (!report.entries.has(e.seq)) report.entries.set(e.seq, ["the ledger's site no longer lists it"]);
  return report; // { node, chainId, contract, entries, balance, history, block, lag, newer, … }
}

/** The campaign's terms hash as the contract holds it now, or null when it has no such campaign. */
async function termsHashOnChain(campaignId) {
  const campaign = await campaignOnChain(new Rpc(nodeUrl()), contractAddress(), campaignId);
  return campaign.end === 0n ? null : campaign.termsHash;
}

/** Checks `entries` (and the balance) after any check already running; the marks follow. */
function check(entries) {
  const generation = state.generation;
  const run = () => (generation === state.generation ? runCheck(entries, generation) : null);
  state.checks = state.checks.then(run, run);
  return state.checks;
}

async function runCheck(entries, generation) {
  const summary = $("verify-summary");
  const contract = contractAddress();
  if (!ADDRESS.test(contract)) {
    $("node-settings").open = true;
    showError(summary, "Enter the ledger contract's address (0x and 40 hex digits) under Check with another node.");
    return;
  }
  if (shownError === summary) clearError();
  $("verify-button").disabled = true;
  for (const e of entries) markEntry(e.seq, "checking");
  setCheck($("balance-check"), "checking", "Checking your balance against the chain…");
  setCheck(summary, "checking", `Checking your balance and ${entryCount(entries.length)} with ${published() ? "the published node" : "your node"}…`);
  try {
    const result = await askNode(nodeUrl(), contract, entries);
    if (generation !== state.generation) return;
    for (const e of entries) state.results.set(e.seq, result.entries.get(e.seq));
    Object.assign(state, { balanceProblems: result.balance, history: result.history });
    showResults(result);
  } catch (err) {
    if (generation !== state.generation) return;
    for (const e of state.entries) if (!state.results.has(e.seq) || entries.includes(e)) markEntry(e.seq, "unchecked");
    for (const e of entries) state.results.delete(e.seq);
    setCheck($("balance-check"), "unchecked", "Not checked.");
    setCheck($("history-check"), "unchecked", "");
    showError(summary, `Could not check: ${err.message}.`);
  } finally {
    $("verify-button").disabled = false;
  }
}

function showResults(result) {
  for (const [seq, problems] of state.results) markEntry(seq, problems.length ? "failed" : "verified", problems);
  const badBalance = state.balanceProblems.length > 0;
  setCheck(
    $("balance-check"),
    badBalance ? "failed" : "verified",
    badBalance ? `Your balance does not match the chain: ${state.balanceProblems.join("; ")}.` : "Your balance matches the chain.",
  );
  const history = $("history-check");
  if (state.history == null) setCheck(history, "unchecked", "Show your older entries to check that your whole history adds up to your balance.");
  else if (state.history.length) setCheck(history, "failed", `Your history is incomplete: ${state.history.join("; ")}.`);
  else setCheck(history, "verified", "Your whole history adds up to your balance and to everything you earned.");

  const shown = state.entries.length;
  const failed = state.entries.filter((e) => state.results.get(e.seq)?.length);
  const unchecked = state.entries.filter((e) => !state.results.has(e.seq)).length;
  const yours = state.cursor ? `your ${count(shown, "newest entry", "newest entries")}` : shown === 1 ? "your entry" : `all ${entryCount(shown)}`;
  const entriesMatch = shown === 1 ? "Your entry matches" : `Your ${entryCount(shown)} match`;
  let text = `Your balance and ${yours} match the chain.`;
  const of = state.cursor ? `of the ${entryCount(shown)} shown` : `of your ${entryCount(shown)}`;
  if (failed.length) text = `${failed.length} ${of} ${failed.length === 1 ? "does" : "do"} not match the chain. `;
  else if (badBalance) text = `${entriesMatch} the chain, but your balance does not.`;
  else if (state.history?.length) text = `${entriesMatch} the chain, but they do not add up to your balance.`;
  else if (unchecked) text = `Your balance and ${entryCount(shown - unchecked)} match the chain; ${unchecked} not checked yet.`;
  const bad = failed.length || badBalance || state.history?.length;
  setCheck($("verify-summary"), bad ? "failed" : "verified", text);
  if (failed.length) $("verify-summary").append(h("a", { href: `#entry-${failed[0].seq}` }, `See entry #${failed[0].seq}`));
  $("check-proof").replaceWith(
    Object.assign(
      proof(
        [
          ["Node", "node", shortened(result.node)],
          ["Chain", "chain", String(result.chainId)],
          ["Contract", "contract", token(result.contract)],
          ["Balance as of block", "block", String(state.balance.as_of_block)],
        ],
        "How it was checked",
      ),
      { id: "check-proof" },
    ),
  );
}

// ------------------------------------------------------------------ start

function checkAgain() {
  keepNodeSettings();
  clearError();
  for (const e of state.entries) state.results.delete(e.seq);
  return check(state.entries.slice());
}

async function start() {
  try {
    state.config = await getJson("/web/config.json");
  } catch (err) {
    showError($("message"), err.message);
    return;
  }
  setDisplay(state.config.display);
  fillNodeSettings();
  $("reset-node").addEventListener("click", () => {
    localStorage.removeItem(STORE.rpc);
    localStorage.removeItem(STORE.contract);
    fillNodeSettings();
    if (state.balance) checkAgain();
  });
  $("verify-button").addEventListener("click", checkAgain);
  $("check-with-node").addEventListener("click", checkAgain);
  $("more").addEventListener("click", loadMore);
  $("fresh-show").addEventListener("click", () => load(state.player));
  window.addEventListener("resize", () => fitFigures($("balance")));
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
  document.body.dataset.ready = "true"; // for tests and scripts: the first load and its check have finished
}

start();
