// Input schemas of the health and drain procedures. In the pure core so the
// console validates its forms with the schemas the agent enforces.
import { z } from 'zod';
import { ipAddressSchema, portSchema, serviceKeySchema } from '../model/ipvs';

const revision = z.number({ error: 'baseRevision must be a number' }).int('baseRevision must be a whole number').min(0, 'baseRevision must be 0 or more');

const destinationRef = z.object({ address: ipAddressSchema, port: portSchema }).strict();

/** A service id as serviceId() writes it ("tcp:192.0.2.1:80", "fwmark:7"). */
const serviceIdText = z.string().regex(/^(tcp|udp|sctp|fwmark):[0-9A-Za-z.:[\]]{1,60}$/, 'service must be a service id like tcp:192.0.2.1:80 or fwmark:7');

/**
 * health.status: one service, or every one; `problems` keeps only the services
 * with a failing check or a lost quorum (what the services list warns about:
 * at 1,000 healthy services the answer is a few bytes instead of a megabyte).
 */
export const healthStatusInput = z.object({ service: serviceIdText.optional(), problems: z.boolean().optional() }).strict().optional();
export type HealthStatusInput = z.infer<typeof healthStatusInput>;

export const MAX_DRAIN_DEADLINE_SECONDS = 7 * 24 * 3600;

export const drainStartInput = z
  .object({
    baseRevision: revision,
    service: serviceKeySchema,
    destination: destinationRef,
    /** Remove the destination once it has no connections left. */
    removeWhenDrained: z.boolean().default(false),
    /** Remove it after this many seconds even if connections remain. */
    deadlineSeconds: z
      .number()
      .int('deadline must be a whole number of seconds')
      .min(1, 'deadline must be at least 1 second')
      .max(MAX_DRAIN_DEADLINE_SECONDS, 'deadline must be at most 7 days')
      .optional(),
    /** Also set net.ipv4.vs.expire_quiescent_template=1 (host-wide). */
    expireQuiescentTemplate: z.boolean().default(false),
  })
  .strict();
export type DrainStartInput = z.infer<typeof drainStartInput>;

export const drainCancelInput = z
  .object({
    baseRevision: revision,
    service: serviceKeySchema,
    destination: destinationRef,
  })
  .strict();
export type DrainCancelInput = z.infer<typeof drainCancelInput>;

export const drainStatusInput = z.object({ service: serviceIdText.optional() }).strict().optional();

export const markSimFailingInput = z
  .object({
    service: serviceKeySchema,
    destination: destinationRef,
    failing: z.boolean(),
  })
  .strict();
export type MarkSimFailingInput = z.infer<typeof markSimFailingInput>;
