import { describe, expect, it } from "vitest";
import { createPrompt, getPrompt } from "@/db/prompts";
import { wrongTokenLimit } from "@/lib/sign-in-limit";
import { useAppSuite } from "../../helpers/app-suite";

const adminToken = "test-admin-token-0123456789";

// Its own server: the limit holds for the whole process once reached.
describe("guessing ADMIN_TOKEN", () => {
  const ids = { queued: 0 };
  const suite = useAppSuite((db, workspace) => {
    workspace.env.ADMIN_TOKEN = adminToken;
    ids.queued = createPrompt(db, {
      type: "poem",
      text: "queued",
      priority: 0,
    }).id;
  });
  const url = (path: string) => `${suite.app.baseUrl}${path}`;
  const login = (token: string) =>
    fetch(url("/api/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
  const cancelWith = (token: string) =>
    fetch(url(`/api/prompts/${ids.queued}/cancel`), {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });

  it("is cut off after the limit, sign-in and Bearer alike, even sent all at once", async () => {
    // Half at sign-in, half as Bearer headers, all in flight together.
    const wrong = Array.from(
      { length: wrongTokenLimit },
      (_, i) => `guess-number-${i}-abcdefgh`,
    );
    const answers = await Promise.all(
      wrong.map((token, i) => (i % 2 ? login(token) : cancelWith(token))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(
      wrong.map(() => 401),
    );

    // Now even the right token is not read, so a lucky guess learns nothing.
    for (const answer of [
      await login(adminToken),
      await cancelWith(adminToken),
    ]) {
      expect(answer.status).toBe(429);
      expect(answer.headers.get("set-cookie")).toBeNull();
      const retryAfter = Number(answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const { error } = await answer.json();
      expect(error.code).toBe("too_many_requests");
      expect(error.message).toContain(`try again in ${retryAfter} s`);
    }
    expect(getPrompt(suite.db, ids.queued)?.status).toBe("unprocessed");

    // What needs no token goes on: reading, and submitting at priority 0.
    expect((await fetch(url("/api/prompts"))).status).toBe(200);
    const submitted = await fetch(url("/api/prompts"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "poem", text: "still open" }),
    });
    expect(submitted.status).toBe(201);
  });
});
