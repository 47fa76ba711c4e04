// The dashboard's chart, drawn as inline SVG: cumulative amounts issued and paid over time.
// Sums stay BigInt; only the plotted coordinates become Numbers (pixels need no uint256 precision).

import { compact, formatAmount, h } from "./hex.js";

const SVG = "http://www.w3.org/2000/svg";
const H = 280;
const M = { left: 60, right: 16, top: 14, bottom: 34 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

/** Cumulative sums after each bucket: [{time (bucket end), issued, paid}], starting from zero. */
export function cumulative(series) {
  const out = [];
  let issued = 0n;
  let paid = 0n;
  if (series.points.length) out.push({ time: series.points[0].time, issued, paid });
  for (const p of series.points) {
    issued += BigInt(p.issued);
    paid += BigInt(p.paid);
    out.push({ time: p.time + series.bucket_seconds, issued, paid });
  }
  return out;
}

/** A round axis maximum (1, 2 or 5 times a power of ten) at or above `value`. */
function niceCeil(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function dateLabel(seconds, bucket) {
  const iso = new Date(seconds * 1000).toISOString();
  return bucket >= 86400 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** The chart as an SVG `width` units wide: draw it at its box's width so its text stays legible. */
export function drawChart(series, width = 720) {
  const W = Math.max(300, Math.min(900, Math.round(width)));
  const points = cumulative(series);
  const last = points[points.length - 1];
  const title = "Cumulative amounts issued and paid over time";
  const desc = last
    ? `By ${dateLabel(last.time, series.bucket_seconds)} UTC: ${formatAmount(last.issued)} issued, ${formatAmount(last.paid)} paid.`
    : "No entries yet.";
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-svg-title chart-svg-desc" });
  svg.append(s("title", { id: "chart-svg-title" }, title), s("desc", { id: "chart-svg-desc" }, desc));
  if (!last) return svg;

  const t0 = points[0].time;
  const t1 = Math.max(last.time, t0 + 1);
  const top = niceCeil(Number(last.issued > last.paid ? last.issued : last.paid));
  const x = (t) => M.left + ((t - t0) / (t1 - t0)) * (W - M.left - M.right);
  const y = (v) => H - M.bottom - (Number(v) / top) * (H - M.top - M.bottom);

  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg.append(
      s("line", { class: "axis", x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }),
      s("text", { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, compact(v)),
    );
  }
  const ticks = Math.min(W < 500 ? 2 : 4, points.length - 1) || 1;
  for (let i = 0; i <= ticks; i++) {
    const t = t0 + ((t1 - t0) * i) / ticks;
    const anchor = i === 0 ? "start" : i === ticks ? "end" : "middle";
    svg.append(s("text", { x: x(t), y: H - M.bottom + 18, "text-anchor": anchor }, dateLabel(t, series.bucket_seconds)));
  }
  for (const kind of ["issued", "paid"]) {
    const path = points.map((p) => `${x(p.time).toFixed(1)},${y(p[kind]).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: kind, points: path, "data-series": kind }));
  }
  return svg;
}

/** The chart's data as table rows, for screen readers and for exact figures. */
export function seriesTable(series) {
  const head = h("thead", {}, h("tr", {}, ["Bucket start (UTC)", "Issued", "Paid", "Reversed", "Expired"].map((c) => h("th", { scope: "col" }, c))));
  const rows = series.points
    .filter((p) => [p.issued, p.paid, p.reversed, p.expired].some((v) => v !== "0"))
    .map((p) => h("tr", {}, h("td", {}, dateLabel(p.time, series.bucket_seconds)), [p.issued, p.paid, p.reversed, p.expired].map((v) => h("td", {}, formatAmount(v)))));
  return [head, h("tbody", {}, rows)];
}
