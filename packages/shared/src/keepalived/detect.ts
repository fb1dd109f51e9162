// Which format a pasted or uploaded import text is in.
export type ImportFormat = 'ipvsadm' | 'json' | 'keepalived';

/** A top-level keepalived keyword at the start of a line (after comments are gone). */
const KEEPALIVED_LINE = /^\s*(virtual_server|virtual_server_group|global_defs|vrrp_instance|vrrp_sync_group|vrrp_script|static_ipaddress|include)\b/m;

/**
 * JSON when the text starts with `{` or a JSON array; keepalived.conf when a line
 * starts with one of its top-level keywords; else ipvsadm text (rules,
 * commands or a write-up the ipvsadm reader picks the rules out of).
 */
export function detectImportFormat(text: string): ImportFormat {
  // `[` alone is not enough: `[root@lvs ~]# ipvsadm ...` starts with one.
  if (/^\s*(\{|\[\s*[{\]"])/.test(text)) return 'json';
  const uncommented = text.replace(/[#!].*$/gm, '');
  return KEEPALIVED_LINE.test(uncommented) ? 'keepalived' : 'ipvsadm';
}
