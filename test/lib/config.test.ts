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
      /PORT="eighty": must be a whole number.*\n.*LEASE_MS="-5": must be/,
    );
  });

  it("takes plain decimal numbers only, with one line per bad value", () => {
    for (const value of ["1e3", "0x10", "2.5", " ", "99999999999999999999"]) {
      expect(() => parseConfig({ LEASE_MS: `${value}x` })).toThrow(/LEASE_MS=/);
      expect(() => parseConfig({ LEASE_MS: value })).toThrow(
        /^Invalid configuration:\n  LEASE_MS="[^"]*": must be a whole number from 1 to 86400000$/,
      );
    }
    expect(parseConfig({ LEASE_MS: " 90000 " }).LEASE_MS).toBe(90_000);
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ PORT: "" }).PORT).toBe(3000);
  });

  it("refuses an unknown log level and a heartbeat too slow for the lease", () => {
    expect(() => parseConfig({ LOG_LEVEL: "verbose" })).toThrow(
      /LOG_LEVEL="verbose": must be one of/,
    );
    expect(() =>
      parseConfig({ LEASE_MS: "8000", HEARTBEAT_MS: "5000" }),
    ).toThrow(
      /HEARTBEAT_MS="5000": 5000 ms must be at most half of LEASE_MS \(8000 ms\)/,
    );
    expect(() =>
      parseConfig({ HEARTBEAT_MS: "5000", WORKER_STALE_MS: "6000" }),
    ).toThrow(/WORKER_STALE_MS="6000": 6000 ms must be at least twice/);
  });

  it("says a default is at fault when the variable was not set", () => {
    expect(() => parseConfig({ LEASE_MS: "8000" })).toThrow(
      /HEARTBEAT_MS \(default\): 5000 ms must be at most half of LEASE_MS \(8000 ms\)/,
    );
  });

  it("defaults retries and per-stage concurrency", () => {
    expect(parseConfig({})).toMatchObject({
      MAX_ATTEMPTS: 5,
      RETRY_BASE_MS: 2000,
      RETRY_MAX_MS: 300_000,
      UNREACHABLE_RETRY_MS: 5000,
      WRITE_CONCURRENCY: 1,
      RENDER_CONCURRENCY: 1,
    });
  });

  it("refuses no concurrency and a retry cap below its base", () => {
    expect(() => parseConfig({ RENDER_CONCURRENCY: "0" })).toThrow(
      /RENDER_CONCURRENCY="0": must be a whole number from 1 to 64/,
    );
    expect(() => parseConfig({ RETRY_MAX_MS: "1000" })).toThrow(
      /RETRY_MAX_MS="1000": 1000 ms must be at least RETRY_BASE_MS \(2000 ms\)/,
    );
  });
});
