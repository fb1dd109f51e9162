// Pasted operator notes -> ipvsadm rule lines. Write-ups mix shell prompts,
// comments (often not in English), listing commands and the rules themselves;
// this keeps the rule-changing commands and says what it dropped and why.

export interface ExtractedRules {
  /** Rule lines without the program name: "-A -t 192.0.2.1:80 -s rr". */
  lines: string[];
  notes: string[];
}

/** Commands that change the table; listing, save and zero commands are dropped. */
const RULE_COMMAND = /^(-[AEDaedC]|--(add|edit|delete)-(service|server)|--clear|--set|--start-daemon|--stop-daemon)\b/;

export function extractRules(text: string): ExtractedRules {
  const lines: string[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const rawLines = text.split(/\r?\n/);
  rawLines.forEach((raw, index) => {
    const lineNo = index + 1;
    let line = raw.trim();
    if (line === '') return;
    // Shell prompts and the program name: "[root@lvs ~]# ipvsadm -A ..." or "# ipvsadm -A ...".
    const at = line.search(/(^|[\s#$>])ipvsadm(\s|$)/);
    if (at >= 0) {
      line = line.slice(line.indexOf('ipvsadm', at) + 'ipvsadm'.length).trim();
    } else if (!/^-/.test(line)) {
      return; // prose, other commands
    }
    // Trailing comments: "#..." after a space, or words in other scripts.
    line = line.replace(/\s+#.*$/, '');
    const tokens = line.split(/\s+/).filter(Boolean);
    const kept: string[] = [];
    for (const token of tokens) {
      if (/[^\x20-\x7e]/.test(token)) break;
      kept.push(token);
    }
    line = kept.join(' ');
    if (!RULE_COMMAND.test(line)) return;
    if (/\$[A-Za-z_]/.test(line)) {
      notes.push(`line ${lineNo}: "${line}" uses a shell variable; replace it with an address`);
      return;
    }
    if (seen.has(line)) {
      notes.push(`line ${lineNo}: "${line}" repeats an earlier line (the kernel would refuse it as already existing); kept once`);
      return;
    }
    seen.add(line);
    lines.push(line);
  });
  return { lines, notes };
}
