import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/ensure-test-server.sh');

/**
 * The path of Temporal's time-skipping test server (the Java one), installed into the user's cache on first use by
 * scripts/ensure-test-server.sh: the SDK's own download of it is not reachable from CI. Run here as well as in
 * .ci/run, so `npm test` works on a fresh clone that has java and mvn; with the cache in place it only checks a file.
 */
export function timeSkippingServerPath(): string {
  const known = process.env.TEST_TIME_SKIPPING_SERVER;
  if (known) return known;
  const wrapper = execFileSync(SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  process.env.TEST_TIME_SKIPPING_SERVER = wrapper;
  return wrapper;
}
