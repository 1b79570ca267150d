/*
 * `whsec_<base64>` signing secrets (the Svix and Standard Webhooks form), checked at start-up so a bad one stops
 * the process with the variable named, not at the first delivery or with svix's unnamed decoding error.
 */

/**
 * Svix endpoint secrets hold 24 to 64 random bytes. Fewer than 16 is a truncated paste or a placeholder (`whsec_`,
 * `whsec_AA==`), and an HMAC under such a key is forgeable: svix itself would accept the empty key.
 */
export const MIN_SECRET_KEY_BYTES = 16;

/** Standard base64 with its padding, as svix's decoder requires. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why a `whsec_` secret cannot sign or verify, or undefined. Never quotes the secret. */
export function whsecProblem(secret: string): string | undefined {
  if (!secret.startsWith('whsec_')) return 'must start with whsec_';
  const key = secret.slice('whsec_'.length);
  if (key === '') return 'must hold a key after whsec_';
  if (!BASE64.test(key)) return 'is not base64 after whsec_';
  const bytes = Buffer.from(key, 'base64').length;
  if (bytes < MIN_SECRET_KEY_BYTES) {
    return `holds a key of ${bytes} byte${bytes === 1 ? '' : 's'}; a signing key needs at least ${MIN_SECRET_KEY_BYTES}`;
  }
  return undefined;
}
