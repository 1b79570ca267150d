import { Worker } from '@temporalio/worker';
import { readdirSync } from 'node:fs';
import { historiesDir, loadHistory } from '../helpers/histories';
import { bundleWorkflows, testDataConverter } from '../helpers/temporal';

/**
 * Histories recorded from real runs of earlier code (test/fixtures/histories) must replay on the current workflow
 * code without a determinism error; a change that would break running sessions fails here. Record new ones with
 * `RECORD_HISTORIES=1 npm test` and commit them beside the old.
 */
describe('replay of recorded session histories', () => {
  const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s', async (file) => {
    const history = loadHistory(file);
    const replayer = { workflowBundle: await bundleWorkflows(), dataConverter: testDataConverter() };
    await Worker.runReplayHistory(replayer, history, file);
  });
});
