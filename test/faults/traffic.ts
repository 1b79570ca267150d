import type { FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import type { Scheduled } from './hostile';
import type { PlannedSession } from './plan';
import { signedBy, type Svix } from './svix';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** What the API serves for a session: the webhook's shape without its event name (API.md 7.2). */
function detailOf(event: Record<string, unknown>): Record<string, unknown> {
  const detail = { ...event };
  delete detail.eventType;
  return detail;
}

/**
 * Plays the run's sessions and the hostile deliveries on one clock: the fake Agntix learns each session when it
 * begins and ends (so reconciliation finds what the platform would say), and every delivery is handed to Svix at
 * its moment. Resolves when the last one has been handed over; Svix may still be retrying.
 */
export async function playTraffic(args: {
  sessions: PlannedSession[];
  hostile: Scheduled[];
  svix: Svix;
  fake: FakeAgntix;
  secret: string;
}): Promise<void> {
  const actions: Array<{ at: number; run: () => void }> = [];
  for (const s of args.sessions) {
    actions.push({
      at: s.beginsAt,
      run: () => args.fake.sessions.set(s.id, { detail: detailOf(s.created), messages: s.messages }),
    });
    if (s.endsAt !== undefined) {
      const endsAt = s.endsAt;
      actions.push({
        at: endsAt,
        run: () => args.fake.sessions.set(s.id, { detail: detailOf(s.ended), messages: s.messages }),
      });
    }
    // One Svix message per event: the same id and the same bytes on every redelivery.
    const messages = {
      'session.created': { body: JSON.stringify(s.created), svixId: `msg_${s.id}_created` },
      'session.ended': { body: JSON.stringify(s.ended), svixId: `msg_${s.id}_ended` },
    };
    for (const d of s.deliveries) {
      const { body, svixId } = messages[d.event];
      actions.push({
        at: d.at,
        run: () =>
          void args.svix.send({
            cls: 'genuine',
            label: d.event,
            sessionId: s.id,
            body,
            svixId,
            headers: signedBy(args.secret),
          }),
      });
    }
  }
  for (const h of args.hostile) actions.push({ at: h.at, run: () => void args.svix.send(h.message) });
  actions.sort((a, b) => a.at - b.at);

  const started = Date.now();
  for (const action of actions) {
    await sleep(action.at - (Date.now() - started));
    action.run();
  }
}
