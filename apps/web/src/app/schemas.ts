// The shared package's schemas, evaluated in a task of their own before the
// app (main.tsx). zod-config first: the agent's CSP forbids eval, and zod would
// otherwise probe for it on first parse.
import '../lib/zod-config';
import '@lvs-console/shared';
import '@lvs-console/shared/api';
