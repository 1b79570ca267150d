/** "+447700900412" → "+44•••••••412": enough to tell numbers apart (logs, external systems), never the whole number. */
export function maskPhone(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const digits = value.replace(/[^\d+]/g, '');
  if (digits.length <= 6) return '•'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'•'.repeat(digits.length - 6)}${digits.slice(-3)}`;
}
