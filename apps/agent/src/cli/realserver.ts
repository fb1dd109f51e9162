// `lvs-console realserver apply|check`: prepare or verify a real server for
// DR or TUN once (`serve --role realserver` keeps the settings: serve-realserver.ts).
import { LinuxHostBackend, SimHostBackend, formatRealServerRows, realServerSettings, realserverApply, realserverCheck } from '../host';
import { oneOf, parse, UsageError, type CliIo } from './io';

export const REALSERVER_HELP = `usage: lvs-console realserver apply|check --mode dr|tun --vip ADDR [--vip ADDR ...]
                                 [--interface IFACE] [--backend linux|sim]

Prepare (apply) or verify (check) a real server for direct routing or
tunnelling: the VIP on lo (DR) or tunl0 (TUN), arp_ignore/arp_announce,
rp_filter, the ipip module. Prints one line per setting; exit status 1 when
any is not (or could not be) in place. --backend sim checks a stock
in-memory host (for trying it out).
`;

export async function realserverCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    mode: { type: 'string' },
    vip: { type: 'string', multiple: true },
    interface: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.help) {
    io.stdout(REALSERVER_HELP);
    return 0;
  }
  const action = positionals[0];
  if (action !== 'apply' && action !== 'check') throw new UsageError('realserver needs "apply" or "check"');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (!values.mode) throw new UsageError('realserver needs --mode dr or --mode tun');
  const mode = oneOf(values.mode, ['dr', 'tun'] as const, '--mode', 'dr');
  if (!values.vip?.length) throw new UsageError('realserver needs at least one --vip ADDR');
  const backendKind = oneOf(values.backend, ['linux', 'sim'] as const, '--backend', 'linux');
  const host = backendKind === 'sim' ? new SimHostBackend() : new LinuxHostBackend();
  const options = { mode, vips: values.vip, ...(values.interface ? { interface: values.interface } : {}) };
  // Validate first so bad input exits 2 before anything touches the host.
  realServerSettings(options);
  const result = action === 'check' ? await realserverCheck(options, host) : await realserverApply(options, host);
  io.stdout(`${formatRealServerRows(result.rows)}\n`);
  return result.passed ? 0 : 1;
}
