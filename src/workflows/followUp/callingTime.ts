/*
 * Turning a customer's callback wish ("Thursday", "Afternoon", "tomorrow") into a concrete instant. Pure and
 * deterministic: the workflow calls it with workflow time, and the operator commands call it to validate a new time.
 * Time-zone arithmetic uses Intl only, which the workflow sandbox provides, so no date library enters the bundle.
 */

/** Minutes after local midnight, 0..1440. */
export type Minutes = number;

export interface CallingRules {
  /** IANA time zone the hours and days are read in, e.g. "Europe/London". */
  timeZone: string;
  hours: { start: Minutes; end: Minutes };
  /** Allowed weekdays, 0 = Sunday .. 6 = Saturday. */
  days: number[];
  /** Local dates (YYYY-MM-DD) when nobody is called. */
  holidays: string[];
  /** Never sooner than this after now. */
  minDelayMs: number;
  /** With no usable wish: the first allowed time after now + this. */
  defaultDelayMs: number;
  /** Named windows the agent may extract, lower-case keys: morning, afternoon, evening. */
  windows: Record<string, { start: Minutes; end: Minutes }>;
  /**
   * A wished day further ahead is read as this many days from today (the wish is the customer's, relayed by a
   * payload: "9999-12-31" must not set a timer for the year 9999). DEFAULT_MAX_DAYS_AHEAD when absent.
   */
  maxDaysAhead?: number;
}

export const DEFAULT_MAX_DAYS_AHEAD = 30;

export interface CallbackWish {
  day?: string;
  window?: string;
}

export interface ResolvedSlot {
  at: Date;
  /** How the wish was read, for logs and the follow-up's details. */
  reading: string;
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const SEARCH_DAYS = 60;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading of an instant in a zone. */
function wallClock(at: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/** The instant at which a local date and minute occur in a zone (the later reading across a DST change). */
export function zonedInstant(date: LocalDate, minutes: Minutes, timeZone: string): number {
  const guess = Date.UTC(date.y, date.m - 1, date.d, 0, minutes);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return Math.max(first, second);
}

function localDateOf(at: number, timeZone: string): LocalDate {
  const { y, m, d } = wallClock(at, timeZone);
  return { y, m, d };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

const weekdayOf = (date: LocalDate) => new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
const isoOf = (date: LocalDate) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;

/** Whether calls are allowed on a local date at all. */
export function isCallingDay(date: LocalDate, rules: CallingRules): boolean {
  return rules.days.includes(weekdayOf(date)) && !rules.holidays.includes(isoOf(date));
}

/** Reads "today", "tomorrow", a weekday ("Thursday", "thu", "next Friday") or an ISO date; else undefined. */
function wishedDate(day: string | undefined, today: LocalDate): LocalDate | undefined {
  const text = day
    ?.trim()
    .toLowerCase()
    .replace(/^(next|this|on)\s+/, '');
  if (!text) return undefined;
  if (text === 'today' || text === 'tonight' || text === 'later today') return today;
  if (text === 'tomorrow') return addDays(today, 1);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return { y: Number(iso[1]), m: Number(iso[2]), d: Number(iso[3]) };
  const dow = WEEKDAYS.findIndex((name) => text.length >= 3 && name.startsWith(text));
  if (dow < 0) return undefined;
  return addDays(today, (dow - weekdayOf(today) + 7) % 7);
}

/** The part of a window that lies inside calling hours, or undefined when they do not overlap. */
function within(window: { start: Minutes; end: Minutes }, hours: { start: Minutes; end: Minutes }) {
  const start = Math.max(window.start, hours.start);
  const end = Math.min(window.end, hours.end);
  return start < end ? { start, end } : undefined;
}

/**
 * The first allowed instant that honours the wish: on the wished day (or the first calling day after it, when
 * that day is excluded or its window has passed), inside the wished window clipped to calling hours, never before
 * now + the minimum delay. With neither a usable day nor window: the first allowed instant after the default delay.
 */
export function resolveCallbackTime(wish: CallbackWish, now: Date, rules: CallingRules): ResolvedSlot {
  const nowMs = now.getTime();
  const today = localDateOf(nowMs, rules.timeZone);
  const lastDay = addDays(today, rules.maxDaysAhead ?? DEFAULT_MAX_DAYS_AHEAD);
  const wished = wishedDate(wish.day, today);
  // Clamped, not refused: the call still happens, as late as allowed, and an operator can move or cancel it.
  const day = wished && isoOf(wished) > isoOf(lastDay) ? lastDay : wished;
  const windowName = wish.window?.trim().toLowerCase();
  const wishedWindow = windowName ? rules.windows[windowName] : undefined;
  const window = (wishedWindow && within(wishedWindow, rules.hours)) ?? rules.hours;

  const usable = day !== undefined || wishedWindow !== undefined;
  const earliest = nowMs + (usable ? rules.minDelayMs : Math.max(rules.minDelayMs, rules.defaultDelayMs));
  const earliestDate = localDateOf(earliest, rules.timeZone);
  let date = day && isoOf(day) > isoOf(earliestDate) ? day : earliestDate;

  for (let i = 0; i < SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (!isCallingDay(date, rules)) continue;
    const start = zonedInstant(date, window.start, rules.timeZone);
    const end = zonedInstant(date, window.end, rules.timeZone);
    const at = Math.max(start, earliest);
    if (at < end) {
      const reading = usable
        ? `wish ${[wish.day, wish.window].filter(Boolean).join(' ')}${day !== wished ? ' (beyond the horizon)' : ''} → ${isoOf(date)}${wishedWindow ? ` ${windowName}` : ''}`
        : `no usable wish → first slot after the default delay`;
      return { at: new Date(at), reading };
    }
  }
  throw new Error(`no calling day in the next ${SEARCH_DAYS} days: check the calling days and holidays`);
}

/** Whether an instant falls on a calling day inside calling hours (operators may override with force). */
export function insideCallingHours(at: Date, rules: CallingRules): boolean {
  const date = localDateOf(at.getTime(), rules.timeZone);
  if (!isCallingDay(date, rules)) return false;
  const t = at.getTime();
  return (
    t >= zonedInstant(date, rules.hours.start, rules.timeZone) &&
    t < zonedInstant(date, rules.hours.end, rules.timeZone)
  );
}
