import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";

// .env fills in what the environment leaves unset; the environment wins.
loadDotenv({ quiet: true });

/** Plain decimal digits only: "1e3" and "0x10" are typing mistakes here. */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string({ error: `must be a whole number from ${min} to ${max}` })
    .trim()
    .refine(
      (v) => /^-?[0-9]{1,16}$/.test(v) && +v >= min && +v <= max,
      `must be a whole number from ${min} to ${max}`,
    )
    .transform(Number)
    .default(fallback);

const durationMs = (fallback: number, min = 1) =>
  wholeNumber(min, 24 * 3600 * 1000, fallback);

/**
 * What is wrong with a base URL, or null. A path prefix is fine (a reverse
 * proxy may serve the server under /comfy); a query string or fragment would
 * end up in the middle of every request's URL.
 */
function findBaseUrlProblem(
  value: string,
  name: string,
  allowsCredentials: boolean,
): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} must be an http:// or https:// URL`;
  }
  if (!["http:", "https:"].includes(url.protocol)) {
    return `${name} must be an http:// or https:// URL`;
  }
  if (value.includes("?")) {
    return `${name} must be a base URL without a query string ("?...")`;
  }
  if (value.includes("#")) {
    return `${name} must be a base URL without a fragment ("#...")`;
  }
  if (!allowsCredentials && (url.username || url.password)) {
    return (
      `${name} must be a URL without a user name or password ` +
      "(requests cannot carry them in the URL)"
    );
  }
  return null;
}

/**
 * One spelling per URL, so that a server is recognised however it is
 * written: the WHATWG form (lower-case scheme and host, no default port,
 * dot segments resolved) without a trailing slash.
 */
function normaliseBaseUrl(value: string): string {
  return new URL(value).href.replace(/\/+$/, "");
}

/** An http(s) base URL in its normal form (see normaliseBaseUrl). */
const baseUrl = (name: string, { allowsCredentials = true } = {}) =>
  z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = findBaseUrlProblem(value, name, allowsCredentials);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .transform(normaliseBaseUrl);

/**
 * A comma-separated list of ComfyUI base URLs, each in its normal form and
 * named once. An empty item is refused rather than skipped: a stray comma
 * often marks a URL that went missing while editing.
 */
const baseUrlList = z
  .string()
  .trim()
  .transform((v) => v.split(",").map((url) => url.trim()))
  .superRefine((items, context) => {
    if (items.every((item) => item === "")) {
      context.addIssue({
        code: "custom",
        message: "must name at least one URL",
      });
      return;
    }
    items.forEach((item, i) => {
      const problem =
        item === ""
          ? "is empty: remove the extra comma, or put the URL it stands for"
          : findBaseUrlProblem(item, "each ComfyUI server", false);
      if (problem)
        context.addIssue({ code: "custom", path: [i], message: problem });
    });
    const repeat = findRepeatedServer(items);
    if (repeat) context.addIssue({ code: "custom", message: repeat });
  })
  .transform((items) => items.map(normaliseBaseUrl));

/** Names the first server two items spell alike once normalised, or null. */
function findRepeatedServer(items: string[]): string | null {
  const firstItemByUrl = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    if (!URL.canParse(item)) continue;
    const url = normaliseBaseUrl(item);
    const first = firstItemByUrl.get(url);
    if (first !== undefined) {
      return `names a server twice: items ${first + 1} and ${i + 1} are both ${url}`;
    }
    firstItemByUrl.set(url, i);
  }
  return null;
}

const logLevels = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
] as const;

