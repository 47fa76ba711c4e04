// Runs the page's reward engine (api/web/static/rules.js) under Node for the Python tests.
// stdin: {"rules": {name: {"document": ...}}, "cases": [{"name", "rules": name, "activity", "leaf"?, "proof"?, "root"?}]}
// stdout: {"hashes": {name: hash}, "results": [{"name", "total", "parts": {rule: amount}} or {"name", "error"}]}

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const statics = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../api/web/static");
vm.runInThisContext(fs.readFileSync(path.join(statics, "sha3.min.js"), "utf8"));
const rules = await import(pathToFileURL(path.join(statics, "rules.js")).href);

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const hashes = Object.fromEntries(Object.entries(input.rules).map(([name, r]) => [name, rules.rulesHash(r.document)]));
const results = input.cases.map((c) => {
  const doc = input.rules[c.rules].document;
  try {
    if (c.leaf) {
      const checked = rules.recomputeLeaf(doc, c.leaf, c.proof, c.root);
      return { name: c.name, total: checked.computed.total.toString(), leaf: checked.leaf, ok: checked.ok, problems: checked.problems };
    }
    const reward = rules.computeReward(doc, c.activity);
    return { name: c.name, total: reward.total.toString(), parts: Object.fromEntries(reward.parts.map((p) => [p.rule, p.amount.toString()])) };
  } catch (error) {
    return { name: c.name, error: String(error.message) };
  }
});
process.stdout.write(JSON.stringify({ hashes, results }));
