import { Writable } from 'node:stream';
import { prettyDestination } from '../src/dev/prettyLog';
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

  it('prints readable lines for npm start in development, still without a secret or a full phone number', () => {
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', prettyDestination(out));
    logger.info({ secret: 'whsec_abc', metadata: { customerPhoneNumber: '+447700900412' } }, 'webhook delivery');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: webhook delivery\n/);
    expect(text).toContain('+44•••••••412');
    expect(text).not.toMatch(/whsec_abc|\+447700900412|^\{/m);
  });
});
