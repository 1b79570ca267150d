import type { Client } from '@hubspot/api-client';
import type { CrmCall, CrmContact } from '../crm/port';
import { isNotFound, onlyResult } from './batch';
import { hubspotRequest, type HubSpotOperation } from './failures';
import { SESSION_ID_PROPERTY, callProperties } from './mapping';

const READ: HubSpotOperation = { what: 'read calls', scopes: ['crm.objects.contacts.read'] };
const WRITE: HubSpotOperation = { what: 'write calls', scopes: ['crm.objects.contacts.write'] };
const ASSOCIATE: HubSpotOperation = { what: 'associate calls with contacts', scopes: ['crm.objects.contacts.write'] };

/** Whether a call still `status` in HubSpot may be written as `state` (never back from a later state). */
const overwritable = (state: CrmCall['state'], status: string) =>
  status === 'IN_PROGRESS' || (state === 'not-reached' && status === 'NO_ANSWER');

/** One call engagement per session: upserted on the unique agntix_session_id, associated with the contact. */
export function hubspotCalls(client: Client, dispositions: Record<string, string>) {
  const { basicApi, batchApi } = client.crm.objects.calls;

  /** A session's call as HubSpot has it now, or undefined. */
  function find(sessionId: string) {
    return hubspotRequest(READ, () =>
      basicApi
        .getById(sessionId, ['hs_call_status'], undefined, undefined, false, SESSION_ID_PROPERTY)
        .catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
    );
  }

  return {
    async saveCall(call: CrmCall, contact: CrmContact | undefined): Promise<boolean> {
      // A call only moves forward (in progress → not reached → completed): a retry of the in-flight mark, or of an
      // expiry a late session.ended replaced, landing late must not undo the finished call.
      if (call.state !== 'completed') {
        const existing = await find(call.sessionId);
        const status = existing?.properties.hs_call_status;
        if (existing && status && !overwritable(call.state, status)) return false;
      }
      const properties = callProperties(call, dispositions, new Date());
      const saved = await hubspotRequest(WRITE, async () =>
        onlyResult(
          await batchApi.upsert({ inputs: [{ idProperty: SESSION_ID_PROPERTY, id: call.sessionId, properties }] }),
        ),
      );
      if (contact) {
        await hubspotRequest(ASSOCIATE, () =>
          client.crm.associations.v4.basicApi.createDefault('calls', saved.id, 'contacts', contact.id),
        );
      }
      return true;
    },
  };
}
