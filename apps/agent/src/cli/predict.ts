// `lvs-console predict`: which real server each client lands on, by the
// kernel scheduler models.
import { formatEndpoint, parseServiceId, serviceId, type ServiceKey } from '@lvs-console/shared';
import { schedServiceOf } from '@lvs-console/shared/api';
import { predictClients, predictSequence, type PredictClient } from '@lvs-console/shared/schedulers';
import { formatError, integer, parse, readInput, UsageError, type CliIo } from './io';
import { parseStateText } from './state-text';

export const PREDICT_HELP = `usage: lvs-console predict RULES --service PROTO:VIP:PORT|fwmark:N
         (--client ADDR[:PORT] ... | --clients-file F | --sequence N)

RULES is desired-state JSON or ipvsadm rule text. Prints one line per client,
"ADDR[:PORT] -> RS:PORT" (or "-> none" when no real server is available),
using the kernel scheduler models. --sequence N prints the first N picks of
a freshly created service, from client 192.0.2.1 with source ports 32768, ...
`;

function parseClient(text: string): PredictClient {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(text);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  const bare6 = /^[0-9a-fA-F:]+$/.test(text) && text.includes(':') ? text : null;
  const address = v6?.[1] ?? v4?.[1] ?? bare6;
  const portText = v6?.[2] ?? v4?.[2];
  if (!address) throw new UsageError(`"${text}" is not a client ADDR[:PORT]`);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && port > 65535) throw new UsageError(`"${text}": port must be 0..65535`);
  return port === undefined ? { address } : { address, port };
}

function clientLabel(client: PredictClient): string {
  return client.port === undefined ? client.address : formatEndpoint(client.address, client.port);
}

function parseServiceFlag(text: string): ServiceKey {
  const lower = text.toLowerCase();
  const fw = /^fwmark:(\d+)$/.exec(lower);
  const key = fw ? parseServiceId(`fwmark:${fw[1] ?? ''}`) : parseServiceId(lower);
  if (!key) throw new UsageError(`--service "${text}" is not PROTO:VIP:PORT (tcp:192.0.2.1:80) or fwmark:N`);
  return key;
}

export async function predictCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    service: { type: 'string' },
    client: { type: 'string', multiple: true },
    'clients-file': { type: 'string' },
    sequence: { type: 'string' },
  });
  if (values.help) {
    io.stdout(PREDICT_HELP);
    return 0;
  }
  const rulesPath = positionals[0];
  if (!rulesPath) throw new UsageError('predict needs a RULES file (JSON or ipvsadm text)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (!values.service) throw new UsageError('predict needs --service PROTO:VIP:PORT or fwmark:N');
  const modes = [values.client !== undefined, values['clients-file'] !== undefined, values.sequence !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('give exactly one of --client, --clients-file or --sequence');

  const state = parseStateText(await readInput(rulesPath, io));
  const key = parseServiceFlag(values.service);
  const service = state.services.find((s) => serviceId(s.key) === serviceId(key));
  if (!service) throw new UsageError(`service ${values.service} is not in ${rulesPath}`);
  const sched = schedServiceOf(service);

  if (values.sequence !== undefined) {
    const count = integer(values.sequence, '--sequence') ?? 0;
    if (count < 1 || count > 1_000_000) throw new UsageError('--sequence must be 1..1000000');
    const client = { address: '192.0.2.1' };
    const picks = predictSequence(sched, count, { client });
    // predictSequence's synthetic client uses source ports 32768, 32769, ...
    io.stdout(picks.map((dest, i) => `${formatEndpoint(client.address, 32768 + (i % 28232))} -> ${dest ? dest.id : 'none'}`).join('\n') + '\n');
    return 0;
  }
  let clients: PredictClient[];
  if (values['clients-file'] !== undefined) {
    const text = await readInput(values['clients-file'], io);
    clients = [];
    text.split('\n').forEach((line, i) => {
      const trimmed = line.replace(/#.*/, '').trim();
      if (!trimmed) return;
      try {
        clients.push(parseClient(trimmed));
      } catch (error) {
        throw new UsageError(`line ${i + 1}: ${formatError(error)}`);
      }
    });
  } else {
    clients = (values.client ?? []).map(parseClient);
  }
  const predictions = predictClients(sched, clients);
  io.stdout(predictions.map((p) => `${clientLabel(p.client)} -> ${p.destination ? p.destination.id : 'none'}`).join('\n') + (predictions.length ? '\n' : ''));
  return 0;
}
