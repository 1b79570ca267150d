import { workflowInfo } from '@temporalio/workflow';
import { SearchAttributes, type CustomerHashes } from '../contracts';

/**
 * The customer's keyed hashes this workflow was started with. Only the API holds the key, and workflow code may not
 * compute an HMAC anyway: a follow-up and the session it places carry on the root session's values, so `npm run
 * find` lists the whole chain.
 */
export function inheritedHashes(): CustomerHashes {
  const attributes = workflowInfo().typedSearchAttributes;
  const phone = attributes.get(SearchAttributes.phoneHash);
  const crmContact = attributes.get(SearchAttributes.crmContactHash);
  return { ...(phone ? { phone } : {}), ...(crmContact ? { crmContact } : {}) };
}

/** The hashes as search attribute pairs. */
export function hashAttributes(hashes: CustomerHashes) {
  return [
    ...(hashes.phone ? [{ key: SearchAttributes.phoneHash, value: hashes.phone }] : []),
    ...(hashes.crmContact ? [{ key: SearchAttributes.crmContactHash, value: hashes.crmContact }] : []),
  ];
}
