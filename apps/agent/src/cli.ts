// The `lvs-console` command line: a dispatcher over one module per command
// (cli/), each loaded only when its command runs. Each command parses its flags (node:util parseArgs), calls shared or
// agent functions and prints. Exit status 0 = done, 1 = the kernel or host
// refused, 2 = bad input or usage (message on stderr, nothing on stdout).
import { DomainError } from '@lvs-console/shared';
import { formatError, UsageError, type CliIo, type Command } from './cli/io';

export { UsageError, type CliIo } from './cli/io';

export const MAIN_HELP = `lvs-console: manage Linux Virtual Server (IPVS) load balancers

usage: lvs-console <command> [options]

commands:
  serve                 serve the web console and the API
  apply FILE            make a desired-state file (JSON or ipvsadm text) live once
  ipvsadm parse         ipvsadm rule text on stdin -> desired-state JSON on stdout
  ipvsadm render        desired-state JSON on stdin -> canonical ipvsadm -Sn text
  keepalived import FILE  keepalived.conf -> desired-state JSON (warnings on stderr)
  keepalived export     desired-state JSON (stdin or --from-agent) -> keepalived.conf
  plan                  show the ipvsadm lines that turn one table into another
  predict RULES         which real server each client lands on
  realserver apply|check  prepare a real server for DR or TUN
  login-link            a one-time login link (--role, --for) for the console
  user add|list|remove|passwd  people who log in with a password

Run "lvs-console <command> --help" for a command's options.
`;

/**
 * Each command's module is loaded when that command runs: a start costs only
 * what the command needs (`ipvsadm -L -n` does not load the web server, the
 * kernel backends or the keepalived reader; in a loaded TCG guest every
 * module is seconds). The bundle splits at these imports (build.mjs).
 */
export const COMMAND_LOADERS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve')).serveCommand,
  apply: async () => (await import('./cli/apply')).applyCommand,
  ipvsadm: async () => (await import('./cli/ipvsadm')).ipvsadmCommand,
  plan: async () => (await import('./cli/plan')).planCommand,
  predict: async () => (await import('./cli/predict')).predictCommand,
  realserver: async () => (await import('./cli/realserver')).realserverCommand,
  keepalived: async () => (await import('./cli/keepalived')).keepalivedCommand,
  'login-link': async () => (await import('./cli/login-link')).loginLinkCommand,
  user: async () => (await import('./cli/users')).userCommand,
};

/** Run the CLI; returns the exit status. Never calls process.exit (tests run it in-process). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === undefined) {
      io.stderr(MAIN_HELP);
      return 2;
    }
    io.stdout(MAIN_HELP);
    return 0;
  }
  const load = Object.hasOwn(COMMAND_LOADERS, command) ? COMMAND_LOADERS[command] : undefined;
  if (!load) {
    io.stderr(`unknown command "${command}"\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    const run = await load();
    return await run(rest, io);
  } catch (error) {
    const message = formatError(error);
    io.stderr(`${message.endsWith('\n') ? message : `${message}\n`}`);
    if (error instanceof UsageError) return 2;
    if (error instanceof DomainError && error.code === 'INVALID_INPUT') return 2;
    return 1;
  }
}