const configSchema = z
  .object({
    DATABASE_PATH: z.string().trim().min(1).default("./data/poets.db"),
    ARTIFACTS_DIR: z.string().trim().min(1).default("./data/artifacts"),
    RUN_DIR: z.string().trim().min(1).default("./data/run"),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: wholeNumber(1, 65535, 3000),
    ADMIN_TOKEN: z
      .string()
      .trim()
      .min(
        16,
        "must be at least 16 characters: a long random value, such as " +
          "the output of `openssl rand -hex 24`",
      )
      .optional(),
    ALLOWED_HOSTS: z
      .string()
      .trim()
      .transform((value) =>
        value
          .split(",")
          .map((name) => name.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/,
              "each name must be a host name or address without a port",
            ),
        ),
      )
      .optional(),
    LOG_LEVEL: z
      .enum(logLevels, { error: `must be one of ${logLevels.join(", ")}` })
      .default("info"),
    LEASE_MS: durationMs(60_000),
    HEARTBEAT_MS: durationMs(5_000),
    WORKER_IDLE_MS: durationMs(250),
    STAGE_TIMEOUT_MS: durationMs(300_000),
    SHUTDOWN_GRACE_MS: durationMs(10_000),
    STUCK_AFTER_MS: durationMs(5 * 60_000),
    WORKER_STALE_MS: durationMs(30_000),
    BUILTIN_DELAY_MS: wholeNumber(0, 60_000, 1000),
    MAX_ATTEMPTS: wholeNumber(1, 100, 5),
    RETRY_BASE_MS: durationMs(2_000),
    RETRY_MAX_MS: durationMs(5 * 60_000),
    UNREACHABLE_RETRY_MS: durationMs(5_000),
    WRITE_CONCURRENCY: wholeNumber(1, 64, 1),
    RENDER_CONCURRENCY: wholeNumber(1, 64, 1),
    LLM_BASE_URL: baseUrl("LLM_BASE_URL").optional(),
    LLM_MODEL: z.string().trim().min(1).optional(),
    // Defaults to "not-needed" after the checks, which must see it unset.
    LLM_API_KEY: z.string().trim().min(1).optional(),
    LLM_TIMEOUT_MS: durationMs(90_000),
    LLM_MAX_TOKENS: wholeNumber(16, 1_000_000, 1024),
    WRITING_CONFIG: z.string().trim().min(1).default("./writing.config.json"),
    COMFYUI_URL: baseUrlList.optional(),
    COMFYUI_JOBS_PER_SERVER: wholeNumber(1, 64, 1),
    COMFYUI_WORKFLOWS_DIR: z.string().trim().min(1).default("./workflows"),
    COMFYUI_TIMEOUT_MS: durationMs(600_000),
    COMFYUI_POLL_MS: durationMs(2_000, 10),
    COMFYUI_HEALTH_MS: durationMs(5_000, 10),
    LOG_FORMAT: z
      .enum(["json", "pretty"], { error: "must be json or pretty" })
      .optional(),
  })
  .superRefine((c, context) => {
    // Runs even when a field failed; compare only values that parsed.
    const isParsed = (...values: unknown[]) =>
      values.every((v) => typeof v === "number");
    if (!isParsed(c.LEASE_MS, c.HEARTBEAT_MS, c.WORKER_STALE_MS)) return;
    if (c.HEARTBEAT_MS * 2 > c.LEASE_MS) {
      context.addIssue({
        code: "custom",
        path: ["HEARTBEAT_MS"],
        message:
          `${c.HEARTBEAT_MS} ms must be at most half of LEASE_MS ` +
          `(${c.LEASE_MS} ms), or leases expire between beats`,
      });
    }
    if (c.WORKER_STALE_MS < c.HEARTBEAT_MS * 2) {
      context.addIssue({
        code: "custom",
        path: ["WORKER_STALE_MS"],
        message:
          `${c.WORKER_STALE_MS} ms must be at least twice HEARTBEAT_MS ` +
          `(${c.HEARTBEAT_MS} ms), or live workers are shown as dead between beats`,
      });
    }
    if (c.LLM_BASE_URL && !c.LLM_MODEL) {
      context.addIssue({
        code: "custom",
        path: ["LLM_MODEL"],
        message:
          "is required with LLM_BASE_URL: name the model to write with " +
          "(for Ollama, one that `ollama list` shows)",
      });
    }
    // Without LLM_BASE_URL the built-in writer runs and would ignore these.
    for (const name of ["LLM_MODEL", "LLM_API_KEY"] as const) {
      if (c[name] && !c.LLM_BASE_URL) {
        context.addIssue({
          code: "custom",
          path: [name],
          message:
            "is set but LLM_BASE_URL is not, so the built-in writer would " +
            `ignore it: set LLM_BASE_URL to the model server, or unset ${name}`,
        });
      }
    }
    if (
      c.LLM_BASE_URL &&
      isParsed(c.LLM_TIMEOUT_MS, c.STAGE_TIMEOUT_MS) &&
      c.LLM_TIMEOUT_MS > c.STAGE_TIMEOUT_MS
    ) {
      context.addIssue({
        code: "custom",
        path: ["LLM_TIMEOUT_MS"],
        message:
          `${c.LLM_TIMEOUT_MS} ms must be at most STAGE_TIMEOUT_MS ` +
          `(${c.STAGE_TIMEOUT_MS} ms), or the stage ends before the request`,
      });
    }
    if (c.RETRY_MAX_MS < c.RETRY_BASE_MS) {
      context.addIssue({
        code: "custom",
        path: ["RETRY_MAX_MS"],
        message:
          `${c.RETRY_MAX_MS} ms must be at least RETRY_BASE_MS ` +
          `(${c.RETRY_BASE_MS} ms)`,
      });
    }
  })
  .transform((c) => ({ ...c, LLM_API_KEY: c.LLM_API_KEY ?? "not-needed" }));

export type Config = z.infer<typeof configSchema> & {
  databasePath: string;
  artifactsDir: string;
  runDir: string;
  writingConfigPath: string;
  workflowsDir: string;
};

export class ConfigError extends Error {}

const secretNames = new Set(["LLM_API_KEY", "ADMIN_TOKEN"]);

/** A bad value as an error shows it: never a key, nor a password in a URL. */
function showGiven(name: string, value: string | undefined): string {
  if (!value) return " (default)";
  if (secretNames.has(name)) return " (set, not shown)";
  const masked = value.replace(/(\/\/[^/?#@,]*?:)[^/?#@,]*@/g, "$1***@");
  return `=${JSON.stringify(masked)}`;
}

/** Parses configuration from an environment, with one line per bad value. */
export function parseConfig(
  env: Record<string, string | undefined> = process.env,
): Config {
  const result = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")),
  );
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const given = showGiven(name, env[name]);
      const item =
        issue.path.length > 1 ? ` (item ${Number(issue.path[1]) + 1})` : "";
      return `  ${name}${given}${item}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return {
    ...result.data,
    databasePath: path.resolve(result.data.DATABASE_PATH),
    artifactsDir: path.resolve(result.data.ARTIFACTS_DIR),
    runDir: path.resolve(result.data.RUN_DIR),
    writingConfigPath: path.resolve(result.data.WRITING_CONFIG),
    workflowsDir: path.resolve(result.data.COMFYUI_WORKFLOWS_DIR),
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed once. */
export function getConfig(): Config {
  cached ??= parseConfig();
  return cached;
}

/** For a process's start: the configuration, or exit 1 naming each bad value. */
export function getConfigOrExit(): Config {
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
