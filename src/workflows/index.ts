export { followUpWorkflow } from './followUp';
export { sessionWorkflow } from './session';
// The engineers' own workflows (src/automations/workflows), registered with the worker and startable by rules.
export * from '../automations/workflows';
