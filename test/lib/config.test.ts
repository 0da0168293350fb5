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

  it("refuses a ComfyUI URL with a query string, fragment or password, naming the item", () => {
    const cases = [
      ["http://gpu2:8188/?token=1", /without a query string/],
      ["http://gpu2:8188/comfy#top", /without a fragment/],
      ["http://me:secret@gpu2:8188", /without a user name or password/],
      ["http://me@gpu2:8188", /without a user name or password/],
    ] as const;

    for (const [url, message] of cases) {
      const parse = () =>
        parseConfig({ COMFYUI_URL: `http://127.0.0.1:8188,${url}` });

      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(
        /^Invalid configuration:\n  COMFYUI_URL="[^\n]*" \(item 2\): each ComfyUI server must be [^\n]*$/,
      );
      expect(parse).toThrow(message);
    }
  });

  it("takes ComfyUI URLs with a path prefix, dropping a trailing slash", () => {
    const config = parseConfig({
      COMFYUI_URL: " http://127.0.0.1:8188/ , https://proxy.lan/comfy/ ",
    });

    expect(config.COMFYUI_URL).toEqual([
      "http://127.0.0.1:8188",
      "https://proxy.lan/comfy",
    ]);
  });

  it("stores each ComfyUI URL in its normal form", () => {
    const config = parseConfig({
      COMFYUI_URL: "HTTP://GPU2:80/comfy/./,https://Proxy.lan:443/a/../b/",
    });

    expect(config.COMFYUI_URL).toEqual([
      "http://gpu2/comfy",
      "https://proxy.lan/b",
    ]);
  });

  it("refuses one server spelled two ways, naming both items", () => {
    for (const second of [
      "HTTP://127.0.0.1:39998",
      "http://127.0.0.1:39998/.",
      "http://127.0.0.1:39998/comfy/..",
    ]) {
      const parse = () =>
        parseConfig({ COMFYUI_URL: `http://127.0.0.1:39998,${second}` });

      expect(parse).toThrow(
        /^Invalid configuration:\n  COMFYUI_URL="[^"]*": names a server twice: items 1 and 2 are both http:\/\/127\.0\.0\.1:39998$/,
      );
    }
  });

  it("refuses an empty item from a stray comma, naming the item", () => {
    for (const [list, item] of [
      ["http://a:1,", 2],
      [",http://a:1", 1],
      ["http://a:1, ,http://b:2", 2],
    ] as const) {
      expect(() => parseConfig({ COMFYUI_URL: list })).toThrow(
        new RegExp(
          `^Invalid configuration:\\n  COMFYUI_URL="[^"]*" \\(item ${item}\\): is empty: remove the extra comma`,
        ),
      );
    }
  });

  it("still refuses other schemes, a repeated server and an empty list", () => {
    expect(() => parseConfig({ COMFYUI_URL: "ws://gpu:8188" })).toThrow(
      /COMFYUI_URL="ws:\/\/gpu:8188" \(item 1\): each ComfyUI server must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() =>
      parseConfig({ COMFYUI_URL: "http://gpu:8188,http://gpu:8188/" }),
    ).toThrow(/COMFYUI_URL="[^"]*": names a server twice/);
    expect(() => parseConfig({ COMFYUI_URL: " , " })).toThrow(
      /COMFYUI_URL=" , ": must name at least one URL/,
    );
  });

  it("shows no password from a URL and no API key in its errors", () => {
    const message = (env: Record<string, string>) => {
      try {
        parseConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("expected a ConfigError");
    };

    const comfy = message({ COMFYUI_URL: "http://me:hunter2@gpu:8188" });
    const llm = message({
      LLM_BASE_URL: "http://me:hunter2@llm/v1?x=1",
      LLM_MODEL: "m",
    });
    const key = message({ LLM_API_KEY: "sk-hunter2" });

    expect(comfy).toContain('COMFYUI_URL="http://me:***@gpu:8188"');
    expect(llm).toContain('LLM_BASE_URL="http://me:***@llm/v1?x=1"');
    expect(key).toContain("LLM_API_KEY (set, not shown): is set");
    expect([comfy, llm, key].join("\n")).not.toContain("hunter2");
  });

  it("refuses LLM_MODEL or LLM_API_KEY without LLM_BASE_URL", () => {
    expect(() => parseConfig({ LLM_MODEL: "llama3.1:8b" })).toThrow(
      /^Invalid configuration:\n  LLM_MODEL="llama3.1:8b": is set but LLM_BASE_URL is not, [^\n]*unset LLM_MODEL$/,
    );
    expect(() => parseConfig({ LLM_API_KEY: "sk-1" })).toThrow(
      /^Invalid configuration:\n  LLM_API_KEY \(set, not shown\): is set but LLM_BASE_URL is not, [^\n]*unset LLM_API_KEY$/,
    );
  });

  it("blames a bad LLM_BASE_URL alone, not the model set with it", () => {
    expect(() =>
      parseConfig({ LLM_BASE_URL: "localhost:11434", LLM_MODEL: "m" }),
    ).toThrow(
      /^Invalid configuration:\n  LLM_BASE_URL="localhost:11434": LLM_BASE_URL must be an http:\/\/ or https:\/\/ URL$/,
    );
  });

  it("refuses an LLM_BASE_URL with a query string or fragment", () => {
    for (const url of ["http://llm/v1?api-version=1", "http://llm/v1#x"]) {
      expect(() => parseConfig({ LLM_BASE_URL: url, LLM_MODEL: "m" })).toThrow(
        /LLM_BASE_URL="[^"]*": LLM_BASE_URL must be a base URL without/,
      );
    }
  });

  it("takes a full language model setting, defaulting the API key", () => {
    const llm = (env: Record<string, string>) =>
      parseConfig({
        LLM_BASE_URL: "https://llm.lan/v1/",
        LLM_MODEL: "m",
        ...env,
      });

    expect(llm({})).toMatchObject({
      LLM_BASE_URL: "https://llm.lan/v1",
      LLM_MODEL: "m",
      LLM_API_KEY: "not-needed",
    });
    expect(llm({ LLM_API_KEY: "sk-1" }).LLM_API_KEY).toBe("sk-1");
    expect(parseConfig({}).LLM_API_KEY).toBe("not-needed");
  });

  it("reads ALLOWED_HOSTS as lower-case names and refuses one with a port", () => {
    expect(
      parseConfig({ ALLOWED_HOSTS: " Poets.LAN, [fd00::5] " }).ALLOWED_HOSTS,
    ).toEqual(["poets.lan", "[fd00::5]"]);
    expect(() => parseConfig({ ALLOWED_HOSTS: "poets.lan:3000" })).toThrow(
      /ALLOWED_HOSTS.*host name or address without a port/,
    );
    expect(parseConfig({}).ALLOWED_HOSTS).toBeUndefined();
  });
});
