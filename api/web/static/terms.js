// A campaign's terms, opened from an entry: the text the API serves, hashed in the browser, against
// the hash the operator committed on chain when it created the campaign.

import { getBytes } from "./api.js";
import { keccak, sameHex, shortHex } from "./hex.js";
import { $, setCheck } from "./page.js";

/** A 66-character hash, shortened to fit a phone (both ends, enough to compare by eye), whole in
 * its tooltip and `data-full`. */
function showHash(el, hash) {
  el.textContent = shortHex(hash, 12);
  el.title = hash;
  el.dataset.full = hash;
}

/** Opens the terms dialog for `entry`'s campaign; `hashOnChain(campaignId)` reads the committed
 * hash from the node the reader chose (null: no such campaign). */
export async function showTerms(entry, hashOnChain) {
  const status = $("terms-status");
  $("terms-title").textContent = `Terms of campaign ${entry.campaign}`;
  for (const id of ["terms-chain-hash", "terms-text-hash"]) Object.assign($(id), { textContent: "…", title: "" }).removeAttribute("data-full");
  $("terms-text").textContent = "";
  setCheck(status, "checking", "Reading the terms' fingerprint from the chain…");
  $("terms").showModal();
  const [onChain, served] = await Promise.allSettled([
    Promise.resolve().then(() => hashOnChain(entry.campaign_id)),
    getBytes(`/v1/campaigns/${entry.campaign_id}/terms`),
  ]);
  if (served.status === "fulfilled") {
    $("terms-text").textContent = new TextDecoder().decode(served.value.bytes);
    showHash($("terms-text-hash"), keccak(served.value.bytes));
  } else {
    $("terms-text-hash").textContent = "no text";
  }
  if (onChain.status === "rejected") {
    setCheck(status, "failed", `Could not read the chain: ${onChain.reason.message}.`);
    return;
  }
  if (onChain.value == null) {
    setCheck(status, "failed", "The chain has no such campaign.");
    return;
  }
  showHash($("terms-chain-hash"), onChain.value);
  if (served.status === "rejected") {
    setCheck(status, "unavailable", `No terms text matching the chain is served here: ${served.reason.message}.`);
  } else if (sameHex(keccak(served.value.bytes), onChain.value)) {
    setCheck(status, "verified", "These terms match the hash committed on chain.");
  } else {
    setCheck(status, "failed", "These terms do NOT match the hash committed on chain.");
  }
}
