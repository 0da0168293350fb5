import http from "node:http";
import { describe, expect, it } from "vitest";
import { claimNextPrompt } from "@/db/claims";
import { createPrompt, getPrompt } from "@/db/prompts";
import { sessionCookieName, signSession, sessionMaxAgeMs } from "@/lib/auth";
import { useAppSuite } from "../../helpers/app-suite";

const adminToken = "test-admin-token-0123456789";

// The production server with ADMIN_TOKEN set and no worker: every refused
// request is checked against the database file the server uses.
describe("access with ADMIN_TOKEN", () => {
  const ids = { queued: 0, running: 0 };
  const suite = useAppSuite((db, workspace) => {
    workspace.env.ADMIN_TOKEN = adminToken;
    ids.queued = createPrompt(db, {
      type: "poem",
      text: "queued",
      priority: 0,
    }).id;
    ids.running = createPrompt(db, {
      type: "poem",
      text: "running",
      priority: 1,
    }).id;
    claimNextPrompt(db, { workerId: "test", leaseMs: 600_000 });
  });

  const url = (path: string) => `${suite.app.baseUrl}${path}`;
  const send = (method: string, path: string, headers: HeadersInit = {}) =>
    fetch(url(path), { method, headers, redirect: "manual" });
  const login = (token: string, headers: HeadersInit = {}) =>
    fetch(url("/api/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ token }),
    });
  const sessionCookieOf = (response: Response) =>
    (response.headers.get("set-cookie") ?? "").split(";")[0];

  /** Everything a refused request could have changed. */
  const snapshot = () =>
    suite.db.$client
      .prepare(
        "SELECT id, status, artifact_status, lease_owner, updated_at FROM prompts ORDER BY id",
      )
      .all()
      .concat(
        suite.db.$client
          .prepare("SELECT count(*) AS events FROM prompt_events")
          .all(),
      );

  const changes = () => [
    ["POST", `/api/prompts/${ids.running}/requeue`],
    ["POST", `/api/prompts/${ids.queued}/cancel`],
    ["PATCH", `/api/prompts/${ids.queued}`],
    ["POST", "/api/stages/write/pause"],
    ["POST", "/api/not-yet-written"],
  ];

  /** Methods the route does not answer, signed in or not. */
  const wrongMethods = () => [
    ["DELETE", "/api/prompts"],
    ["PUT", `/api/prompts/${ids.queued}`],
    ["PATCH", "/api/stats"],
    ["GET", `/api/prompts/${ids.running}/requeue`],
    ["DELETE", "/api/prompts/batch"],
  ];

  it.each([
    ["no credentials", {}],
    ["a wrong Bearer token", { authorization: "Bearer not-the-admin-token" }],
    ["the token as a Basic password", { authorization: `Basic ${adminToken}` }],
    [
      "a forged session cookie",
      { cookie: `${sessionCookieName}=1.${"A".repeat(43)}` },
    ],
    [
      "a session cookie signed with another token",
      {
        cookie: `${sessionCookieName}=${signSession("another-token-0123456789", Date.now())}`,
      },
    ],
    [
      "an expired session cookie",
      {
        cookie: `${sessionCookieName}=${signSession(adminToken, Date.now() - sessionMaxAgeMs - 1000)}`,
      },
    ],
    [
      "the raw token as the cookie",
      { cookie: `${sessionCookieName}=${adminToken}` },
    ],
  ])(
    "refuses every kind of change with %s: 401, nothing changed",
    async (_name, headers) => {
      const before = snapshot();

      const answers = await Promise.all(
        changes().map(([method, path]) => send(method, path, headers)),
      );

      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const { error } = await answer.json();
        expect(error.code).toBe("unauthorized");
        expect(error.message).toContain("Sign in");
      }
      expect(snapshot()).toEqual(before);
    },
  );

  it("answers a wrong method with 405 signed out, not 401", async () => {
    const before = snapshot();

    const answers = await Promise.all(
      wrongMethods().map(([method, path]) => send(method, path)),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBeTruthy();
      expect((await answer.json()).error.code).toBe("method_not_allowed");
    }
    expect(snapshot()).toEqual(before);
  });

  it("accepts the token as a Bearer header", async () => {
    const response = await send("POST", `/api/prompts/${ids.running}/requeue`, {
      authorization: `Bearer ${adminToken}`,
    });

    expect(response.status).toBe(200);
    expect(getPrompt(suite.db, ids.running)).toMatchObject({
      status: "unprocessed",
      leaseOwner: null,
    });
  });

  it("keeps submitting prompts and reading open to anyone", async () => {
    const created = await fetch(url("/api/prompts"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "haiku", text: "open door" }),
    });
    const reads = await Promise.all(
      ["/api/prompts", "/api/admin/stuck", "/api/stats", "/"].map((p) =>
        send("GET", p),
      ),
    );

    expect(created.status).toBe(201);
    const { prompt } = await created.json();
    expect(getPrompt(suite.db, prompt.id)?.text).toBe("open door");
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it("lets only a signed-in client submit above the normal priority", async () => {
    const submit = (path: string, body: object, headers: HeadersInit = {}) =>
      fetch(url(path), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const before = snapshot();

    const one = await submit("/api/prompts", {
      type: "poem",
      text: "me first",
      priority: 100,
    });
    const batch = await submit("/api/prompts/batch", {
      type: "poem",
      text: "a\nb",
      priority: 5,
    });

    expect([one.status, batch.status]).toEqual([401, 401]);
    expect((await one.json()).error.message).toContain(
      "Sign in to submit above the normal priority",
    );
    expect(snapshot()).toEqual(before);
    const bearer = { authorization: `Bearer ${adminToken}` };
    const signedIn = await submit(
      "/api/prompts",
      { type: "poem", text: "me first", priority: 50 },
      bearer,
    );
    expect(signedIn.status).toBe(201);
    const { prompt } = await signedIn.json();
    expect(getPrompt(suite.db, prompt.id)?.priority).toBe(50);
  });

  it("refuses a wrong token at sign-in after a delay, setting no cookie", async () => {
    const startedMs = Date.now();

    const response = await login("not-the-admin-token");

    expect(response.status).toBe(401);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(400);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect((await response.json()).error.message).toBe(
      "That token is not ADMIN_TOKEN.",
    );
  });

  it("signs in with the token: an httpOnly, SameSite=Strict cookie that is not the token", async () => {
    const response = await login(adminToken);

    expect(response.status).toBe(204);
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(new RegExp(`^${sessionCookieName}=\\d+\\.`));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Max-Age=604800/);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(setCookie).not.toContain(adminToken);
  });

  it("marks the cookie Secure when served over https", async () => {
    const response = await login(adminToken, { "x-forwarded-proto": "https" });

    expect(response.headers.get("set-cookie")).toMatch(/; Secure/i);
  });

  it("accepts the sign-in cookie for changes, the admin page and GET /api/auth", async () => {
    const cookie = sessionCookieOf(await login(adminToken));

    const state = await (await send("GET", "/api/auth", { cookie })).json();
    const signedOut = await (await send("GET", "/api/auth")).json();
    const admin = await send("GET", "/admin", { cookie });
    const cancelled = await send("POST", `/api/prompts/${ids.queued}/cancel`, {
      cookie,
    });

    expect(state).toEqual({ required: true, signedIn: true });
    expect(signedOut).toEqual({ required: true, signedIn: false });
    expect(admin.status).toBe(200);
    expect(cancelled.status).toBe(200);
    expect(getPrompt(suite.db, ids.queued)?.status).toBe("cancelled");
  });

  it("sends a browser that is not signed in from /admin to the sign-in page", async () => {
    const response = await send("GET", "/admin");

    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/login?next=%2Fadmin");
    expect((await send("GET", "/login?next=%2Fadmin")).status).toBe(200);
  });

  it("signs out by clearing the cookie", async () => {
    const response = await send("POST", "/api/auth/logout");

    expect(response.status).toBe(204);
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(new RegExp(`^${sessionCookieName}=;`));
    expect(setCookie).toMatch(/Max-Age=0/);
  });

  it.each([
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
  ])(
    "refuses a change with %s (403) even when signed in",
    async (_n, foreign) => {
      const running = createPrompt(suite.db, {
        type: "poem",
        text: "held",
        priority: 100,
      });
      claimNextPrompt(suite.db, { workerId: "test", leaseMs: 600_000 });
      expect(getPrompt(suite.db, running.id)?.status).toBe("processing");
      const before = snapshot();

      const requeued = await send(
        "POST",
        `/api/prompts/${running.id}/requeue`,
        {
          authorization: `Bearer ${adminToken}`,
          ...foreign,
        },
      );
      const signIn = await login(adminToken, foreign);

      expect([requeued.status, signIn.status]).toEqual([403, 403]);
      expect((await requeued.json()).error.code).toBe("forbidden");
      expect(signIn.headers.get("set-cookie")).toBeNull();
      expect(snapshot()).toEqual(before);
    },
  );

  it("sends security headers with pages and API answers", async () => {
    const cookie = sessionCookieOf(await login(adminToken));
    const answers = await Promise.all([
      send("GET", "/"),
      send("GET", "/admin", { cookie }),
      send("GET", "/login"),
      send("GET", "/api/stats"),
      send("POST", "/api/prompts/1/requeue"),
    ]);

    for (const answer of answers) {
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("referrer-policy")).toBe("same-origin");
      expect(answer.headers.get("content-security-policy")).toContain(
        "frame-ancestors 'none'",
      );
    }
    const pagePolicies = answers
      .slice(0, 3)
      .map((a) => a.headers.get("content-security-policy") ?? "");
    for (const policy of pagePolicies) {
      expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
      expect(policy).not.toContain("unsafe-inline' 'nonce");
    }
    // A fresh nonce per page view.
    expect(pagePolicies[0]).not.toBe(
      (await send("GET", "/")).headers.get("content-security-policy"),
    );
    expect(answers[3].headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });
});

