// The health editor's form state: every field as the text the operator typed,
// turned into Service.health and checked with the schema the agent enforces.
// Per-destination overrides and running drains are not edited here and are
// carried over unchanged.
import type { CheckKind, ForwardingMethod, HealthCheck, ServiceHealth } from '@lvs-console/shared';
import { serviceHealthSchema } from '@lvs-console/shared';

export interface CheckDraft {
  kind: CheckKind;
  intervalMs: string;
  timeoutMs: string;
  rise: string;
  fall: string;
  /** Empty: one interval (the agent's default). */
  warmupMs: string;
  /** Empty: the real server's own address / port. */
  targetAddress: string;
  targetPort: string;
  path: string;
  host: string;
  /** "200-399, 404". */
  expectStatus: string;
  bodyMatchKind: 'none' | 'substring' | 'regex';
  bodyMatchText: string;
  verifyTls: boolean;
  payloadEncoding: 'utf8' | 'hex';
  payloadText: string;
  requireReply: boolean;
  /** Empty: any reply. */
  expectText: string;
  dnsName: string;
  recordType: 'A' | 'AAAA';
  /** Comma or space separated; empty: any answer. */
  expectAddresses: string;
  program: string;
  /** One argument per line, passed as they are. */
  args: string;
  expectExitCode: string;
  dynamicWeight: boolean;
}

export interface HealthDraft {
  enabled: boolean;
  checks: CheckDraft[];
  onFailure: 'quiesce' | 'remove';
  slowStart: boolean;
  slowStartSeconds: string;
  slowStartSteps: string;
  quorum: string;
  hysteresis: string;
  sorryServer: boolean;
  sorryAddress: string;
  sorryPort: string;
  sorryWeight: string;
  sorryForwarding: ForwardingMethod;
  sorryServerReplaces: boolean;
  alpha: boolean;
  historySize: string;
}

export function newCheckDraft(kind: CheckKind): CheckDraft {
  return {
    kind,
    intervalMs: '5000',
    timeoutMs: '2000',
    rise: '2',
    fall: '3',
    warmupMs: '',
    targetAddress: '',
    targetPort: '',
    path: '/',
    host: '',
    expectStatus: '200-399',
    bodyMatchKind: 'none',
    bodyMatchText: '',
    verifyTls: false,
    payloadEncoding: 'utf8',
    payloadText: '',
    requireReply: true,
    expectText: '',
    dnsName: '',
    recordType: 'A',
    expectAddresses: '',
    program: '',
    args: '',
    expectExitCode: '0',
    dynamicWeight: false,
  };
}

function checkToDraft(check: HealthCheck): CheckDraft {
  const draft: CheckDraft = {
    ...newCheckDraft(check.kind),
    intervalMs: String(check.intervalMs),
    timeoutMs: String(check.timeoutMs),
    rise: String(check.rise),
    fall: String(check.fall),
    warmupMs: check.warmupMs === undefined ? '' : String(check.warmupMs),
    targetAddress: check.target.address ?? '',
    targetPort: check.target.port === undefined ? '' : String(check.target.port),
  };
  switch (check.kind) {
    case 'http':
    case 'https':
      return {
        ...draft,
        path: check.path,
        host: check.host ?? '',
        expectStatus: check.expectStatus.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(', '),
        bodyMatchKind: check.bodyMatch?.kind ?? 'none',
        bodyMatchText: check.bodyMatch?.text ?? '',
        verifyTls: check.kind === 'https' ? check.verifyTls : false,
      };
    case 'udp':
      return {
        ...draft,
        payloadEncoding: check.payload.encoding,
        payloadText: check.payload.text,
        requireReply: check.requireReply,
        expectText: check.expect?.text ?? '',
      };
    case 'dns':
      return { ...draft, dnsName: check.name, recordType: check.recordType, expectAddresses: (check.expectAddresses ?? []).join(', ') };
    case 'command':
      return {
        ...draft,
        program: check.program,
        args: check.args.join('\n'),
        expectExitCode: String(check.expectExitCode),
        dynamicWeight: check.dynamicWeight,
      };
    case 'tcp':
      return draft;
  }
}

export function healthToDraft(health: ServiceHealth | undefined): HealthDraft {
  const sorry = health?.sorryServer;
  return {
    enabled: health?.enabled ?? false,
    checks: (health?.checks ?? []).map(checkToDraft),
    onFailure: health?.onFailure ?? 'quiesce',
    slowStart: health?.slowStart !== undefined,
    slowStartSeconds: String((health?.slowStart?.durationMs ?? 30_000) / 1000),
    slowStartSteps: String(health?.slowStart?.steps ?? 10),
    quorum: String(health?.quorum ?? 1),
    hysteresis: String(health?.hysteresis ?? 0),
    sorryServer: sorry !== undefined,
    sorryAddress: sorry?.address ?? '',
    sorryPort: sorry ? String(sorry.port) : '',
    sorryWeight: String(sorry?.weight ?? 1),
    sorryForwarding: sorry?.forwarding ?? 'route',
    sorryServerReplaces: health?.sorryServerReplaces ?? true,
    alpha: health?.alpha ?? false,
    historySize: String(health?.historySize ?? 30),
  };
}

