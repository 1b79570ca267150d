import type { Rig } from './rig';
import type { FaultSettings } from './settings';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** One thing the run did to the system, with when (seconds into the traffic) and how long it was down. */
export interface ChaosEvent {
  what: string;
  atSeconds: number;
  downSeconds: number;
}

/**
 * The kills and the restart, spread over the traffic window so each lands mid-traffic and none overlaps another:
 * the worker is SIGKILLed `workerKills` times (each only once it polls again), the API once, and the Temporal dev
 * server is restarted once on the same database file.
 */
export async function runChaos(rig: Rig, settings: FaultSettings): Promise<ChaosEvent[]> {
  const window = settings.trafficSeconds * 1000;
  type Step = { at: number; what: 'worker' | 'api' | 'temporal' };
  const plan: Step[] = [
    ...Array.from({ length: settings.workerKills }, (_, i) => ({
      at: ((i + 0.5) / settings.workerKills) * window * 0.9,
      what: 'worker' as const,
    })),
    { at: window * 0.3, what: 'api' } as Step,
    { at: window * 0.62, what: 'temporal' } as Step,
  ].sort((a, b) => a.at - b.at);

  const started = Date.now();
  const events: ChaosEvent[] = [];
  for (const step of plan) {
    await sleep(step.at - (Date.now() - started));
    const atSeconds = (Date.now() - started) / 1000;
    const t0 = Date.now();
    if (step.what === 'worker') {
      await rig.worker.whenReady(120_000); // kill a worker that works, not one still starting
      await rig.worker.killAndRestart(2000);
      await rig.worker.whenReady(120_000);
      events.push({ what: 'worker SIGKILL + restart', atSeconds, downSeconds: (Date.now() - t0) / 1000 });
    } else if (step.what === 'api') {
      await rig.api.killAndRestart(1000);
      await rig.api.whenReady();
      events.push({ what: 'API SIGKILL + restart', atSeconds, downSeconds: (Date.now() - t0) / 1000 });
    } else {
      await rig.temporal.restart(2000);
      events.push({ what: 'Temporal dev server restart', atSeconds, downSeconds: (Date.now() - t0) / 1000 });
    }
    console.log(`  t+${atSeconds.toFixed(0)}s ${events.at(-1)!.what}: down ${events.at(-1)!.downSeconds.toFixed(1)}s`);
  }
  return events;
}

/** Polls GET /healthz; a failed probe counts against the API unless it falls in a planned kill's downtime. */
export function watchLiveness(rig: Rig, everyMs = 250) {
  const figures = { probes: 0, failed: 0, failedUnplanned: 0, longestUnplannedMs: 0 };
  let unplannedSince: number | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const planned = rig.api.plannedDown();
      const ok = await fetch(`${rig.apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      figures.probes++;
      if (!ok) figures.failed++;
      if (!ok && !planned && !rig.api.plannedDown()) {
        figures.failedUnplanned++;
        unplannedSince ??= Date.now();
        figures.longestUnplannedMs = Math.max(figures.longestUnplannedMs, Date.now() - unplannedSince);
      } else {
        unplannedSince = undefined;
      }
      await sleep(everyMs);
    }
  })();
  return {
    figures,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
