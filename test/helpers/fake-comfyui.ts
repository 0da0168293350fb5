import { randomUUID } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  defaultCheckpoints,
  nodeErrorsBody,
  objectInfoOf,
  outputsOf,
  systemStats,
  type FakeOutputs,
} from "./fake-comfyui-data";

export type { FakeOutputs };

/** How the fake treats the next submissions; tests change it as they go. */
export type FakeBehaviour = {
  runMs: number;
  steps: number;
  /** Sends no events for the job: only polling can see it end. */
  silentSocket: boolean;
  /** The job stays running this long after its last step before history. */
  historyDelayMs: number;
  outputs: FakeOutputs;
  /** Refuses the workflow with a 400 and node_errors, as validation does. */
  rejectWithNodeErrors: boolean;
  /** Ends the job with status_str error and this exception message. */
  executionError: string | null;
};

export const defaultBehaviour: FakeBehaviour = {
  runMs: 400,
  steps: 4,
  silentSocket: false,
  historyDelayMs: 0,
  outputs: "image",
  rejectWithNodeErrors: false,
  executionError: null,
};

type Job = {
  number: number;
  id: string;
  graph: Record<
    string,
    { class_type: string; inputs: Record<string, unknown> }
  >;
  clientId: string | null;
  behaviour: FakeBehaviour;
  timers: NodeJS.Timeout[];
};

export type Submission = {
  promptId: string;
  clientId: string | null;
  graph: Job["graph"];
};

/**
 * A ComfyUI on 127.0.0.1 that speaks its routes (bare and under /api) and
 * WebSocket messages, runs one job at a time as scripted by `behaviour`,
 * and counts what it was asked. It can go down and come back on its port,
 * and forget everything as a restart does.
 */
