// `lvs-console ipvsadm parse|render`: pasted shell text to desired-state JSON
// (the same reader as the console's import box and state.import) and back
// to canonical `ipvsadm -Sn` text.
import { DomainError, formatIssues } from '@lvs-console/shared';
import { nothingToImport, readPaste, renderRulesFor, type IpvsadmTarget } from '@lvs-console/shared/ipvsadm';
import { validateState } from '@lvs-console/shared/validate';
import { oneOf, parse, UsageError, type CliIo } from './io';
import { IPVSADM_CLIENT_HELP, ipvsadmClient } from './ipvsadm-client';

export const IPVSADM_HELP = `usage: lvs-console ipvsadm parse   < pasted.txt > state.json
       lvs-console ipvsadm render [--ipvsadm 1.31|pre-1.31] < state.json > rules.txt
       lvs-console ipvsadm <ipvsadm options> [--dry-run] [--yes] [--url URL]

parse: what you would paste into the console's import box (ipvsadm -Sn
output, ipvsadm commands with shell prompts and notes, a write-up with
prose, an ipvsadm -L -n listing) to desired-state JSON. Every skipped line
is named on stderr with its number and why. render: desired-state JSON to
canonical ipvsadm -Sn text. --ipvsadm pre-1.31 writes what ipvsadm before 1.31
restores (CentOS 7's 1.27, Debian 10's 1.29): no --tun-type for plain ipip;
what it cannot restore (GUE/GRE real servers, -b flags) is left out and named
on stderr.
Errors print "line N: message" on stderr and exit with status 2.

${IPVSADM_CLIENT_HELP}`;

/** `lvs-console ipvsadm -L -n` and the like (not parse/render, not --help). */
export function isIpvsadmCommandLine(args: readonly string[]): boolean {
  const first = args[0];
  return first !== undefined && first.startsWith('-') && first !== '--help' && first !== '-h';
}

function invalid(message: string): never {
  throw new DomainError('INVALID_INPUT', message);
}

/** stdin -> desired-state JSON, exactly as the import box reads it (on an empty table). */
export function parsePastedText(input: string, io: CliIo): number {
  const pasted = readPaste(input);
  if (!pasted.ok) invalid(formatIssues(pasted.errors));
  if (pasted.source === 'nothing') invalid(nothingToImport(pasted));
  const validated = validateState(pasted.state);
  if (!validated.ok) invalid(formatIssues(validated.issues));
  for (const note of pasted.skipped) io.stderr(`line ${note.line}: skipped: ${note.why}\n`);
  for (const warning of pasted.warnings) io.stderr(`${warning.path}: ${warning.message}\n`);
  io.stdout(`${JSON.stringify(validated.value, null, 2)}\n`);
  return 0;
}

export function renderStateText(input: string, io: CliIo, target: IpvsadmTarget = '1.31'): number {
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch (error) {
    invalid(`stdin is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validated = validateState(json);
  if (!validated.ok) invalid(formatIssues(validated.issues));
  const rendered = renderRulesFor(validated.value, target);
  for (const line of rendered.omitted) io.stderr(`left out for ipvsadm ${target}: ${line}\n`);
  io.stdout(rendered.text);
  return 0;
}

/** `lvs-console ipvsadm`: parse, render, or an ipvsadm command line for the running agent. */
export async function ipvsadmCommand(args: string[], io: CliIo): Promise<number> {
  if (isIpvsadmCommandLine(args)) return ipvsadmClient(args, io);
  const { positionals, values } = parse(args, { ipvsadm: { type: 'string' } });
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    if (sub === undefined && !values.help) throw new UsageError(`missing subcommand: parse or render\n\n${IPVSADM_HELP}`);
    io.stdout(IPVSADM_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (sub === 'parse') return parsePastedText(await io.readStdin(), io);
  if (values.ipvsadm !== undefined && sub !== 'render') throw new UsageError('--ipvsadm is an option of "ipvsadm render"');
  if (sub === 'render') return renderStateText(await io.readStdin(), io, oneOf<IpvsadmTarget>(values.ipvsadm, ['1.31', 'pre-1.31'], '--ipvsadm', '1.31'));
  throw new UsageError(`unknown subcommand "ipvsadm ${sub}": use parse or render`);
}
