// Splitting rule text into lines and tokens, as ipvsadm -R's config_stream
// does (whitespace-separated words, no quoting), plus `#` comments, which
// operators' files carry and ipvsadm -R would choke on.

/** Whitespace-separated tokens of one line; a token starting with `#` ends the line. */
export function tokenizeLine(line: string): string[] {
  const tokens: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 10) {
      i++;
      continue;
    }
    if (c === 35) break;
    let j = i + 1;
    while (j < n) {
      c = line.charCodeAt(j);
      if (c === 32 || c === 9 || c === 13 || c === 10) break;
      j++;
    }
    tokens.push(line.slice(i, j));
    i = j;
  }
  return tokens;
}

/** True for `ipvsadm`, `/sbin/ipvsadm` and the like: the program name operators type. */
export function isProgramName(token: string): boolean {
  return token === 'ipvsadm' || token.endsWith('/ipvsadm');
}
