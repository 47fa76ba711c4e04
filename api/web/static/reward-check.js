// "How this reward was computed": the player opens the period file their operator gave them
// (their activity leaf, its salt and proof, and the rules: what `ledger period proof` writes); the
// browser shows their figures and each rule's arithmetic, and checks against the node the page
// uses that the rules are the committed ones, the leaf is in the committed root and the ledger
// paid exactly that reward.

import { getJson } from "./api.js";
import { h } from "./hex.js";
import { $, setCheck } from "./page.js";
import { Rpc } from "./rpc.js";
import { FIGURES, checkPeriod, explainReward, leafActivity } from "./rules.js";

const LABELS = {
  deposits: "Deposits", first_deposit: "First deposit", wins: "Wins", carried_wager: "Wagered before this period",
  tier: "Tier", rank: "Rank", events: "Events",
};

function figureRows(doc, a) {
  const rows = FIGURES.map((name) => [LABELS[name], describe(doc, name, a[name])]);
  doc.categories.forEach((c, i) => rows.push([`Wagered on ${c}`, a.wagers[i].toLocaleString("en-US")]));
  return rows.flatMap(([dt, dd]) => [h("dt", {}, dt), h("dd", {}, dd)]);
}

function describe(doc, name, value) {
  if (name === "tier") return value ? doc.tiers[Number(value) - 1].name : "none";
  if (name === "events") return doc.events.filter((_, i) => (value >> BigInt(i)) & 1n).join(", ") || "none";
  return value.toLocaleString("en-US");
}

async function node() {
  let url = $("rpc-url")?.value.trim(), contract = $("contract")?.value.trim();
  if (!url || !contract) {
    const config = await getJson("/web/config.json");
    url ||= config.rpc_url;
    contract ||= config.contract;
  }
  return { rpc: new Rpc(url), contract };
}

async function show(file) {
  const status = $("reward-check");
  $("reward-figures").replaceChildren();
  $("reward-lines").replaceChildren();
  let answer;
  try {
    answer = JSON.parse(await file.text());
    if (!answer?.leaf?.value || !Array.isArray(answer.proof) || !answer.rules?.rules) throw new Error("not a period file");
  } catch (err) {
    setCheck(status, "failed", `This file is not a period file from your operator (${err.message}).`);
    return;
  }
  const doc = answer.rules;
  let explained, activity;
  try {
    activity = leafActivity(answer.leaf);
    explained = explainReward(doc, activity);
  } catch (err) {
    setCheck(status, "failed", `The leaf's figures do not fit the rules: ${err.message}`);
    return;
  }
  $("reward-figures").replaceChildren(...figureRows(doc, activity));
  $("reward-lines").replaceChildren(
    ...explained.lines.map((line) => h("li", {}, h("strong", {}, `${line.rule} (${line.kind.replace("_", " ")})`), `: ${line.text}`)),
    h("li", {}, h("strong", {}, "Reward"), `: ${explained.total}`),
  );
  setCheck(status, "checking", "Checking against the chain…");
  try {
    const { rpc, contract } = await node();
    const result = await checkPeriod(rpc, contract, answer, doc);
    if (result.ok) setCheck(status, "verified", `Matches the chain: the rules are the committed ones, your leaf is in the committed root ${result.root}, and the ledger paid you ${result.paid.toLocaleString("en-US")}.`);
    else setCheck(status, "failed", `Does not match the chain: ${result.problems.join("; ")}.`);
  } catch (err) {
    setCheck(status, "failed", `The check could not be made: ${err.message}`);
  }
}

$("leaf-file")?.addEventListener("change", (event) => {
  const file = event.target.files?.[0];
  if (file) show(file);
});
