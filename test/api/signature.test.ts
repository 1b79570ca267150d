import { Webhook } from 'svix';
import { SIGNATURE_TOLERANCE_SECONDS, createVerifier, signatureHeadersProblem } from '../../src/api/signature';
import { newSecret } from '../../src/dev/signing';
import { signBytes } from '../helpers/rawSigning';

const NOW_MS = Date.UTC(2026, 6, 14, 9, 12, 5);
const NOW = new Date(NOW_MS);
const MSG_ID = 'msg_2fWk1pJ4c7Q9xR0sT3uV5wY8zA';

function headersFor(signature: string, at = NOW, id = MSG_ID): Record<string, string> {
  return { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature };
}

/** A JSON body whose string holds 0xff, a byte UTF-8 never uses; decoded leniently it becomes U+FFFD. */
const notUtf8 = Buffer.concat([
  Buffer.from('{"eventType":"session.created","note":"'),
  Buffer.from([0xff]),
  Buffer.from('"}'),
]);

describe('signature', () => {
  const secret = newSecret();
  const verify = createVerifier([secret], () => NOW_MS);
  const body = Buffer.from(JSON.stringify({ eventType: 'session.created', id: 's-1', note: 'café' }));

  it('hands the route the parsed delivery of a body signed by svix', () => {
    const result = verify(body, headersFor(new Webhook(secret).sign(MSG_ID, NOW, body)));
    expect(result).toEqual({
      ok: true,
      delivery: { id: MSG_ID, timestamp: NOW, payload: { eventType: 'session.created', id: 's-1', note: 'café' } },
    });
  });

  it("signs a UTF-8 body as svix does (the control for this file's own signer)", () => {
    expect(signBytes(secret, MSG_ID, NOW, body)).toBe(new Webhook(secret).sign(MSG_ID, NOW, body));
  });

  describe('on the raw bytes', () => {
    it('verifies a body that is not UTF-8 signed over its bytes, then refuses it as not UTF-8 (400, not 401)', () => {
      const result = verify(notUtf8, headersFor(signBytes(secret, MSG_ID, NOW, notUtf8)));
      expect(result).toEqual({ ok: false, status: 400, error: 'body is not valid UTF-8' });
    });

    it('refuses that signature on the body a UTF-8 round trip makes of it', () => {
      const roundTripped = Buffer.from(notUtf8.toString('utf8'));
      expect(roundTripped.equals(notUtf8)).toBe(false);
      const result = verify(roundTripped, headersFor(signBytes(secret, MSG_ID, NOW, notUtf8)));
      expect(result).toEqual({ ok: false, status: 401, error: 'No matching signature found' });
    });

    it('refuses the raw bytes under the signature of their round-tripped text (svix would take both)', () => {
      const signature = new Webhook(secret).sign(MSG_ID, NOW, notUtf8.toString('utf8'));
      expect(verify(notUtf8, headersFor(signature))).toMatchObject({ ok: false, status: 401 });
    });
  });

  describe('each case changes one thing from a genuine delivery', () => {
    const genuine = () => headersFor(new Webhook(secret).sign(MSG_ID, NOW, body));

    it.each(['id', 'timestamp', 'signature'])('refuses a delivery without svix-%s', (name) => {
      const headers = genuine();
      delete headers[`svix-${name}`];
      expect(verify(body, headers)).toEqual({ ok: false, status: 401, error: `missing svix-${name} header` });
    });

    it('takes the webhook-* names, each falling back on its own', () => {
      const headers = genuine();
      const all = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace('svix-', 'webhook-'), v]));
      expect(verify(body, all)).toMatchObject({ ok: true });
      const mixed = { ...headers, 'webhook-timestamp': headers['svix-timestamp']! };
      delete (mixed as Record<string, string>)['svix-timestamp'];
      expect(verify(body, mixed)).toMatchObject({ ok: true });
    });

    it.each([
      ['too old', -1, 'Message timestamp too old'],
      ['too new', +1, 'Message timestamp too new'],
    ])('refuses a timestamp just past the tolerance (%s)', (_label, sign, error) => {
      const at = new Date(NOW_MS + sign * (SIGNATURE_TOLERANCE_SECONDS + 1) * 1000);
      const headers = headersFor(new Webhook(secret).sign(MSG_ID, at, body), at);
      expect(verify(body, headers)).toEqual({ ok: false, status: 401, error });
    });

    it('takes a timestamp at the edge of the tolerance', () => {
      const at = new Date(NOW_MS - SIGNATURE_TOLERANCE_SECONDS * 1000);
      expect(verify(body, headersFor(new Webhook(secret).sign(MSG_ID, at, body), at))).toMatchObject({ ok: true });
    });

    it('refuses a timestamp that is not plain unix seconds', () => {
      const headers = { ...genuine(), 'svix-timestamp': `${Math.floor(NOW_MS / 1000)}.0` };
      expect(verify(body, headers)).toEqual({ ok: false, status: 401, error: 'invalid svix-timestamp header' });
    });

    it('refuses a message id too long to be Svix’s', () => {
      const id = `msg_${'x'.repeat(300)}`;
      const headers = headersFor(new Webhook(secret).sign(id, NOW, body), NOW, id);
      expect(verify(body, headers)).toEqual({ ok: false, status: 401, error: 'svix-id header too long' });
    });

    it('refuses a signature under another secret', () => {
      const headers = headersFor(new Webhook(newSecret()).sign(MSG_ID, NOW, body));
      expect(verify(body, headers)).toEqual({ ok: false, status: 401, error: 'No matching signature found' });
    });

    it('takes any matching v1 entry of a space-separated list, and no other version', () => {
      const good = new Webhook(secret).sign(MSG_ID, NOW, body);
      const other = new Webhook(newSecret()).sign(MSG_ID, NOW, body);
      expect(verify(body, headersFor(`${other} ${good}`))).toMatchObject({ ok: true });
      expect(verify(body, headersFor(good.replace('v1,', 'v2,')))).toMatchObject({ ok: false, status: 401 });
    });

    it('takes a signature under any secret of a rotated list', () => {
      const old = newSecret();
      const rotated = createVerifier([old, secret], () => NOW_MS);
      expect(rotated(body, headersFor(new Webhook(old).sign(MSG_ID, NOW, body)))).toMatchObject({ ok: true });
      expect(rotated(body, genuine())).toMatchObject({ ok: true });
    });

    it('refuses a genuine body that is not JSON with 400', () => {
      const text = Buffer.from('not json {');
      const headers = headersFor(new Webhook(secret).sign(MSG_ID, NOW, text));
      expect(verify(text, headers)).toEqual({ ok: false, status: 400, error: 'body is not valid JSON' });
    });
  });

  it('decides on the headers alone, before the body, what can never verify', () => {
    const headers = headersFor('v1,whatever');
    expect(signatureHeadersProblem(headers, NOW_MS)).toBeUndefined();
    expect(signatureHeadersProblem(headers, NOW_MS + (SIGNATURE_TOLERANCE_SECONDS + 1) * 1000)).toBe(
      'Message timestamp too old',
    );
    expect(signatureHeadersProblem({ ...headers, 'svix-id': '' }, NOW_MS)).toBe('missing svix-id header');
  });
});
