// The policy types moved to the contracts, shared by every layer; re-exported for the workflow modules.
export * from '../contracts/policy';
