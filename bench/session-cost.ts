/**
 * npm run bench:session-cost: history events and billable Temporal actions of one session, counted from histories
 * recorded from real runs (test/fixtures/histories, written by `RECORD_HISTORIES=1 npm test`).
 */
import { temporal } from '@temporalio/proto';
import { readdirSync } from 'node:fs';
import { historiesDir, loadHistory } from '../test/helpers/histories';
import { writeBenchSection } from './report';

const { EventType } = temporal.api.enums.v1;

function count(history: temporal.api.history.v1.IHistory) {
  const events = history.events ?? [];
  const of = (type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
  const attempts = events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    .reduce((sum, e) => sum + (e.activityTaskStartedEventAttributes?.attempt ?? 1), 0);
  const row = {
    events: events.length,
    started: of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
    signals: of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    timers: of(EventType.EVENT_TYPE_TIMER_STARTED),
    activityAttempts: attempts,
    localActivities: of(EventType.EVENT_TYPE_MARKER_RECORDED),
    upserts: of(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
  };
  return {
    ...row,
    actions: row.started + row.signals + row.timers + row.activityAttempts + row.localActivities + row.upserts,
  };
}

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
const lines = [
  'Command: `npm run bench:session-cost`, counted from histories recorded by real runs of the test suite (test policy: 1 s ttl + 1 s grace, 2 reconciliations, two external systems).',
  '',
  '| history | events | start | signals | timers | activity attempts | local activities | SA upserts | billable actions |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...files.map((file) => {
    const c = count(loadHistory(file));
    return `| ${file.replace('.json', '')} | ${c.events} | ${c.started} | ${c.signals} | ${c.timers} | ${c.activityAttempts} | ${c.localActivities} | ${c.upserts} | ${c.actions} |`;
  }),
  '',
  'Billable actions counted as Temporal Cloud does: workflow start, each signal, each timer, each activity attempt (local activities count once), each search-attribute upsert. Search attributes are set at start by the ingest; the workflow upserts once per phase change; there is no polling loop.',
];
console.log(lines.join('\n'));
writeBenchSection('session-cost', 'Cost of one session', lines.join('\n'));
