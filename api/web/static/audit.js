// The auditor dashboard: the audit routes' figures, the contract's own totals, and a chart.

import { ApiError, getJson } from "./api.js";
import { h, sameHex, shortHex, utc } from "./hex.js";
import { drawChart, seriesTable } from "./chart.js";
import { count, displayUnit, money, number, setDisplay } from "./format.js";
import { $, STORE, fitFigures, say, setCheck, withHex } from "./page.js";
import { Rpc } from "./rpc.js";
import { totalsOnChain } from "./verify.js";

const TOKEN_KEY = "ledger.auditToken"; // sessionStorage: gone when the tab closes
const MAX_CAMPAIGN_PAGES = 20;
const CHART_PERIODS = 60; // points of the chart
const TABLE_PERIODS = 24; // rows of the table at most: coarser periods, each with its own label

let config = null;

const token = () => sessionStorage.getItem(TOKEN_KEY) || undefined;
const audit = (path) => getJson(path, { token: token() });

function facts(el, pairs) {
  el.replaceChildren(...pairs.flatMap(([label, value, name]) => [h("dt", {}, label), h("dd", { "data-field": name }, value)]));
}

async function campaigns() {
  const all = [];
  let cursor = null;
  for (let page = 0; page < MAX_CAMPAIGN_PAGES; page++) {
    const answer = await audit(`/v1/audit/campaigns?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    all.push(...answer.campaigns);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return all;
}

async function load() {
  say("");
  let summary, status, budgetUse, series, table;
  try {
    [summary, status, budgetUse, series, table] = await Promise.all([
      audit("/v1/audit/summary"), audit("/v1/audit/status"), campaigns(),
      audit(`/web/audit/series?buckets=${CHART_PERIODS}`), audit(`/web/audit/series?buckets=${TABLE_PERIODS}`),
    ]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showTokenForm(token() ? "That token was refused: " + err.message : "");
    } else {
      say(err.message);
    }
    return;
  }
  $("token-card").hidden = true;
  $("token-state").hidden = !token();
  $("dashboard").hidden = false;
  renderSummary(summary);
  renderStatus(status);
  renderBudgets(budgetUse);
  fitFigures($("dashboard"));
  const unit = displayUnit();
  $("chart-unit").textContent = unit.currency ? "" : `Amounts in ${unit.unit}.`;
  drawChartToFit(series);
  $("series-table").replaceChildren(...seriesTable(table));
  await Promise.all([checkTotals(summary), reconcile()]);
  document.body.dataset.ready = "true";
}

let resizeTimer = 0;

function drawChartToFit(series) {
  const box = $("chart");
  box.replaceChildren(drawChart(series, box.clientWidth || 720));
  window.onresize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      fitFigures($("dashboard"));
      box.replaceChildren(drawChart(series, box.clientWidth || 720));
    }, 150);
  };
}

function renderSummary(s) {
  for (const key of ["outstanding", "issued", "paid", "reversed", "expired"]) $(key).textContent = money(s[key]);
  $("entry-count").textContent = number(s.entry_count);
  $("players").textContent = number(s.players);
  $("campaigns").textContent = number(s.campaigns);
  const code = (hex, keep) => h("code", { title: hex, "data-full": hex }, shortHex(hex, keep));
  $("totals-as-of").replaceChildren(
    `As of block ${s.as_of_block}; hash-chain head `, code(s.head, 10), "; contract ", code(s.contract, 6), ` on chain ${s.chain_id}.`,
  );
}

/** The mirror's totals against the contract's own `totals()` and `chainState()`, read in the browser. */
async function checkTotals(s) {
  const el = $("totals-check");
  const url = localStorage.getItem(STORE.rpc) || config.rpc_url;
  const contract = localStorage.getItem(STORE.contract) || s.contract;
  setCheck(el, "checking", `Checking the totals against the contract at block ${s.as_of_block}…`);
  try {
    const chain = await totalsOnChain(new Rpc(url), contract, s.as_of_block);
    const problems = ["issued", "paid", "reversed", "expired"]
      .filter((k) => chain[k] !== BigInt(s[k]))
      .map((k) => `${k} is ${money(s[k])} in the mirror but ${money(chain[k])} in the contract`);
    if (chain.entryCount !== BigInt(s.entry_count)) problems.push(`the mirror has ${s.entry_count} entries, the contract ${chain.entryCount}`);
    if (!sameHex(chain.head, s.head)) problems.push(`the mirror's head is ${shortHex(s.head)}, the contract's ${shortHex(chain.head)}`);
    setCheck(
      el,
      problems.length ? "failed" : "verified",
      problems.length ? `${problems.join("; ")}.` : `Totals, entry count and head match the contract at block ${s.as_of_block} (node ${url}).`,
    );
  } catch (err) {
    setCheck(el, "failed", `Could not check against the node ${url}: ${err.message}.`);
  }
}

function renderStatus(s) {
  const lag = `${count(s.lag_blocks, "block")} (${s.lag_seconds.toFixed(1)} s)`;
  facts($("indexer-facts"), [
    ["Indexed up to", `block ${s.indexer_block}`, "indexer-block"],
    ["Chain head", `block ${s.chain_block} when last indexed`, "chain-block"],
    ["Node now", s.node_block == null ? "not reachable" : `block ${s.node_block}`, "node-block"],
    ["Lag", lag, "lag"],
    ["Finalized", `block ${s.finalized_block}`, "finalized"],
    ["Reorgs seen", String(s.reorgs), "reorgs"],
    ["Last error", s.last_error ? h("span", {}, ...withHex(s.last_error)) : "none", "last-error"],
    ["Updated", s.updated_at ? utc(Math.floor(s.updated_at)) : "never", "updated"],
  ]);
}

function renderBudgets(list) {
  $("budgets").replaceChildren(
    ...list.map((c) => {
      const pct = Number(c.used_percent);
      const fill = h("span");
      fill.style.width = `${Math.min(100, pct)}%`; // CSSOM, allowed by the page's CSP (inline styles are not)
      const bar = h("div", {
        class: pct >= 100 ? "bar full" : "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
        "aria-valuenow": Math.min(100, pct), "aria-label": `${c.name}: budget used`,
      }, fill);
      const state = c.closed ? " (closed)" : "";
      return h(
        "li", { class: "budget", "data-campaign": c.name },
        h("div", { class: "budget-head" },
          h("span", { class: "name" }, c.name + state),
          h("span", { "data-field": "use" },
            h("span", { class: "nowrap" }, money(c.issued)), " of ", h("span", { class: "nowrap" }, money(c.budget)),
            " ", h("span", { class: "nowrap" }, `(${c.used_percent}%)`))),
        bar,
      );
    }),
  );
}

async function reconcile() {
  const verdict = $("verdict");
  $("reconcile-again").disabled = true;
  setCheck(verdict, "checking", "Reconciling the mirror with the chain…");
  try {
    const r = await audit("/v1/audit/reconcile");
    setCheck(verdict, r.ok ? "verified" : "failed", `${r.ok ? "PASS" : "FAIL"} at block ${r.block}`);
    facts($("reconcile-facts"), [
      ["Entries", `chain ${number(r.chain_entries)}, mirror ${number(r.mirror_entries)}`, "entries"],
      ["Head on chain", h("code", { title: r.chain_head }, shortHex(r.chain_head, 10)), "chain-head"],
      ["Head of mirror", h("code", { title: r.mirror_head }, shortHex(r.mirror_head, 10)), "mirror-head"],
      ["Checked", `${count(r.players_checked, "player")}, ${count(r.campaigns_checked, "campaign")}`, "checked"],
      ...(r.first_divergent_seq == null ? [] : [["First divergent entry", `#${r.first_divergent_seq}`, "divergent"]]),
    ]);
    // On PASS the report repeats the facts above; on FAIL it lists the differences.
    $("reconcile-report").replaceChildren(...(r.ok ? [] : r.report.map((line) => h("li", {}, ...withHex(line)))));
  } catch (err) {
    setCheck(verdict, "failed", `Reconciliation could not run: ${err.message}`);
  } finally {
    $("reconcile-again").disabled = false;
  }
}

// ------------------------------------------------------------------ token and export

function showTokenForm(problem) {
  $("token-card").hidden = false;
  $("token-state").hidden = true;
  $("dashboard").hidden = true;
  say(problem || "This dashboard needs the audit token.");
  $("token").focus();
}

/** With a token the CSV cannot be a plain link (links send no Authorization header): fetch it instead. */
async function exportCsv(event) {
  if (!token()) return; // the plain link works
  event.preventDefault();
  try {
    const response = await fetch("/v1/audit/export.csv", { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) throw new ApiError(response.status, `the export failed with HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: "ledger-entries.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    say(err.message);
  }
}

async function start() {
  try {
    config = await getJson("/web/config.json");
  } catch (err) {
    say(err.message);
    return;
  }
  $("token-card").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    load();
  });
  $("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenForm("");
  });
  setDisplay(config.display);
  $("reconcile-again").addEventListener("click", reconcile);
  $("export").addEventListener("click", exportCsv);
  if (config.audit_token_required && !token()) {
    showTokenForm("");
    document.body.dataset.ready = "true";
    return;
  }
  await load();
  document.body.dataset.ready = "true";
}

start();
