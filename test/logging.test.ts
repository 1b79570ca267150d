import { Writable } from 'node:stream';
import { createLogger, maskPhone } from '../src/logging';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logging', () => {
  it('masks a phone number to its first and last three characters', () => {
    expect(maskPhone('+447700900412')).toBe('+44•••••••412');
    expect(maskPhone(undefined)).toBe('[redacted]');
  });

  it('never writes a secret or a full phone number, wherever it sits in a log call', () => {
    const { lines, logger } = capture();
    logger.info({ secret: 'whsec_abc', apiKey: 'pk_live_1', metadata: { customerPhoneNumber: '+447700900412' } }, 'x');
    logger.info({ call: { to_phone_number: '+971501234567' } }, 'y');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/whsec_abc|pk_live_1|\+447700900412|\+971501234567/);
    expect(lines[0]).toMatchObject({ secret: '[redacted]', metadata: { customerPhoneNumber: '+44•••••••412' } });
  });
});
