// DNS over UDP with a hand-built query: healthy when the server answers
// NOERROR with at least one record of the asked type (and, if given, one of
// the expected addresses).
import { randomInt } from 'node:crypto';
import type { HealthCheck } from '@lvs-console/shared';
import { decodeDnsReply, dnsTypeCode, encodeDnsQuery } from '@lvs-console/shared/health';
import { abortReason, describeSocketError, outcome, outcomeBecause, type ProbeOutcome, type ProbeTarget } from './types';
import { udpExchange } from './udp';

type DnsCheck = Extract<HealthCheck, { kind: 'dns' }>;

export async function dnsCheck(check: DnsCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const id = randomInt(0, 0x10000);
  const { reply, error } = await udpExchange(target, encodeDnsQuery(id, check.name, check.recordType), signal);
  if (error) return { ok: false, ...describeSocketError(error) };
  if (!reply) return outcomeBecause(false, 'probeNoDnsReply', abortReason(signal));
  let decoded;
  try {
    decoded = decodeDnsReply(reply);
  } catch (decodeError) {
    return outcome(false, 'probeDnsMalformed', { error: (decodeError as Error).message });
  }
  if (!decoded.isResponse || decoded.id !== id) return outcome(false, 'probeDnsWrongId');
  if (decoded.rcode !== 0) return outcome(false, 'probeDnsRcode', { rcode: decoded.rcodeName, name: check.name });
  const addresses = decoded.answers
    .filter((answer) => answer.type === dnsTypeCode(check.recordType) && answer.address !== null)
    .map((answer) => answer.address as string);
  if (addresses.length === 0) return outcome(false, 'probeDnsNoRecord', { type: check.recordType, name: check.name });
  if (check.expectAddresses && !addresses.some((address) => check.expectAddresses?.includes(address))) {
    return outcome(false, 'probeDnsWrongAddress', { name: check.name, addresses: addresses.join(', '), expected: check.expectAddresses.join(', ') });
  }
  return { ok: true, message: `${check.name} ${check.recordType} ${addresses.join(', ')}` };
}
