import http from "node:http";
import { openDatabase, type Db } from "@/db/client";
import { galleryPageQuery } from "@/db/gallery";
import { promptPageQuery, type PromptFilter } from "@/db/prompts";
import { planProblems, queryPlanOf } from "../test/helpers/query-plan";
import type { BenchContext } from "./lib/context";
import { percentile, type Figure } from "./lib/figures";

// GET /api/prompts pages and GET /api/stats through HTTP on a million
// prompts, and the query plans of the list queries.

const rows = 1_000_000;
/** A cursor this low makes a page read the oldest end of the list. */
const deepCursor = 5000;
const requestsPerPage = 8;
const statsRequests = 100;

/** The filters the queue dialog offers, alone and together. */
const filters: Omit<PromptFilter, "limit">[] = [
  {},
  { status: "unprocessed" },
  { status: "processing" },
  { status: "completed" },
  { status: "failed" },
  { status: "cancelled" },
  { artifactStatus: "pending" },
  { artifactStatus: "ready" },
  { artifactStatus: "failed" },
  { type: "poem" },
  { type: "image_prompt" },
  { status: "completed", type: "image_prompt" },
  { status: "failed", artifactStatus: "failed" },
];
const searchFilter = { q: "777777" };
const now = () => performance.timeOrigin + performance.now();

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const workspace = ctx.workspace({ rows });
  const planFigures = checkPlans(ctx, workspace.dbPath);
  const app = await ctx.startApp(workspace);
  // node:http on one kept-alive connection, as a browser tab would use:
  // fetch (undici) in this process put more into the tail than the app.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (query: string) =>
    new Promise<number>((resolve, reject) => {
      const startedAt = now();
      http
        .get(`${app.baseUrl}${query}`, { agent }, (response) => {
          response.resume();
          response.on("end", () => {
            if (response.statusCode === 200) resolve(now() - startedAt);
            else reject(new Error(`GET ${query}: ${response.statusCode}`));
          });
        })
        .on("error", reject);
    });
  const timed = async (queries: string[], times: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < times; i++) {
      for (const query of queries) latencies.push(await get(query));
    }
    return latencies;
  };

  const first = filters.map((f) => listUrl(f));
  const deep = filters.map((f) => listUrl(f, deepCursor));
  await timed([...first, ...deep, "/api/stats"], 1); // warm up
  const result = { first: [] as number[][], deep: [] as number[][] };
  const search: number[][] = [];
  const stats: number[][] = [];
  // The route with no database read, interleaved: what HTTP and Next.js
  // cost on this machine, the floor under every figure above.
  const floor: number[][] = [];
  for (let r = 0; r < ctx.runs; r++) {
    ctx.log(`lists: run ${r + 1}`);
    result.first.push(await timed(first, requestsPerPage));
    result.deep.push(await timed(deep, requestsPerPage));
    search.push(await timed([listUrl(searchFilter)], requestsPerPage));
    const both = await timed(["/api/stats", "/api/auth"], statsRequests);
    stats.push(both.filter((_, i) => i % 2 === 0));
    floor.push(both.filter((_, i) => i % 2 === 1));
  }
  agent.destroy();

  const p = (runs: number[][], q: number) => runs.map((l) => percentile(l, q));
  const target = { max: 10 };
  return [
    {
      name: "GET /api/prompts first page p50",
      unit: "ms",
      runs: p(result.first, 50),
    },
    {
      name: "GET /api/prompts first page p99",
      unit: "ms",
      runs: p(result.first, 99),
      target,
    },
    {
      name: "GET /api/prompts deep keyset page p99",
      unit: "ms",
      runs: p(result.deep, 99),
      target,
    },
    {
      name: "GET /api/prompts?q= (search) p99",
      unit: "ms",
      runs: p(search, 99),
    },
    { name: "GET /api/stats p50", unit: "ms", runs: p(stats, 50) },
    { name: "GET /api/stats p99", unit: "ms", runs: p(stats, 99), target },
    {
      name: "GET /api/auth (reads no database) p99",
      unit: "ms",
      runs: p(floor, 99),
      note: "the HTTP and Next.js floor, measured between the stats requests",
    },
    ...planFigures,
  ];
}

function listUrl(filter: Omit<PromptFilter, "limit">, cursor?: number) {
  const params = new URLSearchParams(
    Object.entries(filter).map(([k, v]) => [k, String(v)]),
  );
  params.set("limit", "50");
  if (cursor !== undefined) params.set("cursor", String(cursor));
  return `/api/prompts?${params}`;
}

/**
 * Prints the plan of every list query the app runs (each filter, first and
 * deep page, and the gallery's) with its time in this process, and counts
 * the plans that scan or sort.
 */
function checkPlans(ctx: BenchContext, dbPath: string): Figure[] {
  const db = openDatabase(dbPath);
  const bad: string[] = [];
  const slowest = { label: "", ms: 0 };
  const check = (label: string, query: PageQuery) => {
    const plan = queryPlanOf(db, query);
    const problems = planProblems(plan);
    const ms = timeInProcess(query);
    ctx.log(`  ${ms.toFixed(2)} ms ${label}: ${plan.join(" | ")}`);
    if (problems.length) bad.push(`${label} ${problems.join(", ")}`);
    if (ms > slowest.ms) Object.assign(slowest, { label, ms });
  };
  for (const filter of [...filters, searchFilter]) {
    for (const beforeId of [undefined, deepCursor]) {
      const label = `prompts ${JSON.stringify({ ...filter, beforeId })}`;
      check(label, promptPageQuery(db, { ...filter, beforeId, limit: 50 })!);
    }
  }
  for (const filter of [{}, { type: "image_prompt" as const }]) {
    check(
      `gallery ${JSON.stringify(filter)}`,
      galleryPageQuery(db as Db, { ...filter, limit: 24 })!,
    );
  }
  db.$client.close();
  return [
    {
      name: "list query plans that scan or sort",
      unit: "",
      runs: [bad.length],
      target: { max: 0 },
      note: bad.length ? bad.join("; ") : undefined,
    },
    {
      name: "slowest list query in process (median)",
      unit: "ms",
      runs: [slowest.ms],
      note: `${slowest.label}, without HTTP`,
    },
  ];
}

type PageQuery = Parameters<typeof queryPlanOf>[1] & { all(): unknown[] };

/**
 * Median time of a page query run in this process, without HTTP: the cost
 * of the query itself (a p99 of 50 runs would mostly catch the machine).
 */
function timeInProcess(query: PageQuery): number {
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) {
    const startedAt = now();
    query.all();
    latencies.push(now() - startedAt);
  }
  return percentile(latencies, 50);
}
