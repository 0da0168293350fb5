import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) =>
  fs.readFileSync(path.join(root, "deploy", file), "utf8");
const graceSeconds = parseConfig({}).SHUTDOWN_GRACE_MS / 1000;

/** The [Service] settings of a systemd unit (a later line wins). */
function serviceSettings(unit: string): Record<string, string> {
  const settings: Record<string, string> = {};
  let section = "";
  for (const raw of unit.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    else if (section === "Service") {
      const at = line.indexOf("=");
      settings[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return settings;
}

type PlistValue = string | number | boolean | PlistValue[] | PlistDict;
type PlistDict = { [key: string]: PlistValue };

/** Parses the plist subset launchd jobs use; throws on anything malformed. */
function parsePlist(xml: string): PlistDict {
  const body = xml
    .replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, "")
    .trim();
  const tokens = body.match(/<[^>]+>|[^<]+/g)!.filter((t) => t.trim());
  let at = 0;
  const take = (tag: string) => {
    if (tokens[at++] !== tag) throw new Error(`expected ${tag} at ${at}`);
  };
  const text = (tag: string) => {
    const value = tokens[at]?.startsWith("<") ? "" : tokens[at++];
    take(`</${tag}>`);
    return value;
  };
  const value = (): PlistValue => {
    const tag = tokens[at++];
    if (tag === "<true/>" || tag === "<false/>") return tag === "<true/>";
    if (tag === "<string>") return text("string");
    if (tag === "<integer>") return Number(text("integer"));
    if (tag === "<array>") {
      const items: PlistValue[] = [];
      while (tokens[at] !== "</array>") items.push(value());
      at++;
      return items;
    }
    if (tag === "<dict>") {
      const dict: PlistDict = {};
      while (tokens[at] !== "</dict>") {
        take("<key>");
        const key = text("key");
        dict[key] = value();
      }
      at++;
      return dict;
    }
    throw new Error(`unexpected ${tag}`);
  };
  take('<plist version="1.0">');
  const top = value() as PlistDict;
  take("</plist>");
  return top;
}

/** Checks that node's arguments name a script, and a loader, in the repo. */
function expectNodeCommand(args: string[]) {
  expect(path.isAbsolute(args[0])).toBe(true);
  expect(path.basename(args[0])).toBe("node");
  const loader = args.indexOf("--import");
  if (loader !== -1) {
    const name = args[loader + 1];
    expect(fs.existsSync(path.join(root, "node_modules", name))).toBe(true);
  }
  const script = args.find(
    (a, i) => i > 0 && !a.startsWith("-") && i !== loader + 1,
  );
  expect(script).toBeDefined();
  expect(fs.statSync(path.join(root, script!)).isFile()).toBe(true);
}

describe("deploy/poets-worker.service", () => {
  const service = serviceSettings(read("poets-worker.service"));

  it("runs node on the worker from the project folder, which holds .env", () => {
    expect(service.WorkingDirectory).toMatch(/^\//);
    // systemd's own parsing of .env differs from the process's (#3 review).
    expect(service.EnvironmentFile).toBeUndefined();
    expectNodeCommand(service.ExecStart.split(/\s+/));
    expect(service.ExecStart).toContain("worker/main.ts");
  });

  it("restarts on failure, stops with SIGTERM after the grace period and logs to the journal", () => {
    expect(service.Restart).toBe("on-failure");
    expect(service.KillSignal).toBe("SIGTERM");
    expect(Number(service.TimeoutStopSec)).toBeGreaterThan(graceSeconds);
    expect(service.StandardOutput).toBe("journal");
    expect(service.StandardError).toBe("journal");
  });
});

describe("deploy/poets-web.service", () => {
  const service = serviceSettings(read("poets-web.service"));

  it("runs next start with node from the project folder", () => {
    expect(service.WorkingDirectory).toMatch(/^\//);
    const args = service.ExecStart.split(/\s+/);
    expectNodeCommand(args);
    expect(args).toEqual(expect.arrayContaining(["start", "-H"]));
    expect(service.Restart).toBe("on-failure");
    expect(service.StandardOutput).toBe("journal");
  });
});

describe("deploy/com.poets.worker.plist", () => {
  const job = parsePlist(read("com.poets.worker.plist"));

  it("runs node on the worker from the project folder", () => {
    expect(job.Label).toBe("com.poets.worker");
    expect(job.WorkingDirectory).toMatch(/^\//);
    expectNodeCommand(job.ProgramArguments as string[]);
    expect(job.ProgramArguments).toContain("worker/main.ts");
  });

  it("keeps the worker alive, logs to files and waits out the grace period", () => {
    expect(job.KeepAlive).toEqual({ SuccessfulExit: false });
    expect(job.StandardOutPath).toMatch(/^\/.*\.log$/);
    expect(job.StandardErrorPath).toMatch(/^\/.*\.log$/);
    expect(job.EnvironmentVariables).toMatchObject({ NODE_ENV: "production" });
    expect(job.ExitTimeOut).toBeGreaterThan(graceSeconds);
  });
});

describe("the worker command the units run", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("drains the queue with --once and exits 0", () => {
    workspace = makeWorkspace();
    const args = serviceSettings(read("poets-worker.service"))
      .ExecStart.split(/\s+/)
      .slice(1);

    const result = spawnSync(process.execPath, [...args, "--once"], {
      cwd: root,
      env: { ...process.env, ...workspace.env },
      encoding: "utf8",
    });

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
