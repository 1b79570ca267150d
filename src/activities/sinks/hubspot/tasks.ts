import type { Client } from '@hubspot/api-client';
import type { CrmContact, CrmTask } from '../crm/port';
import { isNotFound, onlyResult } from './batch';
import { hubspotRequest, type HubSpotOperation } from './failures';
import { FOLLOW_UP_ID_PROPERTY, taskProperties } from './mapping';

const READ: HubSpotOperation = { what: 'read tasks', scopes: ['crm.objects.contacts.read'] };
const WRITE: HubSpotOperation = { what: 'write tasks', scopes: ['crm.objects.contacts.write'] };
const ASSOCIATE: HubSpotOperation = { what: 'associate tasks with contacts', scopes: ['crm.objects.contacts.write'] };

/** One callback task per follow-up: upserted on the unique agntix_follow_up_id, associated with the contact. */
export function hubspotTasks(client: Client, ownerId: string | undefined) {
  const { basicApi, batchApi } = client.crm.objects.tasks;

  async function exists(followUpId: string) {
    const found = await hubspotRequest(READ, () =>
      basicApi.getById(followUpId, [], undefined, undefined, false, FOLLOW_UP_ID_PROPERTY).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    );
    return found !== undefined;
  }

  return {
    async saveTask(task: CrmTask, contact: CrmContact | undefined): Promise<void> {
      const properties = taskProperties(task, ownerId);
      // A task needs a due time when it is created; an event naming none (a chain's end) keeps the one it has.
      if (!properties.hs_timestamp && !(await exists(task.followUpId))) {
        properties.hs_timestamp = new Date().toISOString();
      }
      const saved = await hubspotRequest(WRITE, async () =>
        onlyResult(
          await batchApi.upsert({ inputs: [{ idProperty: FOLLOW_UP_ID_PROPERTY, id: task.followUpId, properties }] }),
        ),
      );
      if (contact) {
        await hubspotRequest(ASSOCIATE, () =>
          client.crm.associations.v4.basicApi.createDefault('tasks', saved.id, 'contacts', contact.id),
        );
      }
    },
  };
}
