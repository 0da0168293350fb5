import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../helpers/app-suite";

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

// Every route under app/api with the methods it answers.
const routes: [string, string[]][] = [
  ["/api/prompts", ["GET", "POST"]],
  ["/api/prompts/1", ["GET", "PATCH"]],
  ["/api/prompts/1/requeue", ["POST"]],
  ["/api/prompts/1/move-to-top", ["POST"]],
  ["/api/prompts/1/rerender", ["POST"]],
  ["/api/prompts/1/rewrite", ["POST"]],
  ["/api/prompts/batch", ["POST"]],
  ["/api/stages/write/pause", ["POST"]],
  ["/api/stages/render/resume", ["POST"]],
  ["/api/stats", ["GET"]],
  ["/api/gallery", ["GET"]],
  ["/api/admin/stuck", ["GET"]],
  ["/api/events", ["GET"]],
  ["/api/artifacts/1", ["GET"]],
  ["/api/health", ["GET"]],
];

const allowOf = (allowed: string[]) =>
  [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"]
    .sort()
    .join(", ");

const refused = routes.flatMap(([path, allowed]) =>
  methods
    .filter(
      (m) => !allowed.includes(m) && !(m === "HEAD" && allowed.includes("GET")),
    )
    .map((method) => [method, path, allowOf(allowed)]),
);

describe("API methods", () => {
  const suite = useAppSuite();

  it.each(refused)(
    "answers %s %s with a JSON 405 allowing %s",
    async (method, path, allow) => {
      const response = await fetch(`${suite.app.baseUrl}${path}`, { method });

      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      if (method === "HEAD") return;
      expect(response.headers.get("content-type")).toContain(
        "application/json",
      );
      expect((await response.json()).error).toMatchObject({
        code: "method_not_allowed",
        message: expect.stringContaining(method),
      });
    },
  );

  it.each(routes)(
    "answers OPTIONS %s with what it allows",
    async (path, allowed) => {
      const response = await fetch(`${suite.app.baseUrl}${path}`, {
        method: "OPTIONS",
      });

      expect(response.status).toBe(204);
      expect(response.headers.get("allow")).toBe(allowOf(allowed));
    },
  );

  it("refuses a method with a body and keeps the connection usable", async () => {
    const response = await fetch(`${suite.app.baseUrl}/api/stats`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ total: 0 }),
    });
    const next = await fetch(`${suite.app.baseUrl}/api/stats`);

    expect(response.status).toBe(405);
    expect(next.status).toBe(200);
  });

  it.each(["/api", "/api/"])("answers GET %s with a JSON 404", async (path) => {
    const response = await fetch(`${suite.app.baseUrl}${path}`);

    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe("not_found");
  });

  it.each([...methods, "OPTIONS"])(
    "answers %s on an unknown API path with a JSON 404",
    async (method) => {
      const response = await fetch(`${suite.app.baseUrl}/api/nothing-here`, {
        method,
      });

      expect(response.status).toBe(404);
      if (method === "HEAD") return;
      expect((await response.json()).error.code).toBe("not_found");
    },
  );
});
