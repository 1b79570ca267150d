// Your workflows: export each one here and the worker registers it; rules.json can then start it by name.
export { escalationWorkflow } from './escalation';
