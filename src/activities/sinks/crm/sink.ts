import { isFollowUpEvent } from '../../../contracts';
import type { OutcomeSink } from '../types';
import { inContactTurn } from './contactLock';
import type { CrmPort } from './port';
import { callOf, contactRefOf, factsAfter, taskOf } from './records';

export interface CrmSinkOptions {
  /** The session variable holding the CRM's id for the customer (crmContactId by default). */
  contactIdVariable: string;
}

/**
 * Writes every session and follow-up to a CRM through its adapter: the contact (found, or created once), one call
 * per session, one callback task per follow-up, and the facts kept on the contact. Each write is keyed on the
 * session or follow-up id, so retries and redeliveries update what was written before.
 */
export function createCrmSink(name: string, port: CrmPort, options: CrmSinkOptions): OutcomeSink {
  return {
    name,
    async record(event, details) {
      const call = isFollowUpEvent(event) ? undefined : callOf(event);
      if (!isFollowUpEvent(event) && !call) return; // a chat is not a call: nothing for the CRM's call log
      const contact = await port.contactFor(contactRefOf(event, details, options.contactIdVariable));
      if (isFollowUpEvent(event)) await port.saveTask(taskOf(event), contact);
      // A call the CRM holds in a later state (an expiry's retry landing after the late end that replaced it) says
      // nothing new about the contact either.
      else if (call && !(await port.saveCall(call, contact))) return;
      if (!contact) return;
      if (Object.keys(factsAfter(event, contact.facts)).length === 0) return;
      await inContactTurn(contact.id, async () => {
        // Read again in our turn: a write that finished while we waited may hold a newer call.
        const current = { ...contact, facts: await port.factsOf(contact) };
        const facts = factsAfter(event, current.facts);
        if (Object.keys(facts).length > 0) await port.updateContact(current, facts);
      });
    },
  };
}
