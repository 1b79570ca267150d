/*
 * The one module the ingest API, the workflows and the operator tools share: signals, queries, updates, the task
 * queue, workflow type names, search attribute keys and the events external systems receive. Node-free. The Agntix
 * webhook schemas (zod) are imported from './agntixEvents' directly by the code that parses; workflows import only
 * their types, so zod stays out of the workflow bundle.
 */
export * from './crmContact';
export * from './externalEvents';
export * from './followUps';
export * from './masking';
export * from './searchAttributes';
export * from './searchIndex';
export * from './sessionIds';
export * from './sessions';
export * from './sessionView';
export type { AnalysisData, SessionCreatedEvent, SessionEndedEvent, SessionEvent } from './agntixEvents';
export * from './policy';
export * from './metrics';
export * from './sessionState';
export type * from './postCall';
export type * from './transcripts';
