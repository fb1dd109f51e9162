// `lvs-console user add|list|remove|passwd`: the people who log in with a
// password, in users.json in the state directory. Run on the director (as the
// agent's user); the running agent sees changes at once, and a removed
// person's password sessions end at their next request.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '@lvs-console/shared';
import { personNameSchema } from '@lvs-console/shared/api';
import { systemClock } from '../config/clock';
import { defaultStateDir } from '../config/paths';
import { editUsers, hashPassword, isLoginRole, MIN_PASSWORD_LENGTH, readUsers } from '../auth/users';
import type { CliIo } from './io';

export const USER_HELP = `usage: lvs-console user add NAME --role admin|operator|viewer [--state-dir DIR]
       lvs-console user passwd NAME [--state-dir DIR]
       lvs-console user remove NAME [--state-dir DIR]
       lvs-console user list [--state-dir DIR]

People who log in to the console with a name and a password (users.json in
the state directory, scrypt-hashed). add and passwd read the password from
stdin (its first line; at least ${MIN_PASSWORD_LENGTH} characters), e.g.
  read -rs PW && printf '%s\\n' "$PW" | lvs-console user add alice --role operator
Roles: admin (everything), operator (weights and drains), viewer (read only).
`;

function usage(message: string): DomainError {
  return new DomainError('INVALID_INPUT', `${message}\n\n${USER_HELP}`);
}

export async function userCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { role: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USER_HELP);
    return 0;
  }
  const [action, rawName, extra] = positionals;
  if (extra !== undefined) throw usage(`unexpected argument "${extra}"`);
  const stateDir = resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env));
  if (action === 'list') {
    const users = await readUsers(stateDir);
    io.stdout(users.map((u) => `${u.name}\t${u.role}\tsince ${new Date(u.createdAt).toISOString()}\n`).join(''));
    if (!users.length) io.stderr('no users yet: lvs-console user add NAME --role ROLE\n');
    return 0;
  }
  if (action !== 'add' && action !== 'remove' && action !== 'passwd')
    throw usage(action === undefined ? 'missing action: add, list, remove or passwd' : `unknown action "${action}"`);
  const name = personNameSchema.safeParse(rawName ?? '');
  if (!name.success) throw usage(`NAME: ${name.error.issues[0]?.message ?? 'not a name'}`);
  const readPassword = async () => hashPassword((await io.readStdin()).split(/\r?\n/)[0] ?? '');
  // One writer of users.json at a time (two admins at two terminals).
  await editUsers(stateDir, `lvs-console user ${action}`, async (users) => {
    const existing = users.find((u) => u.name === name.data);
    if (action === 'add') {
      const role = values.role;
      if (role === undefined || !isLoginRole(role)) throw usage('--role must be admin, operator or viewer');
      if (existing) throw new DomainError('ALREADY_EXISTS', `${name.data} already exists (lvs-console user passwd ${name.data} changes the password)`);
      users.push({ name: name.data, role, password: await readPassword(), createdAt: systemClock.now() });
      io.stderr(`added ${name.data} (${role})\n`);
    } else if (!existing) {
      throw new DomainError('NOT_FOUND', `no user ${name.data} (lvs-console user list shows them)`);
    } else if (action === 'passwd') {
      existing.password = await readPassword();
      io.stderr(`changed the password of ${name.data}\n`);
    } else {
      users.splice(users.indexOf(existing), 1);
      io.stderr(`removed ${name.data}; their password sessions end at once\n`);
    }
  });
  return 0;
}
