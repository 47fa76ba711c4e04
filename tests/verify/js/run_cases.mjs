// Judges the shared verification cases with the page's own verifier (api/web/static), under Node.
// Usage: node run_cases.mjs CASES.json API_BASE
// Reads the cases (tests/verify/cases.py writes them), asks the API at API_BASE/<case> (which
// answers what each case says) and the node the file names, and prints one JSON array:
// [{name, verdict, categories, newer, lag, block, problems, notes, found}] (found: [category, seq]).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const statics = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../api/web/static");
// the page loads the vendored keccak256 as a classic script before its modules; so does this
vm.runInThisContext(fs.readFileSync(path.join(statics, "sha3.min.js"), "utf8"));
const load = (name) => import(pathToFileURL(path.join(statics, name)).href);
const { Rpc } = await load("rpc.js");
const { apiReader, verifyPlayer } = await load("verify.js");

const [casesFile, apiBase] = process.argv.slice(2);
const { rpc: rpcUrl, cases } = JSON.parse(fs.readFileSync(casesFile, "utf8"));

/** The page's `getJson` against another origin: the JSON answer, or an error with the API's message. */
const reader = (base) => async (route) => {
  const response = await fetch(base + route);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.message) || `the ledger API answered HTTP ${response.status}`);
  return body;
};

const results = [];
for (const c of cases) {
  const options = { player: c.player, contract: c.contract, at: c.at };
  if (c.max_lag != null) options.maxLag = c.max_lag;
  try {
    const report = await verifyPlayer(new Rpc(rpcUrl), apiReader(reader(`${apiBase}/${c.name}`), c.player), options);
    results.push({
      name: c.name, verdict: report.verdict, categories: [...new Set(report.problems.map((p) => p.category))].sort(),
      newer: report.newer.map((n) => n.seq), lag: report.lag, block: report.block,
      problems: report.problems.map((p) => (p.seq == null ? p.text : `entry ${p.seq}: ${p.text}`)), notes: report.notes,
      found: report.problems.map((p) => [p.category, p.seq ?? 0]).sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1)),
    });
  } catch (err) {
    results.push({ name: c.name, verdict: "error", categories: [], newer: [], problems: [String(err.message || err)], notes: [] });
  }
}
process.stdout.write(JSON.stringify(results));
