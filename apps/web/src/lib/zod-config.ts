// Imported first (app/schemas.ts, before the app): the agent's CSP forbids eval, and zod would
// otherwise probe for it on first parse (logging a CSP error in the console).
import { config } from 'zod';

config({ jitless: true });
