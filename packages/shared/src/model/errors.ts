// Domain errors are values with a code and a message an operator can act on.
// The tRPC layer maps codes to transport errors; the console shows the message,
// in its own language when the error or issue carries a message id.
import { messageText, type MessageId, type MessageParams } from './messages';

export type DomainErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'CONFLICT' | 'KERNEL_ERROR' | 'UNSUPPORTED' | 'UNAVAILABLE';

export interface Issue {
  /** Where: a JSON path like services[0].destinations[1].weight, or "line 3". */
  path: string;
  /** In English; the console translates messageId with params when it knows the id. */
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
}

/** An issue whose message has a stable id (MESSAGE_TEXTS). */
export function describedIssue(path: string, id: MessageId, params: MessageParams = {}): Issue {
  return { path, message: messageText(id, params), messageId: id, params };
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: Issue[] = [],
    /** The message's stable id and parameters, for the console to say it in its language. */
    readonly messageId?: MessageId,
    readonly params?: MessageParams,
  ) {
    super(message);
  }

  /** A DomainError whose message is MESSAGE_TEXTS[id] with params. */
  static described(code: DomainErrorCode, id: MessageId, params: MessageParams = {}): DomainError {
    return new DomainError(code, messageText(id, params), [], id, params);
  }
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
