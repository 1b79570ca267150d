import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import type { Headers } from '@temporalio/common';
import { composeInterceptors } from '@temporalio/common/lib/interceptors';

/** The call as the client's interceptors see a `signalWithStart`. */
export interface SignalWithStartCall {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  signalName: string;
  signalArgs: unknown[];
}

/**
 * Runs a raw signal-with-start through the client's workflow interceptors, as `client.workflow.signalWithStart`
 * would: each sees the call and may add headers (the OpenTelemetry one adds the trace context), which `send` puts in
 * the request's `header`, as the SDK does (headers are not codec-encoded). Only headers are carried back: no
 * interceptor of this service changes the arguments or options.
 */
export async function signalWithStartThroughInterceptors<R extends { runId?: string | null }>(
  client: Client,
  call: SignalWithStartCall,
  send: (headers: Headers) => Promise<R>,
): Promise<R> {
  const configured = client.options.interceptors.workflow;
  if (configured !== undefined && !Array.isArray(configured)) {
    throw new TypeError('workflow client interceptors must be given as an array, not the deprecated factory form');
  }
  const interceptors: WorkflowClientInterceptor[] = configured ?? [];
  let response: R | undefined;
  const signalWithStart = composeInterceptors(interceptors, 'signalWithStart', async (input) => {
    response = await send(input.headers);
    return response.runId ?? '';
  });
  await signalWithStart({
    workflowType: call.workflowType,
    signalName: call.signalName,
    signalArgs: call.signalArgs,
    headers: {},
    options: { workflowId: call.workflowId, taskQueue: call.taskQueue, args: call.args },
  });
  // A chain that returns without calling `send` is an interceptor's bug, not an outcome.
  if (response === undefined) throw new Error('a client interceptor did not pass signalWithStart on');
  return response;
}
