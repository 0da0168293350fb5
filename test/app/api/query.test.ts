import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../helpers/app-suite";

describe("API query strings", () => {
  const suite = useAppSuite();

  const request = (method: string, path: string) =>
    fetch(`${suite.app.baseUrl}${path}`, {
      method,
      ...(method === "POST"
        ? {
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ type: "poem", text: "x" }),
          }
        : {}),
    });

  it.each([
    ["GET", "/api/prompts?colour=red"],
    ["POST", "/api/prompts?colour=red"],
    ["GET", "/api/prompts/1?colour=red"],
    ["POST", "/api/prompts/1/requeue?colour=red"],
    ["GET", "/api/gallery?colour=red"],
    ["GET", "/api/admin/stuck?limit=abc"],
    ["GET", "/api/stats?colour=red"],
    ["GET", "/api/health?colour=red"],
    ["GET", "/api/events?colour=red"],
    ["GET", "/api/artifacts/1?colour=red"],
  ])(
    "refuses %s %s, a key it does not take, with 400",
    async (method, path) => {
      const response = await request(method, path);

      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({
        code: "validation_failed",
        message: expect.stringContaining("Unrecognized key"),
      });
    },
  );

  it("names the query, not the body, as where an unknown key was", async () => {
    const response = await request("GET", "/api/stats?colour=red");

    expect((await response.json()).error.issues).toEqual([
      { path: "(query)", message: 'Unrecognized key: "colour"' },
    ]);
  });

  it.each(["/api/prompts", "/api/gallery"])(
    "refuses a limit on %s that is not plain digits from 1 to 200",
    async (path) => {
      const limits = ["0x2", "1e1", "2.0", "+2", " 2", "02", "0", "201", ""];

      const statuses = await Promise.all(
        limits.map(async (limit) => {
          const response = await request(
            "GET",
            `${path}?limit=${encodeURIComponent(limit)}`,
          );
          await response.arrayBuffer();
          return response.status;
        }),
      );

      expect(statuses).toEqual(limits.map(() => 400));
    },
  );

  it.each(["/api/prompts", "/api/gallery"])(
    "takes limit 1 and 200 on %s",
    async (path) => {
      const statuses = await Promise.all(
        ["1", "200"].map(async (limit) => {
          const response = await request(
            "GET",
            `${path}?limit=${encodeURIComponent(limit)}`,
          );
          await response.arrayBuffer();
          return response.status;
        }),
      );

      expect(statuses).toEqual([200, 200]);
    },
  );
});
