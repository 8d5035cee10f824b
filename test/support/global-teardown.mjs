export default async function globalTeardown() {
  const emulators = globalThis.__HAPP_EMULATORS__;
  if (!emulators) return;
  await emulators.fauxqs.stop();
  await new Promise((resolve) => emulators.dynalite.close(() => resolve()));
}
