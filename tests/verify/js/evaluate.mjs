// Runs a piece of JavaScript against the page's modules, under Node, for the Python tests.
// stdin: {"code": "<body of an async function>", "input": <any JSON>}. The body sees `input` and
// `m` (the exports of every module of api/web/static by file name, e.g. m["proof.js"]) and
// returns something JSON can carry (BigInts become decimal strings); stdout: that, as JSON.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const statics = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../api/web/static");
vm.runInThisContext(fs.readFileSync(path.join(statics, "sha3.min.js"), "utf8"));
const m = {};
for (const name of ["hex.js", "ledger.js", "rpc.js", "proof.js", "answers.js", "verify.js"]) {
  m[name] = await import(pathToFileURL(path.join(statics, name)).href);
}
const { code, input } = JSON.parse(fs.readFileSync(0, "utf8"));
const AsyncFunction = (async () => {}).constructor;
const result = await new AsyncFunction("input", "m", code)(input, m);
process.stdout.write(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