/** Empty text is NaN, so the schema says "must be a number" instead of taking 0. */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function listOf(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** "200-399, 404" as ranges; a malformed part becomes NaN and the schema names it. */
function statusRanges(text: string): Array<{ min: number; max: number }> {
  return listOf(text).map((part) => {
    const [min, max] = part.split('-');
    return { min: numberOf(min ?? ''), max: numberOf(max ?? min ?? '') };
  });
}

function checkInput(draft: CheckDraft): Record<string, unknown> {
  const target = {
    ...(draft.targetAddress.trim() ? { address: draft.targetAddress.trim() } : {}),
    ...(optionalNumber(draft.targetPort) !== undefined ? { port: optionalNumber(draft.targetPort) } : {}),
  };
  const timing = {
    intervalMs: numberOf(draft.intervalMs),
    timeoutMs: numberOf(draft.timeoutMs),
    rise: numberOf(draft.rise),
    fall: numberOf(draft.fall),
    ...(optionalNumber(draft.warmupMs) !== undefined ? { warmupMs: optionalNumber(draft.warmupMs) } : {}),
    target,
  };
  switch (draft.kind) {
    case 'tcp':
      return { kind: 'tcp', ...timing };
    case 'http':
    case 'https':
      return {
        kind: draft.kind,
        ...timing,
        path: draft.path,
        ...(draft.host.trim() ? { host: draft.host.trim() } : {}),
        expectStatus: statusRanges(draft.expectStatus),
        ...(draft.bodyMatchKind !== 'none' ? { bodyMatch: { kind: draft.bodyMatchKind, text: draft.bodyMatchText } } : {}),
        ...(draft.kind === 'https' ? { verifyTls: draft.verifyTls } : {}),
      };
    case 'udp':
      return {
        kind: 'udp',
        ...timing,
        payload: { encoding: draft.payloadEncoding, text: draft.payloadText },
        requireReply: draft.requireReply,
        ...(draft.expectText !== '' ? { expect: { encoding: draft.payloadEncoding, text: draft.expectText } } : {}),
      };
    case 'dns': {
      const addresses = listOf(draft.expectAddresses);
      return { kind: 'dns', ...timing, name: draft.dnsName.trim(), recordType: draft.recordType, ...(addresses.length ? { expectAddresses: addresses } : {}) };
    }
    case 'command':
      return {
        kind: 'command',
        ...timing,
        program: draft.program.trim(),
        // One argument per line; blank lines are dropped, spaces inside a line are kept.
        args: draft.args.split('\n').filter((line) => line !== ''),
        expectExitCode: numberOf(draft.expectExitCode),
        dynamicWeight: draft.dynamicWeight,
      };
  }
}

export type DraftResult = { ok: true; health: ServiceHealth } | { ok: false; problems: string[] };

const FIELD_NAMES: Record<string, string> = {
  intervalMs: 'interval',
  timeoutMs: 'timeout',
  warmupMs: 'warmup',
  expectStatus: 'status ranges',
  bodyMatch: 'body match',
  expectAddresses: 'expected addresses',
  expectExitCode: 'exit code',
  sorryServer: 'sorry server',
  slowStart: 'slow start',
  historySize: 'history size',
  durationMs: 'duration',
};

function describePath(path: ReadonlyArray<PropertyKey>): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    if (part === 'checks' && typeof path[i + 1] === 'number') {
      parts.push(`Check ${Number(path[i + 1]) + 1}`);
      i++;
    } else if (typeof part === 'string') {
      parts.push(FIELD_NAMES[part] ?? part);
    }
  }
  return parts.join(' · ');
}

/** The draft as Service.health, or the schema's messages with where they apply. */
export function draftToHealth(draft: HealthDraft, current: ServiceHealth | undefined): DraftResult {
  const input = {
    enabled: draft.enabled,
    checks: draft.checks.map(checkInput),
    destinations: current?.destinations ?? {},
    onFailure: draft.onFailure,
    ...(draft.slowStart ? { slowStart: { durationMs: Math.round(numberOf(draft.slowStartSeconds) * 1000), steps: numberOf(draft.slowStartSteps) } } : {}),
    quorum: numberOf(draft.quorum),
    hysteresis: numberOf(draft.hysteresis),
    ...(draft.sorryServer
      ? {
          sorryServer: {
            address: draft.sorryAddress.trim(),
            port: numberOf(draft.sorryPort),
            forwarding: draft.sorryForwarding,
            weight: numberOf(draft.sorryWeight),
          },
        }
      : {}),
    sorryServerReplaces: draft.sorryServerReplaces,
    alpha: draft.alpha,
    historySize: numberOf(draft.historySize),
    drains: current?.drains ?? {},
  };
  const parsed = serviceHealthSchema.safeParse(input);
  if (parsed.success) return { ok: true, health: parsed.data };
  return {
    ok: false,
    problems: [
      ...new Set(
        parsed.error.issues.map((issue) => {
          const where = describePath(issue.path);
          return where ? `${where}: ${issue.message}` : issue.message;
        }),
      ),
    ],
  };
}
