// Structured logs (pino): one JSON line per change, drift report and request
// problem. Tests pass level "silent".
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? 'info';
  return options.destination ? pino({ level, base: { app: 'lvs-console' } }, options.destination) : pino({ level, base: { app: 'lvs-console' } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
