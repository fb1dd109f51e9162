// `lvs-console plan`: the ipvsadm lines that turn one table into another.
import { plan, renderPlan } from '@lvs-console/shared/plan';
import { parse, readInput, UsageError, type CliIo } from './io';
import { parseStateText } from './state-text';

export const PLAN_HELP = `usage: lvs-console plan --from OBSERVED --to DESIRED

Each FILE is desired-state JSON or ipvsadm rule text ("-" reads stdin).
Prints the ipvsadm lines that turn OBSERVED into DESIRED, one per line.
`;

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' } });
  if (values.help) {
    io.stdout(PLAN_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  if (!values.from || !values.to) throw new UsageError('plan needs --from OBSERVED and --to DESIRED');
  const from = parseStateText(await readInput(values.from, io), 'kernel');
  const to = parseStateText(await readInput(values.to, io));
  const lines = renderPlan(plan(to, from));
  io.stdout(lines.length ? `${lines.join('\n')}\n` : '');
  return 0;
}
