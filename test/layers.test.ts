import { ESLint } from 'eslint';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/*
 * The import rule "the layers share only src/contracts" (eslint.config.mjs) fails the lint: each case lints one
 * import, as it would sit in an existing file of a layer, with the project's own configuration.
 */

// Only the import rule, without type information: the rule reads the import strings alone, and a typed lint of a
// snippet costs seconds.
const eslint = new ESLint({
  cwd: `${__dirname}/..`,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function problemsOf(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layers share only src/contracts', () => {
  it.each([
    ['src/activities/httpStatus.ts', "import { isClosed } from '../workflows/session/decisions';\n"],
    ['src/activities/agntix/client.ts', "import type { SessionPolicy } from '../../workflows/policy';\n"],
    ['src/observability/logContext.ts', "import { WorkflowCounters } from '../workflows/observability/metrics';\n"],
    ['src/api/requestId.ts', "import type { TranscriptMessage } from '../activities/agntix/client';\n"],
    ['src/workflows/children.ts', "import { createAgntixClient } from '../activities/agntix/client';\n"],
    ['src/workflows/children.ts', "import { loadConfig } from '../config';\n"],
    ['src/contracts/masking.ts', "import type { Config } from '../config';\n"],
    ['src/automations/core.ts', "import type { RuleSet } from '../workflows/postCall/rules';\n"],
    ['src/automations/workflows/escalation.ts', "import { sessionWorkflow } from '../../workflows';\n"],
    // src/dev is left out of the production build: a shipped module that imports it fails at start in production.
    ['src/bin/operatorConfig.ts', "import { loadOrCreateDevKey } from '../dev/devKey';\n"],
    ['src/worker/deps.ts', "import { devSecret } from '../dev/devSecret';\n"],
  ])('%s may not: %s', async (file, code) => {
    expect(await problemsOf(file, `${code}export {};\n`)).not.toEqual([]);
  });

  it.each([
    ['src/activities/httpStatus.ts', "import { isClosed } from '../contracts/sessionState';\n"],
    ['src/workflows/children.ts', "import type { ActivityDeps } from '../activities';\n"],
    ['src/api/requestId.ts', "import type { TranscriptMessage } from '../contracts/transcripts';\n"],
    ['src/dev/start.ts', "import { loadOrCreateDevKey } from './devKey';\n"],
  ])('%s may: %s', async (file, code) => {
    expect(await problemsOf(file, `${code}export {};\n`)).toEqual([]);
  });
});

/*
 * The test folder mirrors src (README, Development): a test sits in the folder of the source it tests, so a reader of
 * src/api finds its tests in test/api. Beside the mirror only: tests of src as a whole at the root, and the checks
 * of the docs' commands and of docker-compose.yml, which have no folder in src.
 */
const ROOT = path.resolve(__dirname, '..');
const WHOLE_SRC_TESTS = ['layers.test.ts', 'logging.test.ts', 'privacy.test.ts'];
const BESIDE_SRC = ['docs', 'compose'];

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(relative);
    return entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

/** Whether a test file (a path from the repository's root) sits outside the layout. */
function misplaced(file: string): boolean {
  const folder = path.posix.dirname(path.posix.relative('test', file));
  if (folder === '.') return !WHOLE_SRC_TESTS.includes(path.posix.basename(file));
  if (BESIDE_SRC.includes(folder)) return false;
  return !existsSync(path.join(ROOT, 'src', folder));
}

describe('the test folder mirrors src', () => {
  it('has every test file in the folder of what it tests', () => {
    expect(testFiles('test').filter(misplaced)).toEqual([]);
  });

  it.each(['test/ingest.test.ts', 'test/helpers/ingest.test.ts', 'test/api/deliveries/x/digests.test.ts'])(
    'names %s misplaced',
    (file) => expect(misplaced(file)).toBe(true),
  );
});
