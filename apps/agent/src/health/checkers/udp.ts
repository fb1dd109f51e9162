// UDP: send a payload, expect a reply (optionally containing given bytes).
// The socket is connected, so an ICMP port-unreachable surfaces as
// ECONNREFUSED instead of a silent timeout.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { HealthCheck, Payload } from '@lvs-console/shared';
import { abortReason, describeSocketError, outcome, outcomeBecause, type ProbeOutcome, type ProbeTarget } from './types';

type UdpCheck = Extract<HealthCheck, { kind: 'udp' }>;

export function payloadBytes(payload: Payload): Buffer {
  return payload.encoding === 'hex' ? Buffer.from(payload.text, 'hex') : Buffer.from(payload.text, 'utf8');
}

/**
 * Send `message` to the target and wait for one datagram back. Resolves with
 * the reply, or null when the signal aborts first.
 */
export function udpExchange(target: ProbeTarget, message: Uint8Array, signal: AbortSignal): Promise<{ reply: Buffer | null; error: unknown }> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ reply: null, error: null });
      return;
    }
    const socket = createSocket(isIP(target.address) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (reply: Buffer | null, error: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve({ reply, error });
    };
    const onAbort = (): void => finish(null, null);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error) => finish(null, error));
    socket.once('message', (reply) => finish(reply, null));
    socket.connect(target.port, target.address, () => {
      socket.send(message, (error) => {
        if (error) finish(null, error);
      });
    });
  });
}

export async function udpCheck(check: UdpCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const { reply, error } = await udpExchange(target, payloadBytes(check.payload), signal);
  if (error) return { ok: false, ...describeSocketError(error) };
  if (!reply) {
    // No reply and no ICMP error: the port may be open and silent.
    return check.requireReply ? outcomeBecause(false, 'probeNoReply', abortReason(signal)) : outcome(true, 'probeSilentPort');
  }
  if (check.expect) {
    const expected = payloadBytes(check.expect);
    if (!reply.includes(expected)) return outcome(false, 'probeReplyMismatch', { bytes: reply.length });
    return outcome(true, 'probeReplyMatches', { bytes: reply.length });
  }
  return outcome(true, 'probeReply', { bytes: reply.length });
}
