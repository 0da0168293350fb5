import { describe, expect, it } from "vitest";
import { ifNoneMatchHits } from "@/app/api/artifacts/[id]/conditional";

describe("ifNoneMatchHits", () => {
  const etag = '"abc123"';

  it.each([
    ['"abc123"', true],
    ["*", true],
    [' "zzz" , "abc123" ', true],
    ['W/"abc123"', true],
    ['"zzz"', false],
    ['"abc1234"', false],
    ["abc123", false],
    ["", false],
  ])("If-None-Match %j → %s", (header, expected) => {
    expect(ifNoneMatchHits(header, etag)).toBe(expected);
  });

  it("does not match without the header", () => {
    expect(ifNoneMatchHits(null, etag)).toBe(false);
  });
});
