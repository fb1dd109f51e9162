// TCP connect: healthy when the three-way handshake completes. The probe
// closes with a reset, as HAProxy's checks do (SO_LINGER 0): no FIN exchange
// and no TIME_WAIT entry per probe on the director.
import { connect } from 'node:net';
import type { HealthCheck } from '@lvs-console/shared';
import { abortedOutcome, describeSocketError, outcome, type ProbeOutcome, type ProbeTarget } from './types';

export function tcpCheck(_check: HealthCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(abortedOutcome(signal));
      return;
    }
    const socket = connect({ host: target.address, port: target.port, noDelay: true });
    const finish = (outcome: ProbeOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      if (outcome.ok) socket.resetAndDestroy();
      else socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish(abortedOutcome(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(outcome(true, 'probeConnected')));
    socket.once('error', (error) => finish({ ok: false, ...describeSocketError(error) }));
  });
}
