import { Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { temporalConnectionOptions } from '../temporal/connection';
import { setupNamespace } from '../temporal/setup';
import { fatal } from './fatal';

/** `npm run temporal:setup`: registers the search attributes and retention on the configured namespace. */
async function main() {
  const config = loadConfig();
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '10s' });
  try {
    const { added, created } = await setupNamespace(connection, config.TEMPORAL_NAMESPACE);
    console.log(
      `Namespace ${config.TEMPORAL_NAMESPACE} on ${config.TEMPORAL_ADDRESS} is ready${created ? ' (created)' : ''}` +
        (added.length > 0 ? `; added search attributes ${added.join(', ')}` : '; nothing to add'),
    );
  } finally {
    await connection.close();
  }
}

main().catch(fatal);
