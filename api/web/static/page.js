// What both pages share: their own elements, the one-line message, check marks, and where the
// reader's own node and contract are kept in this browser (localStorage).

export const STORE = { rpc: "ledger.rpc", contract: "ledger.contract" };

export const $ = (id) => document.getElementById(id);

export function say(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

export function setCheck(el, status, text) {
  el.dataset.status = status;
  el.textContent = text;
}
