// How `npm start` keeps its two processes: concurrently spawns them, prefixes
// their output and kills process trees; this controller decides when a
// process is started again and when everything stops.
import {
  createConcurrently,
  Logger,
  LogError,
  LogExit,
  LogOutput,
  type Command,
  type CloseEvent,
} from "concurrently";
import os from "node:os";
import { Subject } from "rxjs";

export type SupervisedCommand = { name: string; command: string };

export type SuperviseOptions = {
  cwd: string;
  /**
   * How often one process may be started again within `restartWindowMs`
   * before everything stops; restarts older than the window no longer count.
   */
  maxRestarts: number;
  restartWindowMs: number;
  restartDelayMs: number;
  /** Signals that stop everything; the default is SIGINT, SIGTERM, SIGHUP. */
  signals?: NodeJS.Signals[];
  prefixColors?: string[];
  /** Where concurrently's prefixed output goes; stdout by default. */
  outputStream?: NodeJS.WritableStream;
};

export type SuperviseResult = {
  /** Resolves with the exit code for the launcher: 0 after a stop signal. */
  exitCode: Promise<number>;
  commands: Command[];
};

/**
 * Copies of one stop request arrive together (Ctrl+C reaches the whole
 * process group): only a signal this long after the first asks again.
 */
const repeatWindowMs = 1000;

/** Whether an exit code says the process ended because it was asked to. */
function isStopExit(exitCode: number | string, signals: NodeJS.Signals[]) {
  return (
    exitCode === 0 ||
    signals.some(
      (signal) =>
        exitCode === signal || exitCode === 128 + os.constants.signals[signal],
    )
  );
}

/**
 * A process that ends on its own is started again after a delay, up to
 * `maxRestarts` times within any `restartWindowMs`; one more crash inside
 * that window stops the others and the launcher fails. Crashes spread
 * further apart never add up: a process that stays up for the window has
 * its count back at zero. A stop signal stops every process, cancels
 * pending restarts, and counts as success: a service manager's SIGTERM is
 * not a crash. A second signal kills what is still running, and the
 * launcher then fails.
 */
export class Supervisor {
  private stopping: "signal" | "failure" | null = null;
  private stoppedAt = 0;
  /** When each process was last started again, oldest first. */
  private readonly restarts: number[][] = [];
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly closes: Subject<CloseEvent>[] = [];
  private readonly lastCloses: CloseEvent[] = [];
  private commands: Command[] = [];
  private readonly signals: NodeJS.Signals[];

  constructor(
    private readonly logger: Logger,
    private readonly options: SuperviseOptions,
  ) {
    this.signals = options.signals ?? ["SIGINT", "SIGTERM", "SIGHUP"];
  }

  handle(commands: Command[]) {
    this.commands = commands;
    const signals = this.signals;
    const onSignal = (signal: NodeJS.Signals) => this.stop("signal", signal);
    for (const signal of signals) process.on(signal, onSignal);

    commands.forEach((command, index) => {
      this.restarts[index] = [];
      this.closes[index] = new Subject<CloseEvent>();
      command.close.subscribe((event) => this.onClose(index, event));
    });

    return {
      commands: commands.map(
        (command, index) =>
          // Seen from outside, a process closes once: when it is done for
          // good. Its methods still run on the command itself.
          new Proxy(command, {
            get: (target, prop) => {
              if (prop === "close") return this.closes[index].asObservable();
              const value = target[prop as keyof Command];
              return typeof value === "function" ? value.bind(target) : value;
            },
          }),
      ),
      onFinish: () => {
        for (const signal of signals) process.off(signal, onSignal);
      },
    };
  }

