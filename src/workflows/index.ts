export { followUpWorkflow } from './followUp/workflow';
export { sessionWorkflow } from './session/workflow';
// The engineers' own workflows (src/automations/workflows), registered with the worker and startable by rules.
export * from '../automations/workflows';