// With no ADMIN_TOKEN (on 127.0.0.1), everything stays open as before.
describe("access without ADMIN_TOKEN", () => {
  let running = 0;
  const suite = useAppSuite((db) => {
    running = createPrompt(db, {
      type: "poem",
      text: "running",
      priority: 1,
    }).id;
    claimNextPrompt(db, { workerId: "test", leaseMs: 600_000 });
  });
  const url = (path: string) => `${suite.app.baseUrl}${path}`;

  it("lets changes through without signing in, and says sign-in is off", async () => {
    const requeued = await fetch(url(`/api/prompts/${running}/requeue`), {
      method: "POST",
    });
    const state = await (await fetch(url("/api/auth"))).json();
    const admin = await fetch(url("/admin"), { redirect: "manual" });
    const signIn = await fetch(url("/api/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "anything-at-all-here" }),
    });

    expect(requeued.status).toBe(200);
    expect(getPrompt(suite.db, running)?.status).toBe("unprocessed");
    expect(state).toEqual({ required: false, signedIn: false });
    expect(admin.status).toBe(200);
    expect(signIn.status).toBe(409);
    expect((await signIn.json()).error.message).toContain(
      "ADMIN_TOKEN is not set",
    );
  });
});

/** A request with the Host header a rebinding page's browser would send. */
function sendWithHost(
  baseUrl: string,
  path: string,
  host: string,
  method = "GET",
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname, port, path, method, headers: { host } },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

