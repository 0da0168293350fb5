import pino from "pino";

const isPretty =
  process.env.LOG_FORMAT === "pretty" ||
  (process.env.LOG_FORMAT !== "json" && process.stdout.isTTY === true);

// A bad LOG_LEVEL must not crash the import: configuration parsing reports it.
const level =
  process.env.LOG_LEVEL && process.env.LOG_LEVEL in pino.levels.values
    ? process.env.LOG_LEVEL
    : "info";

/** The one logger. JSON lines unless a person is watching a terminal. */
export const log = pino({
  level,
  base: { pid: process.pid },
  redact: {
    paths: ["*.apiKey", "*.token", "*.authorization", "apiKey", "token"],
    censor: "[redacted]",
  },
  ...(isPretty
    ? { transport: { target: "pino-pretty", options: { colorize: true } } }
    : {}),
});

export type Logger = typeof log;
