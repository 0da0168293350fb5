import { describe, expect, it } from "vitest";
import {
  noteWrongToken,
  refuseWhileGuessing,
  TooManyWrongTokensError,
  wrongTokenLimit,
  wrongTokenWindowMs,
  type WrongTokenLog,
} from "@/lib/sign-in-limit";

describe("the wrong-token limit", () => {
  it("lets tokens be read until the limit, then refuses until the oldest wrong one leaves the window", () => {
    const log: WrongTokenLog = [];
    const start = 1_000_000;
    for (let i = 0; i < wrongTokenLimit; i++) {
      expect(() => refuseWhileGuessing(start + i * 1000, log)).not.toThrow();
      noteWrongToken(start + i * 1000, log);
    }

    const refusedAt = start + wrongTokenLimit * 1000;
    let error: unknown;
    try {
      refuseWhileGuessing(refusedAt, log);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TooManyWrongTokensError);
    const { code, retryAfterS, message } = error as TooManyWrongTokensError;
    expect(code).toBe("too_many_requests");
    expect(retryAfterS).toBe(
      (wrongTokenWindowMs - wrongTokenLimit * 1000) / 1000,
    );
    expect(message).toContain(`${retryAfterS} s`);

    // One moment before the first wrong token is a window old: still shut.
    expect(() =>
      refuseWhileGuessing(start + wrongTokenWindowMs - 1, log),
    ).toThrow(TooManyWrongTokensError);
    // Then one more may be tried, not a whole new batch.
    expect(() =>
      refuseWhileGuessing(start + wrongTokenWindowMs, log),
    ).not.toThrow();
    noteWrongToken(start + wrongTokenWindowMs, log);
    expect(() => refuseWhileGuessing(start + wrongTokenWindowMs, log)).toThrow(
      TooManyWrongTokensError,
    );
  });

  it("forgets wrong tokens older than the window", () => {
    const log: WrongTokenLog = [];
    for (let i = 0; i < wrongTokenLimit - 1; i++) noteWrongToken(i, log);
    noteWrongToken(wrongTokenWindowMs * 2, log);
    expect(log).toEqual([wrongTokenWindowMs * 2]);
  });
});
