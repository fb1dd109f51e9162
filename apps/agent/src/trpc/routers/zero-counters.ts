// services.zeroCounters: ipvsadm -Z on this director's kernel, audited.
import { DomainError, describedText, serviceLabel, type ServiceKey } from '@lvs-console/shared';
import type { Caller } from '@lvs-console/shared/api';
import { zeroArgv } from '@lvs-console/shared/ipvsadm';
import type { Agent } from '../agent';

/** `ipvsadm -Z [service]` on this director's kernel, audited with the line it ran. */
export async function zeroCounters(agent: Agent, service: ServiceKey | undefined, caller: Caller): Promise<{ line: string }> {
  const line = `ipvsadm ${zeroArgv(service).join(' ')}`;
  const what = service ? describedText('auditZeroService', { service: serviceLabel(service) }) : describedText('auditZeroAll');
  try {
    await agent.backend.zero(service);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await agent.audit.append({ who: caller.name, role: caller.role, what, result: 'failed', error: message, lines: [line] });
    throw error instanceof DomainError ? error : new DomainError('KERNEL_ERROR', message);
  }
  await agent.audit.append({ who: caller.name, role: caller.role, what, result: 'ok', lines: [line] });
  return { line };
}