  private onClose(index: number, event: CloseEvent) {
    const command = this.commands[index];
    this.lastCloses[index] = event;
    if (this.stopping === "signal") {
      // Ctrl+C reaches every process of the terminal, whichever signal
      // the launcher itself got.
      const clean = isStopExit(event.exitCode, [
        ...this.signals,
        "SIGINT",
        "SIGTERM",
      ]);
      this.finish(index, { ...event, exitCode: clean ? 0 : event.exitCode });
      return;
    }
    if (this.stopping === "failure") {
      this.finish(index, event);
      return;
    }
    const { maxRestarts, restartWindowMs, restartDelayMs } = this.options;
    const recent = this.recentRestarts(index);
    const window = `${restartWindowMs / 1000} s`;
    if (recent.length < maxRestarts) {
      recent.push(Date.now());
      this.logger.logCommandEvent(
        `${command.name} exited with ${event.exitCode}; starting it again in ` +
          `${restartDelayMs / 1000} s ` +
          `(restart ${recent.length} of ${maxRestarts} allowed in ${window})`,
        command,
      );
      this.timers.set(
        index,
        setTimeout(() => {
          this.timers.delete(index);
          command.start();
        }, restartDelayMs),
      );
      return;
    }

    this.logger.logCommandEvent(
      `${command.name} exited with ${event.exitCode} after ` +
        `${maxRestarts} restarts in ${window}; stopping everything`,
      command,
    );
    // A process that exits 0 on its own was not asked to: still a failure.
    this.finish(index, {
      ...event,
      exitCode: event.exitCode === 0 ? 1 : event.exitCode,
    });
    this.stop("failure", "SIGTERM");
  }

  /** The restarts of one process that still count: those inside the window. */
  private recentRestarts(index: number) {
    const since = Date.now() - this.options.restartWindowMs;
    const recent = this.restarts[index].filter((at) => at > since);
    this.restarts[index] = recent;
    return recent;
  }

  private stop(reason: "signal" | "failure", signal: NodeJS.Signals) {
    if (this.stopping) {
      if (reason === "signal" && Date.now() - this.stoppedAt >= repeatWindowMs)
        this.kill();
      return;
    }
    this.stopping = reason;
    this.stoppedAt = Date.now();
    this.commands.forEach((command, index) => {
      const timer = this.timers.get(index);
      if (timer) {
        // Waiting to be started again: it is already down.
        clearTimeout(timer);
        this.timers.delete(index);
        const last = this.lastCloses[index];
        this.finish(
          index,
          reason === "signal" ? { ...last, exitCode: 0 } : last,
        );
      } else if (command.state === "started") {
        command.kill(signal);
      }
    });
  }

  /** A second stop request: whatever still runs is killed at once. */
  private kill() {
    for (const command of this.commands) {
      if (command.state !== "started") continue;
      this.logger.logCommandEvent(`${command.name} killed`, command);
      command.kill("SIGKILL");
    }
  }

  private finish(index: number, event: CloseEvent) {
    this.closes[index].next(event);
    this.closes[index].complete();
  }
}

/** Runs the commands under a Supervisor until they all end. */
export function supervise(
  commands: SupervisedCommand[],
  options: SuperviseOptions,
): SuperviseResult {
  const logger = new Logger({});
  const supervisor = new Supervisor(logger, options);
  // The shell concurrently starts each command in becomes the program
  // itself, so that signals and kills reach it and not a shell above it.
  const execed = commands.map((c) => ({ ...c, command: `exec ${c.command}` }));
  const { result, commands: running } = createConcurrently(execed, {
    cwd: options.cwd,
    logger,
    outputStream: (options.outputStream ?? process.stdout) as never,
    prefixColors: options.prefixColors ?? [],
    controllers: [
      new LogError({ logger }),
      new LogOutput({ logger }),
      new LogExit({ logger }),
      supervisor,
    ],
  });
  const worst = (events: CloseEvent[]) =>
    events.some((e) => e.exitCode !== 0) ? 1 : 0;
  return {
    exitCode: result.then(worst, (events: CloseEvent[]) =>
      Array.isArray(events) ? Math.max(1, worst(events)) : 1,
    ),
    commands: running,
  };
}
