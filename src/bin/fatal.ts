/**
 * How every entry point ends on an error it cannot handle: its message on one line (a bad setting names its
 * variable, a bad rules file its rule), then exit code 1 so the supervisor restarts or reports it.
 */
export function fatal(err: unknown): never {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
