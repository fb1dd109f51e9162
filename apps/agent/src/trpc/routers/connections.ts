// connections.list: a page of the kernel's connection table.
import type { Protocol } from '@lvs-console/shared';
import type { ConnectionPage, ConnectionQuery } from '../../kernel/backend';
import type { Agent } from '../agent';

/** Most entries read from the kernel to filter connections by protocol. */
const PROTOCOL_SCAN_LIMIT = 50_000;

/**
 * A page of the kernel's connection table. The backend filters by address,
 * port and state; a protocol filter is applied here over at most
 * PROTOCOL_SCAN_LIMIT matching entries (the backend has no protocol filter).
 */
export async function connections(agent: Agent, query: ConnectionQuery & { protocol?: Protocol | undefined }): Promise<ConnectionPage> {
  const { protocol, ...rest } = query;
  if (!protocol) return agent.backend.connections(rest);
  const scan = await agent.backend.connections({ ...rest, offset: 0, limit: PROTOCOL_SCAN_LIMIT });
  const wanted = protocol.toUpperCase();
  const matching = scan.entries.filter((e) => e.protocol.toUpperCase() === wanted || (e.template && rest.includeTemplates === true));
  const offset = rest.offset ?? 0;
  return { entries: matching.slice(offset, offset + rest.limit), matched: matching.length, total: scan.total };
}
