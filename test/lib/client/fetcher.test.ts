import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchJson } from "@/lib/client/fetcher";

// A server on 127.0.0.1 that takes requests and answers none of them.
describe("fetchJson against a server that hangs", () => {
  let server: http.Server;
  let base: string;
  const held: http.ServerResponse[] = [];
  beforeEach(async () => {
    server = http.createServer((_request, response) => held.push(response));
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    for (const response of held.splice(0)) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("fails a read after its timeout instead of waiting forever", async () => {
    const started = Date.now();

    const read = fetchJson(`${base}/api/prompts`, { timeoutMs: 200 });

    await expect(read).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(held).toHaveLength(1);
  });

  it("leaves a change to finish: it may already have happened", async () => {
    const change = fetchJson(`${base}/api/prompts/1/cancel`, {
      method: "POST",
      timeoutMs: 200,
    });
    const outcome = await Promise.race([
      change.then(
        () => "answered",
        () => "failed",
      ),
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 600)),
    ]);

    expect(outcome).toBe("waiting");
    for (const response of held.splice(0)) {
      response.writeHead(204).end();
    }
    await expect(change).resolves.toBeUndefined();
  });
});
