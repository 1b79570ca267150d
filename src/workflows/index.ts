export { followUpWorkflow } from './followUp';
export { sessionWorkflow } from './session';
