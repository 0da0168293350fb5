import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";

// .env fills in what the environment leaves unset; the environment wins.
loadDotenv({ quiet: true });

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

const configSchema = z.object({
  DATABASE_PATH: z.string().trim().min(1).default("./data/poets.db"),
  ARTIFACTS_DIR: z.string().trim().min(1).default("./data/artifacts"),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  LEASE_MS: positiveInt(60_000),
  HEARTBEAT_MS: positiveInt(5_000),
  WORKER_IDLE_MS: positiveInt(250),
  STAGE_TIMEOUT_MS: positiveInt(120_000),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
  STUCK_AFTER_MS: positiveInt(5 * 60_000),
  WORKER_STALE_MS: positiveInt(30_000),
  BUILTIN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
});

export type Config = z.infer<typeof configSchema> & {
  databasePath: string;
  artifactsDir: string;
};

export class ConfigError extends Error {}

/** Parses configuration from an environment, with one line per bad value. */
export function parseConfig(
  env: Record<string, string | undefined> = process.env,
): Config {
  const result = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")),
  );
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return {
    ...result.data,
    databasePath: path.resolve(result.data.DATABASE_PATH),
    artifactsDir: path.resolve(result.data.ARTIFACTS_DIR),
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
