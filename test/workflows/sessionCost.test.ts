import { temporal } from '@temporalio/proto';
import Long from 'long';
import { countActions, dollarsPerMillionSessions } from '../helpers/historyActions';

const { EventType } = temporal.api.enums.v1;
type Event = temporal.api.history.v1.IHistoryEvent;

const json = (value: unknown) => ({ payloads: [{ data: Buffer.from(JSON.stringify(value)) }] });
const marker = (markerName: string, workflowTaskCompletedEventId: number, details = {}): Event => ({
  eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
  markerRecordedEventAttributes: {
    markerName,
    workflowTaskCompletedEventId: Long.fromNumber(workflowTaskCompletedEventId),
    details,
  },
});

const upsert = (key: string): Event => ({
  eventType: EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: { [key]: { data: Buffer.from('"x"') } } },
  },
});

/** A session: started by signal-with-start, one more signal, a timer, an activity that took 3 attempts and one that
 * took 1, two local activities and a patch in one workflow task and one local activity in another, an upsert, patched()'s
 * upsert of TemporalChangeVersion (billed too), a child start. */
const history: temporal.api.history.v1.IHistory = {
  events: [
    {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'sessionWorkflow' } },
    },
    { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
    { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
    marker('core_patch', 4, { 'patch-data': json({ id: 'writes-in-background', deprecated: false }) }),
    marker('core_local_activity', 4),
    marker('core_local_activity', 4),
    { eventType: EventType.EVENT_TYPE_TIMER_STARTED },
    { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 3 } },
    { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 1 } },
    marker('core_local_activity', 12),
    upsert('AgntixPhase'),
    upsert('TemporalChangeVersion'),
    { eventType: EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED },
    { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED },
  ],
};

test('counts billable actions as Temporal Cloud bills them', () => {
  const count = countActions(history);
  expect(count).toMatchObject({
    workflowType: 'sessionWorkflow',
    start: 1,
    signals: 2,
    timers: 1,
    activityAttempts: 4,
    localActivities: 3,
    localActivityTasks: 2,
    upserts: 1,
    changeVersionUpserts: 1,
    childStarts: 1,
    signalWithStart: 1,
    patchIds: ['writes-in-background'],
  });
  // 1 signal-with-start + 1 signal + 1 timer + 4 attempts + 2 local-activity tasks (the patch rides in the first)
  // + 2 upserts (TemporalChangeVersion's too) + 2 for the child start.
  expect(count.billable).toBe(13);
  expect(count.patchOnlyTasks).toBe(0);
  expect(dollarsPerMillionSessions(count.billable)).toBe(650);
});
