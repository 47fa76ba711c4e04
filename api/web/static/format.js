// How both pages write amounts, counts and times for people.
//
// Amounts are integers of ledger units (uint256, carried as decimal strings). The operator's
// display settings say what a unit is: `unit` is an ISO 4217 currency code (EUR: shown as money)
// or a unit name (points), and `decimals` how many ledger units make one displayed unit, as a
// power of ten (2: the ledger counts cents). The digits come from BigInt and string arithmetic
// only, never through a Number, so every amount is shown exactly however large it is; Intl only
// places the currency sign and the separators. The pages are written in English, so are their
// numbers (en-US separators); dates are written out in UTC, the same for every reader.

const LOCALE = "en-US";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MINUS = "\u2212";
const NBSP = "\u00a0"; // keeps an amount and its unit on one line

let display = { unit: "points", decimals: 0, currency: false };
const formatters = new Map();

function isCurrency(code) {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    return Intl.supportedValuesOf("currency").includes(code);
  } catch {
    return true; // an older browser without the list: a three-letter capital code is taken as one
  }
}

/** Sets how amounts are shown, from the pages' configuration (`{unit, decimals}`). */
export function setDisplay(settings) {
  const unit = String(settings?.unit || "points").trim() || "points";
  const decimals = Math.max(0, Math.min(18, Number(settings?.decimals) || 0));
  display = { unit, decimals, currency: isCurrency(unit) };
  formatters.clear();
}

export function displayUnit() {
  return { ...display };
}

/** Fraction digits a currency normally shows (EUR 2, JPY 0). */
function minorDigits(code) {
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
}

function formatter(digits) {
  if (!formatters.has(digits)) {
    const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
    if (display.currency) Object.assign(options, { style: "currency", currency: display.unit });
    formatters.set(digits, new Intl.NumberFormat(LOCALE, options));
  }
  return formatters.get(digits);
}

/** "points" for many, "point" for one: a unit name is given in the plural. */
function unitName(one) {
  const unit = display.unit;
  if (!one) return unit;
  if (/[^aeiou]ies$/i.test(unit)) return unit.slice(0, -3) + "y";
  if (/[^su]s$/i.test(unit)) return unit.slice(0, -1);
  return unit;
}

/**
 * `value` ledger units as the reader counts them: "€1,234.56" or "1,234 points". The fraction
 * keeps every non-zero digit and at least the digits money normally shows. `sign` "+" or "-"
 * leads with "+" or "−" (amounts are never negative: the caller knows the direction). `bare`
 * leaves out a unit name (a table column names it once; a currency sign always stays).
 */
export function money(value, { sign = "", bare = false } = {}) {
  let units = BigInt(value);
  let prefix = sign === "-" ? MINUS : sign;
  if (units < 0n) {
    units = -units;
    prefix = MINUS;
  }
  const { decimals } = display;
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  let fraction = (units % scale).toString().padStart(decimals, "0");
  const keep = Math.min(decimals, display.currency ? minorDigits(display.unit) : 2);
  while (fraction.length > keep && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  const parts = formatter(fraction.length).formatToParts(whole); // BigInt: formatted exactly
  const number = parts.map((p) => (p.type === "fraction" ? fraction : p.value)).join("");
  if (display.currency || bare) return prefix + number;
  return `${prefix}${number}${NBSP}${unitName(whole === 1n && !fraction)}`;
}

/** A rough figure for chart axes ("€12K", "1.5M"): Numbers are fine where pixels are the precision. */
export function compactMoney(units) {
  const value = Number(units) / 10 ** display.decimals;
  const options = { notation: "compact", maximumFractionDigits: 1 };
  if (display.currency) Object.assign(options, { style: "currency", currency: display.unit });
  return new Intl.NumberFormat(LOCALE, options).format(value);
}

/** A whole number with separators ("12,345"), exact for any size. */
export function number(value) {
  return BigInt(value).toLocaleString(LOCALE);
}

/** "1 entry", "2 entries", "12,345 entries". */
export function count(n, one, many = one + "s") {
  return `${number(n)} ${BigInt(n) === 1n ? one : many}`;
}

function parts(seconds) {
  const d = new Date(Number(seconds) * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return {
    year: String(d.getUTCFullYear()), month: MONTHS[d.getUTCMonth()], day: String(d.getUTCDate()),
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`, seconds: two(d.getUTCSeconds()),
  };
}

/** "8 Dec 2026, 21:12 UTC": when something happened, for a person. */
export function when(seconds) {
  const p = parts(seconds);
  return `${p.day} ${p.month} ${p.year}, ${p.time} UTC`;
}

/**
 * A point in time written to the precision of `unit` (second, minute, hour, day, week, month,
 * year): "21:12:35", "8 Dec 21:00", "8 Dec", "Dec 2026", "2026". `withDate` adds the day to
 * times of day and `withYear` the year to days.
 */
export function timeLabel(seconds, unit, { withDate = true, withYear = true } = {}) {
  const p = parts(seconds);
  const date = withYear ? `${p.day} ${p.month} ${p.year}` : `${p.day} ${p.month}`;
  if (unit === "year") return p.year;
  if (unit === "month") return `${p.month} ${p.year}`;
  if (unit === "day" || unit === "week") return date;
  const time = unit === "second" ? `${p.time}:${p.seconds}` : p.time;
  return withDate ? `${date} ${time}` : time;
}
