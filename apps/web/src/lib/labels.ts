// Words the agent sends as codes (roles, audit results, daemon and VRRP states), shown in the console's language.
import { msg, t } from './i18n';

const WORDS: Record<string, string> = {
  admin: msg('admin'),
  operator: msg('operator'),
  viewer: msg('viewer'),
  // The agent's own entries (refused calls without a valid token).
  system: msg('system'),
  // Sync daemon states, and VRRP states as keepalived says them.
  master: msg('master'),
  backup: msg('backup'),
  MASTER: msg('MASTER'),
  BACKUP: msg('BACKUP'),
  FAULT: msg('FAULT'),
  ok: msg('ok'),
  rejected: msg('rejected'),
  failed: msg('failed'),
};

/** The word for a code the agent sent; an unknown code is shown as it came. */
export function codeLabel(code: string): string {
  const key = WORDS[code];
  return key ? t(key) : code;
}
