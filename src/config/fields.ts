import { z } from 'zod';

/*
 * The building blocks every settings group uses, so each rule is written once: a blank value is an unset one, and a
 * list is written with commas or spaces.
 */

/** A variable set to spaces is treated as unset: compose files and orchestrators often write `NAME=`. */
export const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Optional text, trimmed; blank means unset. */
export const optionalText = z.preprocess(blankIsUnset, z.string().trim().optional());

/** An optional setting whose value must also pass `schema`; blank means unset. */
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsUnset, schema.optional());

/** The items of a comma- or space-separated list, empty ones dropped. */
export const splitList = (text: string): string[] => text.split(/[\s,]+/).filter((s) => s !== '');

/** The items of a comma-separated list whose items may hold spaces (`EXPIRED=No answer,*=Connected`). */
export const splitItems = (text: string): string[] => text.split(',').filter((s) => s.trim() !== '');

/** Comma- or space-separated names; `*` stands for every one where a list names systems. */
export const NameList = z.string().transform(splitList);

/** A duration in milliseconds, written as a plain integer. */
export const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A TCP port; 0 lets the system pick. */
export const port = z.coerce.number().int().min(0).max(65535);