export async function startFakeComfyUI(port = 0) {
  const calls = new Map<string, number>();
  const submissions: Submission[] = [];
  const interrupts: (string | null)[] = [];
  const queueDeletes: string[] = [];
  const history = new Map<string, unknown>();
  const files = new Map<string, Buffer>();
  const sockets = new Map<string, WebSocket>();
  const connections = new Set<net.Socket>();
  let pending: Job[] = [];
  let running: Job | null = null;
  let counter = 0;
  let maxUnfinished = 0;

  const fake = {
    url: "",
    port,
    behaviour: { ...defaultBehaviour },
    /** What GET /object_info describes; tests change it as they go. */
    objectInfo: {
      checkpoints: [...defaultCheckpoints],
      /** Node classes this server lacks. */
      dropped: [] as string[],
      /** Answers 500 instead. */
      fails: false,
    },
    submissions,
    interrupts,
    queueDeletes,
    /** Calls per route, the /api prefix dropped: "POST /prompt". */
    count: (route: string) => calls.get(route) ?? 0,
    /** The most jobs queued or running at once. */
    get maxUnfinished() {
      return maxUnfinished;
    },
    get runningId() {
      return running?.id ?? null;
    },
    hasHistory: (id: string) => history.has(id),
    /** What a restart does: queue, history and running job are gone. */
    forget() {
      for (const job of [...pending, ...(running ? [running] : [])]) {
        job.timers.forEach(clearTimeout);
      }
      pending = [];
      running = null;
      history.clear();
    },
    /** Goes down: the port refuses connections until start. */
    async stop() {
      for (const socket of sockets.values()) socket.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      });
    },
    /** Comes back on the same port. */
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(fake.port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      fake.port = (server.address() as net.AddressInfo).port;
      fake.url = `http://127.0.0.1:${fake.port}`;
    },
    async close() {
      fake.forget();
      if (server.listening) await fake.stop();
      wss.close();
    },
  };

  const send = (job: Job, type: string, data: Record<string, unknown>) => {
    if (job.behaviour.silentSocket || !job.clientId) return;
    const socket = sockets.get(job.clientId);
    socket?.send(
      JSON.stringify({ type, data: { prompt_id: job.id, ...data } }),
    );
  };

  const broadcastStatus = () => {
    const remaining = pending.length + (running ? 1 : 0);
    const message = JSON.stringify({
      type: "status",
      data: { status: { exec_info: { queue_remaining: remaining } } },
    });
    for (const socket of sockets.values()) socket.send(message);
  };

  const tuple = (job: Job) => [
    job.number,
    job.id,
    job.graph,
    { client_id: job.clientId },
    ["9"],
  ];

  const pump = () => {
    if (running || pending.length === 0) return;
    const job = pending.shift()!;
    running = job;
    execute(job);
  };

  const later = (job: Job, ms: number, fn: () => void) => {
    job.timers.push(setTimeout(fn, ms));
  };

  const execute = (job: Job) => {
    const { runMs, steps, historyDelayMs } = job.behaviour;
    send(job, "execution_start", { timestamp: Date.now() });
    send(job, "execution_cached", { nodes: [], timestamp: Date.now() });
    send(job, "executing", { node: "3", display_node: "3" });
    for (let step = 1; step <= steps; step++) {
      later(job, (runMs * step) / (steps + 1), () => {
        send(job, "progress", { value: step, max: steps, node: "3" });
        send(job, "progress_state", {
          nodes: {
            "3": { value: step, max: steps, state: "running", node_id: "3" },
          },
        });
      });
    }
    later(job, runMs, () => {
      const entry = finish(job);
      later(job, historyDelayMs, () => {
        history.set(job.id, entry);
        running = null;
        broadcastStatus();
        pump();
      });
    });
  };

  const finish = (job: Job) => {
    const { executionError } = job.behaviour;
    const timestamp = Date.now();
    if (executionError) {
      const error = {
        node_id: "3",
        node_type: "KSampler",
        exception_type: "RuntimeError",
        exception_message: executionError,
        executed: [],
        timestamp,
      };
      send(job, "execution_error", error);
      return entryOf(job, {}, "error", [["execution_error", error]]);
    }
    const outputs = outputsOf(job.graph, job.behaviour.outputs, files);
    for (const [node, output] of Object.entries(outputs)) {
      send(job, "executed", { node, display_node: node, output });
    }
    send(job, "execution_success", { timestamp });
    send(job, "executing", { node: null });
    return entryOf(job, outputs, "success", [
      ["execution_success", { prompt_id: job.id, timestamp }],
    ]);
  };

  const entryOf = (
    job: Job,
    outputs: Record<string, unknown>,
    statusStr: string,
    messages: unknown[],
  ) => ({
    prompt: tuple(job),
    outputs,
    status: {
      status_str: statusStr,
      completed: statusStr === "success",
      messages,
    },
    meta: {},
  });

  const interrupt = (id: string | null) => {
    interrupts.push(id);
    const job = running;
    if (!job || (id && job.id !== id)) return;
    job.timers.forEach(clearTimeout);
    const data = {
      node_id: "3",
      node_type: "KSampler",
      executed: [],
      timestamp: Date.now(),
    };
    send(job, "execution_interrupted", data);
    history.set(
      job.id,
      entryOf(job, {}, "error", [["execution_interrupted", data]]),
    );
    running = null;
    pump();
  };

  const submit = (body: Record<string, unknown>) => {
    if (fake.behaviour.rejectWithNodeErrors) {
      return { status: 400, body: nodeErrorsBody };
    }
    const id =
      typeof body.prompt_id === "string" ? body.prompt_id : randomUUID();
    const clientId = typeof body.client_id === "string" ? body.client_id : null;
    const graph = body.prompt as Job["graph"];
    submissions.push({ promptId: id, clientId, graph });
    const job: Job = {
      number: counter++,
      id,
      graph,
      clientId,
      behaviour: { ...fake.behaviour },
      timers: [],
    };
    pending.push(job);
    maxUnfinished = Math.max(maxUnfinished, pending.length + (running ? 1 : 0));
    broadcastStatus();
    pump();
    return {
      status: 200,
      body: { prompt_id: id, number: job.number, node_errors: {} },
    };
  };

  const route = async (
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body?: unknown; bytes?: Buffer }> => {
    if (method === "POST" && path === "/prompt") return submit(body);
    if (method === "GET" && path === "/prompt") {
      const remaining = pending.length + (running ? 1 : 0);
      return {
        status: 200,
        body: { exec_info: { queue_remaining: remaining } },
      };
    }
    if (method === "GET" && path.startsWith("/history/")) {
      const id = decodeURIComponent(path.slice("/history/".length));
      const entry = history.get(id);
      return { status: 200, body: entry ? { [id]: entry } : {} };
    }
    if (method === "GET" && path === "/history") {
      return { status: 200, body: Object.fromEntries(history) };
    }
    if (method === "GET" && path === "/queue") {
      return {
        status: 200,
        body: {
          queue_running: running ? [tuple(running)] : [],
          queue_pending: pending.map(tuple),
        },
      };
    }
    if (method === "POST" && path === "/queue") {
      const ids = Array.isArray(body.delete) ? body.delete.map(String) : [];
      queueDeletes.push(...ids);
      pending = pending.filter((job) => !ids.includes(job.id));
      if (body.clear === true) pending = [];
      return { status: 200 };
    }
    if (method === "POST" && path === "/interrupt") {
      interrupt(typeof body.prompt_id === "string" ? body.prompt_id : null);
      return { status: 200 };
    }
    if (method === "GET" && path === "/view") {
      const key = `${query.get("type") ?? "output"}|${query.get("subfolder") ?? ""}|${query.get("filename")}`;
      const bytes = files.get(key);
      return bytes ? { status: 200, bytes } : { status: 404 };
    }
    if (method === "GET" && path === "/system_stats") {
      return { status: 200, body: systemStats };
    }
    if (method === "GET" && path === "/object_info") {
      if (fake.objectInfo.fails) return { status: 500 };
      return { status: 200, body: objectInfoOf(fake.objectInfo) };
    }
    return { status: 404 };
  };

  const server = http.createServer((request, response) => {
    const address = new URL(request.url ?? "/", "http://fake");
    const path = address.pathname.replace(/^\/api(?=\/)/, "");
    const key = `${request.method} ${path.startsWith("/history/") ? "/history/{id}" : path}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", async () => {
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        response.writeHead(400).end();
        return;
      }
      const answer = await route(
        request.method ?? "GET",
        path,
        address.searchParams,
        body,
      );
      if (answer.bytes) {
        response.writeHead(answer.status, {
          "content-type": "application/octet-stream",
        });
        response.end(answer.bytes);
        return;
      }
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(
        answer.body === undefined ? "" : JSON.stringify(answer.body),
      );
    });
  });
  server.on("connection", (connection) => {
    connections.add(connection);
    connection.on("close", () => connections.delete(connection));
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (request, socket, head) => {
    const address = new URL(request.url ?? "/", "http://fake");
    if (!["/ws", "/api/ws"].includes(address.pathname)) {
      socket.destroy();
      return;
    }
    calls.set("GET /ws", (calls.get("GET /ws") ?? 0) + 1);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const clientId = address.searchParams.get("clientId") ?? randomUUID();
      sockets.get(clientId)?.close();
      sockets.set(clientId, ws);
      ws.on("close", () => {
        if (sockets.get(clientId) === ws) sockets.delete(clientId);
      });
      ws.send(
        JSON.stringify({
          type: "status",
          data: {
            status: { exec_info: { queue_remaining: 0 } },
            sid: clientId,
          },
        }),
      );
    });
  });

  await fake.start();
  return fake;
}

export type FakeComfyUI = Awaited<ReturnType<typeof startFakeComfyUI>>;
