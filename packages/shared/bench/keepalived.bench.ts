// keepalived.conf import at scale (issue 15): 1,000 virtual servers with 10
// real servers each (10,000), every real server with a TCP_CHECK. Target:
// the whole import (syntax, keepalived's defaults, validation) under 500 ms.
// Baseline: the syntax pass alone (lines, words, blocks), in the same run.
import { parseSyntax, readKeepalivedConf } from '../src/keepalived';
import { medianMs, type BenchResult } from './support';

function bigConf(virtualServers: number, realServers: number): string {
  const lines: string[] = ['global_defs {', '    lvs_timeouts tcp 900 tcpfin 120 udp 300', '}'];
  for (let i = 0; i < virtualServers; i++) {
    lines.push(`virtual_server 192.0.${Math.floor(i / 250)}.${(i % 250) + 1} 80 {`, '    protocol TCP', '    lvs_sched wlc', '    lvs_method NAT', '    delay_loop 5', '    inhibit_on_failure');
    for (let r = 0; r < realServers; r++) {
      lines.push(`    real_server 10.${Math.floor(i / 250)}.${i % 250}.${r + 1} 8080 {`, `        weight ${r + 1}`, '        TCP_CHECK {', '            connect_timeout 2', '            retry 2', '            delay_before_retry 5', '        }', '    }');
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

export function run(): Promise<BenchResult[]> {
  const text = bigConf(1000, 10);
  const check = readKeepalivedConf(text);
  if (!check.ok || check.state.services.length !== 1000 || check.state.services.reduce((n, s) => n + s.destinations.length, 0) !== 10_000) {
    throw new Error(`the generated keepalived.conf did not import cleanly: ${check.notes[0]?.message ?? 'wrong counts'}`);
  }
  const importMs = medianMs(7, () => {
    readKeepalivedConf(text);
  });
  const syntaxMs = medianMs(7, () => {
    parseSyntax(text);
  });
  return Promise.resolve([
    { name: 'keepalived-import-1k-vs-10k-rs', value: importMs, unit: 'ms', baseline: { name: 'keepalived-syntax-only-1k-vs-10k-rs', value: syntaxMs, unit: 'ms' } },
  ]);
}
