// `lvs-console keepalived import FILE | export [--from-agent URL]`: the
// keepalived.conf reader and writer of packages/shared on the command line.
// I/O lives here: include files (glob as keepalived's glob(3) reads them,
// bounded by the reader's limits), stdin, and the agent's API.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError, formatIssues, type DesiredState } from '@lvs-console/shared';
import {
  expandBraces,
  formatPlace,
  hasGlobMagic,
  readKeepalivedConf,
  segmentMatcher,
  writeKeepalivedConf,
  type IncludeResolver,
  type IncludedFile,
} from '@lvs-console/shared/keepalived';
import { validateState } from '@lvs-console/shared/validate';
import { tokensFileSchema } from '../auth/auth-service';
import { defaultStateDir } from '../config/paths';
import type { CliIo } from './io';

/** Bad input or usage: main() prints the message and exits 2 (no runtime import of cli.ts, so no import cycle). */
function usage(message: string): DomainError {
  return new DomainError('INVALID_INPUT', message);
}

export const KEEPALIVED_HELP = `usage: lvs-console keepalived import FILE            > state.json
       lvs-console keepalived export [--from-agent URL] [--state-dir DIR] < state.json > keepalived.conf

import: read a keepalived.conf (with its include files) and print the desired
state as JSON (what "lvs-console apply" and "ipvsadm render" read). Each
warning (something the console does not carry over as it is) goes to stderr
as "line N: ..." or "FILE:N: ..." for an included file. An error (unbalanced
brace, unknown block, missing address) prints "line N: ..." and exits 2;
nothing is printed on stdout then.

export: print a keepalived.conf for a desired state: JSON on stdin, or the
running agent's with --from-agent URL (e.g. http://127.0.0.1:8080). The
token comes from LVS_TOKEN, else from tokens.json in the state directory
(--state-dir, default as for "serve"); it is sent in the Authorization
header, never in the URL. What keepalived cannot express is a # comment.
`;

/** Files per include and bytes per file the CLI reads; the reader bounds depth and the total. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_GLOB_MATCHES = 256;

function readTextFile(path: string): string {
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`${path} is not a file`);
  if (stat.size > MAX_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}

/** glob(3) with GLOB_BRACE over the file system: matches sorted per directory, as glob sorts them. */
function globFiles(pattern: string): string[] {
  const results: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    const segments = alternative.split('/');
    let paths = [alternative.startsWith('/') ? '/' : '.'];
    segments.forEach((segment, index) => {
      if (segment === '' || (index === 0 && alternative.startsWith('/'))) return;
      const next: string[] = [];
      for (const base of paths) {
        if (!hasGlobMagic(segment)) {
          next.push(join(base, segment));
          continue;
        }
        const matches = segmentMatcher(segment);
        let names: string[] = [];
        try {
          names = readdirSync(base).filter(matches).sort();
        } catch {
          names = [];
        }
        for (const name of names) next.push(join(base, name));
      }
      paths = next.slice(0, MAX_GLOB_MATCHES);
    });
    for (const path of paths) {
      try {
        if (statSync(path).isFile()) results.push(path);
      } catch {
        // glob(3) lists only what exists.
      }
    }
  }
  return results.slice(0, MAX_GLOB_MATCHES);
}

