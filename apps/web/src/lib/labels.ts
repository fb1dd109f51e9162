// Words the agent sends as codes (roles, audit results), shown in the console's language.
import { msg, t } from './i18n';

const WORDS: Record<string, string> = {
  admin: msg('admin'),
  operator: msg('operator'),
  viewer: msg('viewer'),
  // The agent's own entries (refused calls without a valid token).
  system: msg('system'),
  ok: msg('ok'),
  rejected: msg('rejected'),
  failed: msg('failed'),
};

/** The word for a code the agent sent; an unknown code is shown as it came. */
export function codeLabel(code: string): string {
  const key = WORDS[code];
  return key ? t(key) : code;
}
