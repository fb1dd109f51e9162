// A cluster of directors: its name, this director's name, the shared token
// and the peers' URLs. From `cluster.json` in the state directory, or from
// serve's flags (which win). The token never travels in a URL or a flag:
// it comes from the file, a token file, or the environment.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError, directorNameSchema } from '@lvs-console/shared';
import { zodIssues } from '@lvs-console/shared/validate';

const clusterNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'cluster names are 1-63 letters, digits or . _ - (starting with a letter or digit)');

export const clusterTokenSchema = z
  .string()
  .min(24, 'the cluster token must be at least 24 characters (use: openssl rand -hex 24)')
  .max(256, 'the cluster token must be at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'the cluster token is printable ASCII without spaces');

const peerUrlSchema = z
  .string()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL (e.g. https://lb2.example:8443)` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `peer URL "${value}" must be http:// or https://` });
    if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
      ctx.addIssue({ code: 'custom', message: `peer URL "${value}" must be only scheme, host and port (no path, query or credentials)` });
    }
  })
  .transform((value) => new URL(value).origin);

export const clusterConfigSchema = z
  .object({
    name: clusterNameSchema,
    /** This director's name: the key of its priorities in the desired state's VRRP instances. */
    self: directorNameSchema,
    token: clusterTokenSchema,
    peers: z
      .array(z.object({ name: directorNameSchema, url: peerUrlSchema }).strict())
      .min(1, 'a cluster needs at least one peer')
      .max(7, 'at most 7 peers'),
    /** How often each peer is asked for its status (ms). */
    pollIntervalMs: z.number().int().min(200).max(60_000).default(1000),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set([config.self]);
    config.peers.forEach((peer, i) => {
      if (names.has(peer.name))
        ctx.addIssue({ code: 'custom', path: ['peers', i, 'name'], message: `director "${peer.name}" is listed twice (this director is "${config.self}")` });
      names.add(peer.name);
    });
  });
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

export interface ClusterFlags {
  name?: string | undefined;
  self?: string | undefined;
  /** NAME=URL each. */
  peers?: string[] | undefined;
  tokenFile?: string | undefined;
  tokenFromEnv?: string | undefined;
}

function invalid(where: string, error: z.ZodError): DomainError {
  const issues = zodIssues(error);
  return new DomainError('INVALID_INPUT', `${where}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
}

/**
 * The cluster this agent belongs to, or null for a director on its own.
 * `cluster.json` in the state directory is read first; flags override its
 * fields. Anything malformed stops the start with the file or flag named.
 */
export async function loadClusterConfig(stateDir: string, flags: ClusterFlags): Promise<ClusterConfig | null> {
  const path = join(stateDir, 'cluster.json');
  let fromFile: Record<string, unknown> = {};
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text !== null) {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
      fromFile = json as Record<string, unknown>;
    } catch {
      throw new DomainError('INVALID_INPUT', `${path} is not a JSON object; see the README's "A pair of directors" section`);
    }
  }
  const anyFlag = flags.name !== undefined || flags.self !== undefined || (flags.peers?.length ?? 0) > 0 || flags.tokenFile !== undefined;
  if (text === null && !anyFlag) return null;
  const merged: Record<string, unknown> = { ...fromFile };
  if (flags.name !== undefined) merged.name = flags.name;
  if (flags.self !== undefined) merged.self = flags.self;
  if (flags.peers?.length) {
    merged.peers = flags.peers.map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0) throw new DomainError('INVALID_INPUT', `--peer "${entry}": write NAME=URL, e.g. --peer lb2=https://192.0.2.2:8443`);
      return { name: entry.slice(0, at), url: entry.slice(at + 1) };
    });
  }
  if (flags.tokenFile !== undefined) {
    const token = await readFile(flags.tokenFile, 'utf8').catch(() => {
      throw new DomainError('INVALID_INPUT', `--cluster-token-file ${flags.tokenFile}: cannot read it`);
    });
    merged.token = token.trim();
  } else if (merged.token === undefined && flags.tokenFromEnv !== undefined) {
    merged.token = flags.tokenFromEnv;
  }
  const parsed = clusterConfigSchema.safeParse(merged);
  if (!parsed.success) throw invalid(text !== null ? `cluster configuration (${path} and flags)` : 'cluster flags', parsed.error);
  return parsed.data;
}
