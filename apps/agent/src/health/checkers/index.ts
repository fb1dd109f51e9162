// The real checkers by kind. The manager takes a registry so tests of its
// scheduling can count probes, but the checkers themselves are always real.
import type { HealthCheck } from '@lvs-console/shared';
import { commandCheck } from './command';
import { dnsCheck } from './dns';
import { httpCheck } from './http';
import { tcpCheck } from './tcp';
import type { ProbeOutcome, ProbeTarget } from './types';
import { udpCheck } from './udp';

export type { Checker, ProbeOutcome, ProbeTarget } from './types';

export function runCheck(check: HealthCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  switch (check.kind) {
    case 'tcp':
      return tcpCheck(check, target, signal);
    case 'http':
    case 'https':
      return httpCheck(check, target, signal);
    case 'udp':
      return udpCheck(check, target, signal);
    case 'dns':
      return dnsCheck(check, target, signal);
    case 'command':
      return commandCheck(check, target, signal);
  }
}
