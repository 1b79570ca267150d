/*
 * One contact's fact writes, one at a time in this worker. The facts are compared with what the contact holds and
 * then written; two calls of one customer ending together would otherwise both compare against the same old facts,
 * and the older call's write, landing late, would replace the newer call's. Inside the turn the facts are read again.
 */

const turns = new Map<string, Promise<unknown>>();

/** Runs `work` once every earlier write to the same contact (in this process) has settled. */
export async function inContactTurn<T>(contactId: string, work: () => Promise<T>): Promise<T> {
  const before = turns.get(contactId) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  turns.set(contactId, settled);
  try {
    return await mine;
  } finally {
    // The map holds only contacts with a write in flight: bounded by the worker's concurrent activities.
    if (turns.get(contactId) === settled) turns.delete(contactId);
  }
}
