// The dashboard's chart, drawn as inline SVG: cumulative amounts issued and paid over time, and
// the exact figures per period as a table. Sums stay BigInt; only the plotted coordinates become
// Numbers (pixels need no uint256 precision).

import { h } from "./hex.js";
import { compactMoney, displayUnit, money, timeLabel } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const H = 280;
const M = { left: 64, right: 16, top: 14, bottom: 34 };
const CHAR_PX = 6.6; // average advance of the axis font (11 px), for spacing the labels
const DAY = 86_400;
const MONDAY = 4 * DAY; // weeks start on Mondays, as the API's periods do
const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600, day: DAY, week: 7 * DAY };
// Distances between axis labels a reader finds natural: in seconds up to a fortnight, then in
// months (calendar months, whatever the series' period).
const TICK_SECONDS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
const TICK_MONTHS = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000];

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

const monthIndex = (t) => {
  const d = new Date(t * 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthStart = (i) => Date.UTC(Math.floor(i / 12), i % 12, 1) / 1000;
const utcDay = (t) => Math.floor(t / DAY);
const utcYear = (t) => new Date(t * 1000).getUTCFullYear();

/** Cumulative sums at each period's end: [{time, issued, paid}], starting from zero. */
export function cumulative(series) {
  const out = [];
  let issued = 0n;
  let paid = 0n;
  if (series.points.length) out.push({ time: series.points[0].time, issued, paid });
  for (const p of series.points) {
    issued += BigInt(p.issued);
    paid += BigInt(p.paid);
    out.push({ time: p.end, issued, paid });
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

/** Times between `t0` and `t1` that are whole multiples of `step` (seconds, or months). */
function ticksEvery(t0, t1, step, months) {
  const out = [];
  if (months) {
    for (let i = Math.ceil(monthIndex(t0) / step) * step; monthStart(i) <= t1; i += step) if (monthStart(i) >= t0) out.push(monthStart(i));
    return out;
  }
  const offset = step % (7 * DAY) === 0 ? MONDAY : 0;
  for (let t = Math.ceil((t0 - offset) / step) * step + offset; t <= t1; t += step) out.push(t);
  return out;
}

/** How labels `step` apart read over t0..t1: time of day (with the date when the span crosses
 * midnight), day and month (with the year when it crosses New Year), month and year, or year. */
function labeller(t0, t1, step, months) {
  if (months) return (t) => timeLabel(t, step % 12 === 0 ? "year" : "month");
  const withYear = utcYear(t0) !== utcYear(t1 - 1);
  if (step >= DAY) return (t) => timeLabel(t, "day", { withYear });
  const unit = step < 60 ? "second" : "minute";
  return (t) => timeLabel(t, unit, { withDate: utcDay(t0) !== utcDay(t1 - 1), withYear });
}

/**
 * The x-axis labels for a series drawn `plotWidth` pixels wide: the finest natural distance (a
 * multiple of the series' period, or whole months) whose labels fit side by side. Labels carry
 * the date when the span crosses midnight and the year when it crosses New Year: all distinct.
 */
export function axisTicks(series, plotWidth) {
  const { points, unit, step } = series;
  if (!points.length) return [];
  const t0 = points[0].time;
  const t1 = points[points.length - 1].end;
  const candidates = [
    ...(unit === "month" ? [] : TICK_SECONDS.filter((c) => c % (step * UNIT_SECONDS[unit]) === 0).map((c) => [c, false])),
    ...TICK_MONTHS.filter((c) => unit !== "month" || c % step === 0).map((c) => [c, true]),
  ];
  let best = [];
  for (const [candidate, months] of candidates) {
    const label = labeller(t0, t1, candidate, months);
    const ticks = ticksEvery(t0, t1, candidate, months).map((t) => ({ time: t, label: label(t) }));
    if (ticks.length < 2 && best.length) break; // coarser would leave the axis bare
    best = ticks;
    const widest = Math.max(0, ...ticks.map((t) => t.label.length)) * CHAR_PX + 16;
    if (ticks.length * widest <= plotWidth) break;
  }
  return best;
}

/** The chart as an SVG `width` units wide: draw it at its box's width so its text stays legible. */
export function drawChart(series, width = 720) {
  const W = Math.max(300, Math.min(900, Math.round(width)));
  const points = cumulative(series);
  const last = points[points.length - 1];
  const title = "Cumulative amounts issued and paid over time";
  const desc = last
    ? `By ${timeLabel(last.time, "minute")} UTC: ${money(last.issued)} issued, ${money(last.paid)} paid.`
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
      s("text", { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, compactMoney(v)),
    );
  }
  for (const tick of axisTicks(series, W - M.left - M.right)) {
    const half = (tick.label.length * CHAR_PX) / 2;
    const at = Math.min(Math.max(x(tick.time), half + 2), W - half - 2); // the whole label inside the chart
    svg.append(
      s("line", { class: "axis", x1: x(tick.time), x2: x(tick.time), y1: H - M.bottom, y2: H - M.bottom + 4 }),
      s("text", { x: at, y: H - M.bottom + 18, "text-anchor": "middle", "data-tick": tick.time }, tick.label),
    );
  }
  for (const kind of ["issued", "paid"]) {
    const path = points.map((p) => `${x(p.time).toFixed(1)},${y(p[kind]).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: kind, points: path, "data-series": kind }));
  }
  return svg;
}

const RANGE = "\u2013";

/** A period as a row of the table names it: "8 Dec 2026 21:00", "Week of 7 Dec 2026", "Dec 2026",
 * "Oct–Dec 2026", "2026", "2020–2024". */
export function periodLabel(point, unit, step) {
  if (unit === "week") return `Week of ${timeLabel(point.time, "day")}`;
  if (unit !== "month") return timeLabel(point.time, unit === "day" ? "day" : unit === "second" ? "second" : "minute");
  const last = monthStart(monthIndex(point.end) - 1);
  if (step === 1) return timeLabel(point.time, "month");
  if (step % 12 === 0) return step === 12 ? timeLabel(point.time, "year") : `${timeLabel(point.time, "year")}${RANGE}${timeLabel(last, "year")}`;
  const from = timeLabel(point.time, "month");
  const to = timeLabel(last, "month");
  return utcYear(point.time) === utcYear(last) ? `${from.slice(0, 3)}${RANGE}${to}` : `${from}${RANGE}${to}`;
}

/** The series as table rows (periods with any entry, then the totals): exact figures for
 * auditors and screen readers. */
export function seriesTable(series) {
  const kinds = ["issued", "paid", "reversed", "expired"];
  const { currency, unit } = displayUnit();
  const caption = h("caption", {}, currency ? "Amounts per period (UTC)" : `Amounts in ${unit} per period (UTC)`);
  const head = h("thead", {}, h("tr", {}, ["Period", "Issued", "Paid", "Reversed", "Expired"].map((c) => h("th", { scope: "col" }, c))));
  const cell = (value) => h("td", { class: value === 0n || value === "0" ? "zero" : null }, money(value, { bare: true }));
  const totals = Object.fromEntries(kinds.map((k) => [k, 0n]));
  const rows = [];
  for (const p of series.points) {
    for (const k of kinds) totals[k] += BigInt(p[k]);
    if (kinds.every((k) => p[k] === "0")) continue;
    rows.push(h("tr", {}, h("th", { scope: "row" }, periodLabel(p, series.unit, series.step)), kinds.map((k) => cell(p[k]))));
  }
  const foot = h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, "Total"), kinds.map((k) => cell(totals[k]))));
  return [caption, head, h("tbody", {}, rows), foot];
}
