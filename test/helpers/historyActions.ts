/**
 * Billable Temporal Cloud actions of one workflow execution, counted from its history (pure: no I/O).
 * Mapping per https://docs.temporal.io/cloud/actions: a start (a signal-with-start that starts is one action with its
 * signal), each signal received (a signal sent to another workflow is billed in the receiver's history), each timer,
 * each activity attempt, each accepted update, each search-attribute upsert (TemporalChangeVersion's included: the server's own
 * `action` counter counts it), each child start (two actions: intent and attempt), and the markers of one workflow
 * task as one action. Heartbeats are not in a history: the server's counter (./serverActions.ts) has them.
 */
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;

/** A plain count per action type, in the order the table prints them. */
export interface ActionCount {
  workflowType: string;
  events: number;
  start: number;
  /** 1 when the start came with its signal (signal-with-start): that signal is not billed apart. */
  signalWithStart: number;
  signals: number;
  timers: number;
  activityAttempts: number;
  /** Workflow tasks that ran at least one local activity: each such task is billed once. */
  localActivityTasks: number;
  localActivities: number;
  /** Upserts of the service's own search attributes, and apart those that only set TemporalChangeVersion (patched()). */
  upserts: number;
  changeVersionUpserts: number;
  childStarts: number;
  /** Not billed here: the receiving workflow's history holds the billed signal. */
  signalsSent: number;
  updates: number;
  /** Workflow tasks with markers other than local activities and patches (side effects): one action each. */
  otherMarkerTasks: number;
  /** patched() markers, and the workflow tasks that hold patch markers only (billed at most once each). */
  patchIds: string[];
  patchOnlyTasks: number;
  billable: number;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const PATCH_MARKER = 'core_patch';
/** The search attribute patched() maintains; its upserts are billed like any other. */
const CHANGE_VERSION = 'TemporalChangeVersion';

function patchId(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  const payload = marker.details?.['patch-data']?.payloads?.[0]?.data;
  if (!payload) return '?';
  try {
    const parsed = JSON.parse(Buffer.from(payload).toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '?';
  } catch {
    return '?';
  }
}

export function countActions(history: History): ActionCount {
  const events = history.events ?? [];
  const of = (type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
  const markers = events.flatMap((e) =>
    e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes
      ? [e.markerRecordedEventAttributes]
      : [],
  );
  const tasksOf = (name: (marker: string) => boolean) =>
    new Set(markers.filter((m) => name(m.markerName ?? '')).map((m) => String(m.workflowTaskCompletedEventId ?? '')));
  const localActivityTasks = tasksOf((name) => name === LOCAL_ACTIVITY_MARKER);
  const otherMarkerTasks = tasksOf((name) => name !== LOCAL_ACTIVITY_MARKER && name !== PATCH_MARKER);
  const patchTasks = tasksOf((name) => name === PATCH_MARKER);
  const upserts = events.flatMap((e) =>
    e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
      ? [Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {})]
      : [],
  );
  const start = of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  // Signal-with-start writes the signal right after the start, before the first workflow task is scheduled.
  const signalWithStart =
    start > 0 && events[1]?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ? 1 : 0;
  const count = {
    workflowType: events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown',
    events: events.length,
    start,
    signalWithStart,
    signals: of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    timers: of(EventType.EVENT_TYPE_TIMER_STARTED),
    activityAttempts: events
      .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
      .reduce((sum, e) => sum + (e.activityTaskStartedEventAttributes?.attempt || 1), 0),
    localActivityTasks: localActivityTasks.size,
    localActivities: markers.filter((m) => m.markerName === LOCAL_ACTIVITY_MARKER).length,
    upserts: upserts.filter((fields) => fields.some((key) => key !== CHANGE_VERSION)).length,
    changeVersionUpserts: upserts.filter((fields) => fields.every((key) => key === CHANGE_VERSION)).length,
    childStarts: of(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED),
    signalsSent: of(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
    updates: of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
    otherMarkerTasks: otherMarkerTasks.size,
    patchIds: markers.filter((m) => m.markerName === PATCH_MARKER).map(patchId),
    patchOnlyTasks: [...patchTasks].filter((task) => !localActivityTasks.has(task) && !otherMarkerTasks.has(task))
      .length,
  };
  const billable =
    count.start +
    count.signals -
    count.signalWithStart +
    count.timers +
    count.activityAttempts +
    count.localActivityTasks +
    count.upserts +
    count.changeVersionUpserts +
    2 * count.childStarts +
    count.updates +
    count.otherMarkerTasks;
  return { ...count, billable };
}

/** Temporal Cloud's first-tier list price per million actions, in USD (temporal.io/pricing; higher volumes cost less). */
export const LIST_PRICE_PER_MILLION_ACTIONS = 50;

/** Dollars per million sessions of this many actions at the list price. */
export const dollarsPerMillionSessions = (actions: number): number => actions * LIST_PRICE_PER_MILLION_ACTIONS;
