import { z } from 'zod';
import type { Minutes } from '../contracts/policy';
import { splitItems, splitList } from './fields';

/*
 * zod schemas for the follow-up calling settings, each turning one environment string into the shape the
 * scheduler takes and naming what is wrong when it cannot.
 */

const clock = /^(\d{2}):(\d{2})$/;
function minutesOf(text: string): Minutes | undefined {
  const m = clock.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 24 * 60 ? minutes : undefined;
}

function range(text: string): { start: Minutes; end: Minutes } | undefined {
  const [a, b, ...rest] = text.split('-');
  const start = a === undefined ? undefined : minutesOf(a);
  const end = b === undefined ? undefined : minutesOf(b);
  return rest.length === 0 && start !== undefined && end !== undefined && start < end ? { start, end } : undefined;
}

/** "09:00-18:00" */
export const TimeRange = z.string().transform((text, ctx) => {
  const parsed = range(text);
  if (!parsed) ctx.addIssue({ code: 'custom', message: `"${text}" is not a range like 09:00-18:00` });
  return parsed ?? { start: 0, end: 0 };
});

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** "mon,tue,wed,thu,fri" → [1,2,3,4,5] */
export const Weekdays = z.string().transform((text, ctx) => {
  const days = splitList(text).map((d) => DAY_NAMES.indexOf(d.slice(0, 3).toLowerCase()));
  if (days.length === 0 || days.includes(-1)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a list of weekdays like mon,tue,wed` });
  }
  return days;
});

/** "2026-12-25,2026-12-26" */
export const DateList = z.string().transform(splitList).pipe(z.array(z.iso.date()));

/** "morning=09:00-12:00,afternoon=12:00-17:00" */
export const NamedWindows = z.string().transform((text, ctx) => {
  const out: Record<string, { start: Minutes; end: Minutes }> = {};
  for (const item of splitItems(text)) {
    const [name, spec] = item.split('=');
    const parsed = spec ? range(spec) : undefined;
    if (!name?.trim() || !parsed) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not a window like morning=09:00-12:00` });
      continue;
    }
    out[name.trim().toLowerCase()] = parsed;
  }
  return out;
});

/** An IANA zone the runtime knows, e.g. Europe/London. */
export const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'is not a known IANA time zone');
