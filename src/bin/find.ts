import type { Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { SearchAttributes } from '../contracts';
import { searchIndexFrom } from '../config/privacy';
import type { CustomerHasher } from '../temporal/customerHashes';
import { withClient } from '../temporal/operatorClient';
import { fatal } from './fatal';

const USAGE = `Usage: npm run find -- --phone <number> | --crm-contact <contact id>
  --phone <number>             every session and follow-up of the customer with this phone number (+447700900123)
  --crm-contact <contact id>   every session and follow-up of this CRM contact (its CRM_CONTACT_VARIABLE id)`;

export interface FindDeps {
  client: Client;
  /** Undefined without CUSTOMER_HASH_KEYS: nothing was indexed to find by. */
  hasher?: CustomerHasher;
  /** The Web UI's address, for the links printed. */
  uiUrl: string;
  namespace: string;
}

/** The visibility query matching a customer under every configured key; undefined when the arguments name none. */
export function customerQuery(argv: string[], hasher: CustomerHasher): string | undefined {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const phone = value('--phone');
  const crmContact = value('--crm-contact');
  if (!phone === !crmContact) return undefined;
  const [key, candidates] = phone
    ? [SearchAttributes.phoneHash, hasher.phoneCandidates(phone)]
    : [SearchAttributes.crmContactHash, hasher.crmContactCandidates(crmContact!)];
  // The candidates are `<keyId>:<hex>`, built here from checked key ids: nothing of the argument reaches the query.
  return `${key.name} IN (${candidates.map((c) => `'${c}'`).join(', ')})`;
}

/**
 * `npm run find`: a customer's sessions and follow-ups, found by the keyed hashes of their phone number or CRM id
 * (the index holds no plain number), each with its Web UI link.
 */
export async function runFind(argv: string[], deps: FindDeps, out: (text: string) => void): Promise<number> {
  if (!deps.hasher) {
    out('CUSTOMER_HASH_KEYS is not set: sessions are not indexed by customer, so there is nothing to find them by');
    return 1;
  }
  const query = customerQuery(argv, deps.hasher);
  if (!query) {
    out(USAGE);
    return 2;
  }
  const ui = `${deps.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows`;
  let found = 0;
  for await (const wf of deps.client.workflow.list({ query })) {
    const kind = wf.typedSearchAttributes.get(SearchAttributes.followUpAt) ? 'follow-up' : 'session';
    const started = wf.startTime.toISOString();
    out(`${kind}  ${wf.workflowId}  ${wf.status.name}  started ${started}  ${ui}/${encodeURIComponent(wf.workflowId)}`);
    found += 1;
  }
  out(found === 0 ? 'nothing found' : `${found} found`);
  return 0;
}

async function main() {
  const config = loadConfig();
  const { hasher } = searchIndexFrom(config);
  process.exitCode = await withClient(config, (client) =>
    runFind(
      process.argv.slice(2),
      { client, hasher, uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
      (text) => console.log(text),
    ),
  );
}

if (require.main === module) main().catch(fatal);
