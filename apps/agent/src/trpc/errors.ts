// The one place where domain errors become transport errors. The message
// reaches the console unchanged; the domain code and issues ride along in
// the error's data so the console can point at the offending field.
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { DomainError, messageText, type DomainErrorCode, type MessageId, type MessageParams } from '@lvs-console/shared';

export const TRPC_CODE_BY_DOMAIN_CODE: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_INPUT: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  KERNEL_ERROR: 'INTERNAL_SERVER_ERROR',
  UNSUPPORTED: 'NOT_IMPLEMENTED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** Wrap any thrown value as a TRPCError, keeping DomainError messages intact. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof DomainError) {
    return new TRPCError({ code: TRPC_CODE_BY_DOMAIN_CODE[error.code], message: error.message, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message, cause: error instanceof Error ? error : undefined });
}

/** The DomainError behind a TRPCError, if any (for the error formatter). */
export function domainCauseOf(error: TRPCError): DomainError | null {
  return error.cause instanceof DomainError ? error.cause : null;
}

/** The cause of a refusal that is no DomainError (not allowed, rate limited): its message id for the console. */
export class DescribedRefusal extends Error {
  constructor(
    readonly messageId: MessageId,
    readonly params: MessageParams = {},
  ) {
    super(messageText(messageId, params));
    this.name = 'DescribedRefusal';
  }
}

/** A caller over a rate limit; the console says when to try again from retryAfterSeconds. */
export class RateLimited extends DescribedRefusal {
  constructor(readonly retryAfterSeconds: number) {
    super('tooManyLogins', { seconds: retryAfterSeconds });
    this.name = 'RateLimited';
  }
}

/** The message id and parameters of an error's cause, if it has them. */
export function describedCauseOf(error: TRPCError): { messageId: MessageId; params: MessageParams } | null {
  const cause = error.cause;
  if (cause instanceof DescribedRefusal) return { messageId: cause.messageId, params: cause.params };
  if (cause instanceof DomainError && cause.messageId) return { messageId: cause.messageId, params: cause.params ?? {} };
  return null;
}
