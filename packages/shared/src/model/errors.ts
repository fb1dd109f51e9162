// Domain errors are values with a code and a message an operator can act on.
// The tRPC layer maps codes to transport errors; the console shows the message.

export type DomainErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'KERNEL_ERROR'
  | 'UNSUPPORTED'
  | 'UNAVAILABLE';

export interface Issue {
  /** Where: a JSON path like services[0].destinations[1].weight, or "line 3". */
  path: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
