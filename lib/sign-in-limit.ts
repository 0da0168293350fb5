import { AppError } from "./errors";

/**
 * Wrong admin tokens (at sign-in or as a Bearer header) accepted in one
 * window; past it, every token is refused unread until the window moves on,
 * so guessing runs at this rate however many requests arrive at once.
 */
export const wrongTokenLimit = 20;
export const wrongTokenWindowMs = 60_000;

/** Refused because too many wrong tokens came lately; says when to retry. */
export class TooManyWrongTokensError extends AppError {
  constructor(readonly retryAfterS: number) {
    super(
      "too_many_requests",
      `Too many wrong admin tokens in the last minute: try again in ` +
        `${retryAfterS} s.`,
    );
  }
}

/** Times of the wrong tokens within the window, oldest first. */
export type WrongTokenLog = number[];

const processLog: WrongTokenLog = [];

function forgetOld(log: WrongTokenLog, nowMs: number) {
  while (log.length > 0 && log[0] <= nowMs - wrongTokenWindowMs) log.shift();
}

/** Throws while the window holds `wrongTokenLimit` wrong tokens. */
export function refuseWhileGuessing(
  nowMs: number,
  log: WrongTokenLog = processLog,
) {
  forgetOld(log, nowMs);
  if (log.length < wrongTokenLimit) return;
  const reopensAt = log[0] + wrongTokenWindowMs;
  throw new TooManyWrongTokensError(Math.ceil((reopensAt - nowMs) / 1000));
}

export function noteWrongToken(nowMs: number, log: WrongTokenLog = processLog) {
  forgetOld(log, nowMs);
  log.push(nowMs);
}
