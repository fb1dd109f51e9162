// A director with many virtual services (the services list at scale): the
// demo's desired state plus `count` generated services, committed as one
// state.replace. Used by the services-list spec and the web benchmark.
import { callApi } from './agent';

/** A real server that serves the first three generated services (the "drain everywhere" case). */
export const SHARED_REAL_SERVER = '10.250.0.7';
const SCHEDULERS = ['rr', 'wlc', 'sh', 'wrr'] as const;

export function generatedService(i: number) {
  const udp = i % 4 === 3;
  const address = `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const destinations = [1, 2].map((n) => ({
    address: `10.200.${Math.floor(i / 100)}.${(i % 100) * 2 + n}`,
    port: 8080,
    forwarding: 'masq',
    weight: n,
    upperThreshold: 0,
    lowerThreshold: 0,
  }));
  if (i < 3) destinations.push({ address: SHARED_REAL_SERVER, port: 8080, forwarding: 'masq', weight: 2, upperThreshold: 0, lowerThreshold: 0 });
  return {
    key: { kind: 'addr', protocol: udp ? 'udp' : 'tcp', address, port: udp ? 53 : 80 },
    scheduler: SCHEDULERS[i % SCHEDULERS.length],
    flags: [],
    persistence: null,
    onePacket: false,
    destinations,
  };
}

/** Adds `count` services to the agent's desired state; answers the new revision. */
export async function addManyServices(baseURL: string, count: number): Promise<number> {
  const snapshot = await callApi<{ revision: number; desired: { services: unknown[] } & Record<string, unknown> }>(baseURL, 'state.get', 'query');
  const state = { ...snapshot.desired, services: [...snapshot.desired.services, ...Array.from({ length: count }, (_, i) => generatedService(i))] };
  const outcome = await callApi<{ revision: number }>(baseURL, 'state.replace', 'mutation', { baseRevision: snapshot.revision, state });
  return outcome.revision;
}