/** Includes resolve against the including file's directory (keepalived chdirs there). */
function includeResolver(mainFile: string): IncludeResolver {
  return (pattern, fromFile) => {
    const base = dirname(fromFile ?? mainFile);
    const absolute = isAbsolute(pattern) ? pattern : join(base, pattern);
    const paths = globFiles(absolute);
    if (paths.length === 0 && !hasGlobMagic(pattern) && !pattern.includes('{')) return { error: `${absolute}: no such file` };
    const files: IncludedFile[] = [];
    for (const path of paths) {
      try {
        files.push({ path, text: readTextFile(path) });
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }
    return files;
  };
}

function importCommand(file: string | undefined, io: CliIo): number {
  if (file === undefined) throw usage(`missing FILE\n\n${KEEPALIVED_HELP}`);
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    throw usage(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`,
    );
  }
  const result = readKeepalivedConf(text, { resolveInclude: includeResolver(path) });
  const line = (note: (typeof result.notes)[number]) => `${formatPlace(note)}: ${note.message}\n`;
  if (!result.ok) {
    io.stderr(
      result.notes
        .filter((note) => note.level === 'error')
        .map(line)
        .join(''),
    );
    return 2;
  }
  io.stderr(result.notes.map(line).join(''));
  io.stdout(`${JSON.stringify(result.state, null, 2)}\n`);
  return 0;
}

async function agentToken(io: CliIo, stateDir: string | undefined): Promise<string> {
  if (io.env.LVS_TOKEN) return io.env.LVS_TOKEN;
  const dir = stateDir ?? defaultStateDir(io.env);
  const path = join(dir, 'tokens.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw usage(`--from-agent needs a token: set LVS_TOKEN, or give --state-dir with the agent's tokens.json (${path} cannot be read)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw usage(`${path} is not JSON`);
  }
  const parsed = tokensFileSchema.safeParse(json);
  const token = parsed.success ? (parsed.data.tokens.find((t) => t.role === 'viewer') ?? parsed.data.tokens.find((t) => t.role === 'admin'))?.token : undefined;
  if (!token) throw usage(`${path} has no viewer or admin token`);
  return token;
}

async function stateFromAgent(url: string, io: CliIo, stateDir: string | undefined): Promise<DesiredState> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw usage(`--from-agent must be a URL like http://127.0.0.1:8080, not "${url}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw usage('--from-agent must be an http:// or https:// URL');
  if (base.username || base.password || base.search) throw usage("--from-agent takes the agent's address only: the token goes in LVS_TOKEN, never in the URL");
  const token = await agentToken(io, stateDir);
  const endpoint = new URL('trpc/state.get', base.href.endsWith('/') ? base.href : `${base.href}/`);
  let response: Response;
  try {
    response = await fetch(endpoint, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new Error(`cannot reach the agent at ${base.origin}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as { result?: { data?: { desired?: unknown } }; error?: { message?: string } } | null;
  if (!response.ok || body?.result?.data?.desired === undefined) {
    throw new Error(`the agent answered ${response.status}: ${body?.error?.message ?? 'no desired state in the answer'}`);
  }
  const validated = validateState(body.result.data.desired);
  if (!validated.ok) throw new Error(`the agent's desired state does not validate: ${formatIssues(validated.issues)}`);
  return validated.value;
}

async function exportCommand(values: { 'from-agent'?: string | undefined; 'state-dir'?: string | undefined }, io: CliIo): Promise<number> {
  let state: DesiredState;
  if (values['from-agent'] !== undefined) {
    state = await stateFromAgent(values['from-agent'], io, values['state-dir']);
  } else {
    const text = await io.readStdin();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw usage(`stdin is not desired-state JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const validated = validateState(json);
    if (!validated.ok) throw usage(formatIssues(validated.issues));
    state = validated.value;
  }
  io.stdout(writeKeepalivedConf(state));
  return 0;
}

export async function keepalivedCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { 'from-agent': { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  const [sub, file, extra] = positionals;
  if (values.help) {
    io.stdout(KEEPALIVED_HELP);
    return 0;
  }
  if (extra !== undefined) throw usage(`unexpected argument "${extra}"\n\n${KEEPALIVED_HELP}`);
  if (sub === 'import') {
    if (values['from-agent'] !== undefined || values['state-dir'] !== undefined) throw usage('--from-agent and --state-dir belong to export');
    return importCommand(file, io);
  }
  if (sub === 'export') {
    if (file !== undefined) throw usage(`export reads stdin or --from-agent, not "${file}"`);
    return exportCommand(values, io);
  }
  throw usage(`${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: import or export\n\n${KEEPALIVED_HELP}`);
}
