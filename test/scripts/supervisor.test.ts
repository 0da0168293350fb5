import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { supervise, type SupervisedCommand } from "@/scripts/supervisor";
import { isAlive, waitFor } from "../helpers/processes";

// Real child processes, each counting its starts in a file of its own.
describe("supervise", () => {
  let dir: string;
  let output: string;
  let stream: PassThrough;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "poets-supervise-"));
    output = "";
    stream = new PassThrough();
    stream.on("data", (chunk) => (output += chunk));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A node one-liner that records each start, then runs `body`. */
  const command = (name: string, body: string): SupervisedCommand => {
    const starts = path.join(dir, name);
    const script = `require("fs").appendFileSync(${JSON.stringify(starts)}, process.pid + "\\n"); ${body}`;
    return { name, command: `"${process.execPath}" -e '${script}'` };
  };
  const startsOf = (name: string) => {
    try {
      return fs
        .readFileSync(path.join(dir, name), "utf8")
        .trim()
        .split("\n")
        .map(Number);
    } catch {
      return [];
    }
  };
  const forever = "setInterval(() => {}, 1000);";

  it("starts a crashed process again, then stops everything and fails", async () => {
    const { exitCode } = supervise(
      [command("crasher", "process.exit(3);"), command("steady", forever)],
      {
        cwd: dir,
        maxRestarts: 2,
        restartWindowMs: 60_000,
        restartDelayMs: 50,
        outputStream: stream,
      },
    );

    expect(await exitCode).toBe(1);
    expect(startsOf("crasher")).toHaveLength(3);
    expect(startsOf("steady")).toHaveLength(1);
    await waitFor(() => !isAlive(startsOf("steady")[0]), 5000);
    expect(output).toMatch(/restart 2 of 2 allowed in 60 s/);
    expect(output).toMatch(/after 2 restarts in 60 s; stopping everything/);
  });

  it("never stops for crashes spaced further apart than the window", async () => {
    // Up 400 ms each time, so every restart is outside the last one's window.
    const { exitCode } = supervise(
      [
        command("flaky", "setTimeout(() => process.exit(3), 400);"),
        command("steady", forever),
      ],
      {
        cwd: dir,
        maxRestarts: 1,
        restartWindowMs: 300,
        restartDelayMs: 10,
        signals: ["SIGUSR2"],
        outputStream: stream,
      },
    );
    await waitFor(() => startsOf("flaky").length >= 5, 10_000);

    process.kill(process.pid, "SIGUSR2");

    expect(await exitCode).toBe(0);
    expect(startsOf("steady")).toHaveLength(1);
    expect(output).not.toMatch(/stopping everything/);
    expect(
      output.match(/restart 1 of 1 allowed/g)?.length,
    ).toBeGreaterThanOrEqual(4);
  });

  it("still stops on a burst of crashes inside the window", async () => {
    // Up 50 ms each time: the second crash comes well inside the window.
    const { exitCode } = supervise(
      [
        command("flaky", "setTimeout(() => process.exit(3), 50);"),
        command("steady", forever),
      ],
      {
        cwd: dir,
        maxRestarts: 1,
        restartWindowMs: 5000,
        restartDelayMs: 10,
        outputStream: stream,
      },
    );

    expect(await exitCode).toBe(1);
    expect(startsOf("flaky")).toHaveLength(2);
    await waitFor(() => !isAlive(startsOf("steady")[0]), 5000);
    expect(output).toMatch(/after 1 restarts in 5 s; stopping everything/);
  });

  it("treats a process that exits 0 on its own as a crash", async () => {
    const { exitCode } = supervise(
      [command("quitter", "process.exit(0);"), command("steady", forever)],
      {
        cwd: dir,
        maxRestarts: 1,
        restartWindowMs: 60_000,
        restartDelayMs: 10,
        outputStream: stream,
      },
    );

    expect(await exitCode).toBe(1);
    expect(startsOf("quitter")).toHaveLength(2);
  });

  it("stops every process on a signal, succeeds, and starts nothing again", async () => {
    const { exitCode } = supervise(
      [command("a", forever), command("b", forever)],
      {
        cwd: dir,
        maxRestarts: 5,
        restartWindowMs: 60_000,
        restartDelayMs: 50,
        signals: ["SIGUSR2"],
        outputStream: stream,
      },
    );
    await waitFor(
      () => startsOf("a").length === 1 && startsOf("b").length === 1,
      10_000,
    );

    process.kill(process.pid, "SIGUSR2");

    expect(await exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(startsOf("a")).toHaveLength(1);
    expect(startsOf("b")).toHaveLength(1);
    await waitFor(
      () => ![...startsOf("a"), ...startsOf("b")].some(isAlive),
      5000,
    );
    expect(process.listenerCount("SIGUSR2")).toBe(0);
  });

  it("cancels a restart that was waiting when the signal came", async () => {
    const { exitCode } = supervise(
      [command("crasher", "process.exit(3);"), command("steady", forever)],
      {
        cwd: dir,
        maxRestarts: 5,
        restartWindowMs: 60_000,
        restartDelayMs: 60_000,
        signals: ["SIGUSR2"],
        outputStream: stream,
      },
    );
    await waitFor(() => output.includes("restart 1 of 5"), 10_000);

    process.kill(process.pid, "SIGUSR2");

    expect(await exitCode).toBe(0);
    expect(startsOf("crasher")).toHaveLength(1);
  });

  it("kills a process that ignores the stop signal when asked a second time", async () => {
    const stubborn = `process.on("SIGUSR2", () => {}); ${forever}`;
    const { exitCode } = supervise([command("stubborn", stubborn)], {
      cwd: dir,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      restartDelayMs: 50,
      signals: ["SIGUSR2"],
      outputStream: stream,
    });
    await waitFor(() => startsOf("stubborn").length === 1, 10_000);
    const [pid] = startsOf("stubborn");

    process.kill(process.pid, "SIGUSR2");
    await new Promise((r) => setTimeout(r, 1200));
    const aliveAfterFirst = isAlive(pid);
    process.kill(process.pid, "SIGUSR2");

    expect(aliveAfterFirst).toBe(true);
    expect(await exitCode).toBe(1);
    await waitFor(() => !isAlive(pid), 5000);
    expect(output).toMatch(/stubborn killed/);
  });
});
