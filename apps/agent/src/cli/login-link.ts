// `lvs-console login-link`: a one-time login link made on the director (as
// root, beside the running agent): the code goes into the state directory's
// login-codes/, where the agent finds it at login. Works whether or not the
// agent runs; the link's address is the one the agent last listened on.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '@lvs-console/shared';
import { personNameSchema } from '@lvs-console/shared/api';
import { createLoginCode, LOGIN_CODE_TTL_MS, loginLinkUrl, LOGIN_ROLES, type LoginRole } from '../auth/login-codes';
import { systemClock } from '../config/clock';
import { defaultStateDir } from '../config/paths';
import type { CliIo } from './io';

/** Where the serving agent writes its console address (read by this command). */
export const CONSOLE_URL_FILE = 'console-url';

export const LOGIN_LINK_HELP = `usage: lvs-console login-link [--role admin|operator|viewer] [--for NAME] [--state-dir DIR]

Print a one-time login link for the console (valid for a day, until used).
--role    what the link logs in as (default admin); operators may change
          weights and drain real servers, viewers only look
--for     the person it is for: the audit log names them (default "console")
--state-dir  the agent's state directory (default as for serve)
Run it on the director as the user the agent runs as (root).
`;

export async function loginLinkCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { role: { type: 'string' }, for: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new DomainError('INVALID_INPUT', `${error instanceof Error ? error.message : String(error)}\n\n${LOGIN_LINK_HELP}`);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(LOGIN_LINK_HELP);
    return 0;
  }
  const role = values.role ?? 'admin';
  if (!(LOGIN_ROLES as readonly string[]).includes(role)) throw new DomainError('INVALID_INPUT', `--role must be admin, operator or viewer, not "${role}"`);
  const name = personNameSchema.safeParse(values.for ?? 'console');
  if (!name.success) throw new DomainError('INVALID_INPUT', `--for: ${name.error.issues[0]?.message ?? 'not a name'}`);
  const stateDir = resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env));
  const code = await createLoginCode(stateDir, systemClock, { name: name.data, role: role as LoginRole });
  const url = (await readFile(join(stateDir, CONSOLE_URL_FILE), 'utf8').catch(() => '')).trim();
  io.stdout(`${loginLinkUrl(url, code)}\n`.replace(/^\//, ''));
  io.stderr(
    `one-time ${role} login for ${name.data}, valid for ${LOGIN_CODE_TTL_MS / 3_600_000} h${url ? '' : " (open the console's address followed by this fragment: the agent has not written its address yet)"}\n`,
  );
  return 0;
}