describe("host names the app answers to", () => {
  let queued = 0;
  const suite = useAppSuite((db, workspace) => {
    workspace.env.ALLOWED_HOSTS = "poets.lan, [fd00::5]";
    queued = createPrompt(db, { type: "poem", text: "q", priority: 0 }).id;
  });
  const port = () => new URL(suite.app.baseUrl).port;

  it("refuses pages and API calls under a foreign Host (DNS rebinding), changing nothing", async () => {
    const foreign = `evil.example:${port()}`;

    const list = await sendWithHost(suite.app.baseUrl, "/api/prompts", foreign);
    const page = await sendWithHost(suite.app.baseUrl, "/", foreign);
    const cancel = await sendWithHost(
      suite.app.baseUrl,
      `/api/prompts/${queued}/cancel`,
      foreign,
      "POST",
    );

    for (const answer of [list, page, cancel]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("Poets does not answer to the host name");
      expect(answer.body).toContain("evil.example");
    }
    expect(JSON.parse(list.body).error.code).toBe("forbidden");
    expect(getPrompt(suite.db, queued)?.status).toBe("unprocessed");
  });

  it("answers under loopback names and the names in ALLOWED_HOSTS", async () => {
    for (const host of [
      `127.0.0.1:${port()}`,
      `localhost:${port()}`,
      `[::1]:${port()}`,
      `POETS.lan:${port()}`,
      "poets.lan",
      `[fd00::5]:${port()}`,
    ]) {
      const answer = await sendWithHost(suite.app.baseUrl, "/api/stats", host);
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
  });
});
