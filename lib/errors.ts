/** Every expected failure has one of these codes. */
export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "payload_too_large"
  | "range_not_satisfiable"
  | "unsupported_media_type"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "illegal_transition"
  | "lease_lost"
  | "unauthorized"
  | "too_many_requests"
  | "shutting_down";

export const httpStatusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unsupported_media_type: 415,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  illegal_transition: 409,
  lease_lost: 409,
  unauthorized: 401,
  too_many_requests: 429,
  shutting_down: 503,
};

export type ErrorIssue = { path: string; message: string };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * How a backend failure goes on. transient: retried with backoff up to
 * MAX_ATTEMPTS (a timeout, a 5xx, a spec still invalid after its repair
 * request). permanent: failed at once (the backend rejects the request as
 * invalid or can never serve it; output cut off even with a larger budget).
 * unreachable: the prompt waits, no attempt counted (connection refused,
 * DNS, no answer).
 */
export type FailureKind = "transient" | "permanent" | "unreachable";

/** The one text each kind's readable reason starts with. */
export function describeFailure(kind: FailureKind, message: string): string {
  return `${kind}: ${message}`;
}

/** What a stage's backend throws; anything else a stage throws is a bug. */
export class BackendError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "BackendError";
  }
}

export function isBackendError(error: unknown): error is BackendError {
  return error instanceof BackendError;
}
