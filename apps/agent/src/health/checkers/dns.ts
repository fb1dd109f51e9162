// DNS over UDP with a hand-built query: healthy when the server answers
// NOERROR with at least one record of the asked type (and, if given, one of
// the expected addresses).
import { randomInt } from 'node:crypto';
import type { HealthCheck } from '@lvs-console/shared';
import { decodeDnsReply, dnsTypeCode, encodeDnsQuery } from '@lvs-console/shared/health';
import { abortMessage, describeSocketError, type ProbeOutcome, type ProbeTarget } from './types';
import { udpExchange } from './udp';

type DnsCheck = Extract<HealthCheck, { kind: 'dns' }>;

export async function dnsCheck(check: DnsCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const id = randomInt(0, 0x10000);
  const { reply, error } = await udpExchange(target, encodeDnsQuery(id, check.name, check.recordType), signal);
  if (error) return { ok: false, message: describeSocketError(error) };
  if (!reply) return { ok: false, message: `no DNS reply: ${abortMessage(signal)}` };
  let decoded;
  try {
    decoded = decodeDnsReply(reply);
  } catch (decodeError) {
    return { ok: false, message: `malformed DNS reply: ${(decodeError as Error).message}` };
  }
  if (!decoded.isResponse || decoded.id !== id) return { ok: false, message: 'the reply does not answer our query (wrong id)' };
  if (decoded.rcode !== 0) return { ok: false, message: `DNS ${decoded.rcodeName} for ${check.name}` };
  const addresses = decoded.answers
    .filter((answer) => answer.type === dnsTypeCode(check.recordType) && answer.address !== null)
    .map((answer) => answer.address as string);
  if (addresses.length === 0) return { ok: false, message: `no ${check.recordType} record for ${check.name}` };
  if (check.expectAddresses && !addresses.some((address) => check.expectAddresses?.includes(address))) {
    return { ok: false, message: `${check.name} resolved to ${addresses.join(', ')}, not to ${check.expectAddresses.join(', ')}` };
  }
  return { ok: true, message: `${check.name} ${check.recordType} ${addresses.join(', ')}` };
}
