import { DefaultLogger, Worker } from '@temporalio/worker';
import path from 'node:path';
import { writeWorkflowBundles } from '../../src/worker/workflowBundle';
import { loadHistory } from '../helpers/histories';
import { testDataConverter } from '../helpers/temporal';

/**
 * `npm run build` writes the workflow bundles the compiled worker loads instead of bundling at start
 * (src/bin/bundleWorkflows.ts): each must hold the session workflow as the source has it, or production workers would
 * run other code than the one the tests ran. A recorded session replays on both.
 */
describe('the workflow bundles npm run build writes', () => {
  it('replay a recorded session, with and without the tracing interceptors', async () => {
    const written = new Map<string, string>();
    await writeWorkflowBundles((file, code) => written.set(path.basename(file), code), new DefaultLogger('ERROR'));
    expect([...written.keys()]).toEqual(['workflow-bundle.js', 'workflow-bundle.traced.js']);
    const history = loadHistory('standard-voice-session.json');
    for (const [file, code] of written) {
      await Worker.runReplayHistory({ workflowBundle: { code }, dataConverter: testDataConverter() }, history, file);
    }
  });
});
