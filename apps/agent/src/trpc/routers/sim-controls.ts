// sim.status, sim.setTraffic, sim.failDestination: controls of the simulated
// kernel (UNSUPPORTED on a real one). Changes check the base revision (audited
// when refused, like every change) and are audited.
import { DomainError, describedText, destinationId, serviceId, serviceLabel, type ServiceKey } from '@lvs-console/shared';
import type { Caller } from '@lvs-console/shared/api';
import type { SimPort, SimTrafficSettings } from '../../reconcile/ports';
import type { Agent } from '../agent';

export interface SimStatusReport {
  available: boolean;
  traffic: SimTrafficSettings | null;
  failed: Array<{ service: string; destination: string }>;
}

function requireSim(agent: Agent): SimPort {
  if (!agent.sim) throw new DomainError('UNSUPPORTED', 'traffic controls exist only with the simulated kernel (--backend sim)');
  return agent.sim;
}

export function simStatus(agent: Agent): SimStatusReport {
  if (!agent.sim) return { available: false, traffic: null, failed: [] };
  const sim = agent.sim;
  const failed: SimStatusReport['failed'] = [];
  for (const service of agent.reconciler.latestObservation()?.table.services ?? []) {
    const id = serviceId(service.key);
    for (const dest of service.destinations) {
      if (sim.isFailing(id, destinationId(dest))) failed.push({ service: id, destination: destinationId(dest) });
    }
  }
  return { available: true, traffic: sim.getTraffic(), failed };
}

export async function setSimTraffic(
  agent: Agent,
  baseRevision: number,
  request: Partial<SimTrafficSettings> & { service?: string | undefined },
  caller: Caller,
): Promise<SimStatusReport> {
  const sim = requireSim(agent);
  const { service, ...settings } = request;
  const what = service
    ? describedText('auditSimTrafficOf', { service, settings: JSON.stringify(settings) })
    : describedText('auditSimTraffic', { settings: JSON.stringify(settings) });
  // A refusal names what was asked; the settings follow in the line of the change itself.
  await agent.reconciler.checkRevision(
    baseRevision,
    caller,
    service ? describedText('auditSimTrafficOfAsked', { service }) : describedText('auditSimTrafficAsked'),
  );
  if (service !== undefined && !agent.reconciler.latestObservation()?.table.services.some((s) => serviceId(s.key) === service)) {
    throw new DomainError('NOT_FOUND', `the simulated kernel has no service ${service}`);
  }
  sim.setTraffic(settings, service);
  await agent.audit.append({
    who: caller.name,
    role: caller.role,
    what,
    result: 'ok',
  });
  return simStatus(agent);
}

export async function failSimDestination(
  agent: Agent,
  baseRevision: number,
  request: { service: ServiceKey; destination: { address: string; port: number }; failed: boolean },
  caller: Caller,
): Promise<SimStatusReport> {
  const sim = requireSim(agent);
  const what = describedText(request.failed ? 'auditSimFail' : 'auditSimRecover', {
    server: destinationId(request.destination),
    service: serviceLabel(request.service),
  });
  await agent.reconciler.checkRevision(baseRevision, caller, what);
  sim.failDestination(serviceId(request.service), destinationId(request.destination), request.failed);
  await agent.audit.append({ who: caller.name, role: caller.role, what, result: 'ok' });
  return simStatus(agent);
}
