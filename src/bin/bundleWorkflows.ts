import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { writeWorkflowBundles } from '../worker/workflowBundle';
import { fatal } from './fatal';

/** Run by `npm run build` on the compiled code: the workflow bundles the compiled worker loads instead of bundling. */
async function main() {
  const files = await writeWorkflowBundles((file, code) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, code);
    // webpack's per-module report is noise in a build log; its warnings and errors still show.
  }, new DefaultLogger('WARN'));
  for (const file of files) console.log(`workflow bundle: ${path.relative(process.cwd(), file)}`);
}

main().catch(fatal);
