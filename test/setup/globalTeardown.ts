export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEMPORAL_DEV_SERVER__?.stop();
  await globalThis.__CODEC_SERVER__?.close();
}
