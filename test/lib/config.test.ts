import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";

describe("parseConfig", () => {
  it("uses built-in defaults with an absolute database path", () => {
    const config = parseConfig({});

    expect(config).toMatchObject({ HOST: "127.0.0.1", PORT: 3000 });
    expect(config.databasePath).toBe(path.resolve("data/poets.db"));
    expect(path.isAbsolute(config.artifactsDir)).toBe(true);
  });

  it("names every bad value", () => {
    expect(() => parseConfig({ PORT: "eighty", LEASE_MS: "-5" })).toThrow(
      ConfigError,
    );
    expect(() => parseConfig({ PORT: "eighty", LEASE_MS: "-5" })).toThrow(
      /PORT:.*\n.*LEASE_MS:/s,
    );
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ PORT: "" }).PORT).toBe(3000);
  });
});
