import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backendsJson, findBackendProblems } from "@/app/api/_lib/backends";
import type { Db } from "@/db/client";
import { claimNextPrompt, recordWriting } from "@/db/claims";
import { createPrompt } from "@/db/prompts";
import { recordServerCheck, recordWorkflowProblems } from "@/db/render-servers";
import { parseConfig } from "@/lib/config";
import { makeTestDb } from "../../../helpers/workspace";

const a = "http://127.0.0.1:8188";
const b = "http://127.0.0.1:8189";
const c = "http://127.0.0.1:8190";

describe("backendsJson", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  it("names the built-ins when nothing is configured", () => {
    const backends = backendsJson(db, parseConfig({}), Date.now());

    expect(backends).toEqual({
      writer: { kind: "builtin" },
      renderer: { kind: "builtin" },
    });
    expect(findBackendProblems(backends)).toEqual([]);
  });

  it("names the model server without its credentials", () => {
    const config = parseConfig({
      LLM_BASE_URL: "https://me:secret@llm.example:8443/v1/",
      LLM_MODEL: "qwen3:8b",
    });

    expect(backendsJson(db, config, Date.now()).writer).toEqual({
      kind: "llm",
      baseUrl: "https://llm.example:8443/v1",
      model: "qwen3:8b",
    });
  });

  it("shows each ComfyUI server's health and what it renders", () => {
    const config = parseConfig({
      COMFYUI_URL: `${a},${b},${c}`,
      COMFYUI_JOBS_PER_SERVER: "2",
      COMFYUI_HEALTH_MS: "1000",
    });
    const now = Date.now();
    const check = (url: string, healthy: boolean, agoMs: number) =>
      recordServerCheck(db, {
        url,
        healthy,
        lastError: healthy ? null : "connection refused",
        version: healthy ? "0.3.66" : null,
        checkedBy: "w",
        checkedAt: new Date(now - agoMs),
      });
    check(a, true, 500);
    check(b, false, 500);
    check(c, true, 10_000);
    const prompt = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    });
    const write = claimNextPrompt(db, { workerId: "w", leaseMs: 9000 })!;
    recordWriting(db, write, { format: "json", content: "{}", backend: "t" });
    const render = claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 9000,
      renderServers: [{ url: a, capacity: 2, healthy: true }],
    })!;

    const backends = backendsJson(db, config, now);

    expect(backends.renderer).toMatchObject({
      kind: "comfyui",
      servers: [
        {
          url: a,
          health: "healthy",
          version: "0.3.66",
          capacity: 2,
          rendering: [
            { promptId: prompt.id, jobId: render.prompt.renderJobId },
          ],
        },
        { url: b, health: "unhealthy", lastError: "connection refused" },
        { url: c, health: "unknown", rendering: [] },
      ],
    });
    expect(findBackendProblems(backends)).toEqual([]);
  });

  it("shows what stops a healthy server running the workflows", () => {
    const config = parseConfig({ COMFYUI_URL: `${a},${b},${c}` });
    const problem =
      'workflows/image.json node 4 (CheckpointLoaderSimple) input ckpt_name: "v1-5-pruned-emaonly.safetensors" is not on this server (it has: a.safetensors, b.safetensors)';
    for (const url of [a, b, c]) {
      recordServerCheck(db, {
        url,
        healthy: true,
        lastError: null,
        version: "0.3.66",
        checkedBy: "w",
      });
    }
    recordWorkflowProblems(db, a, [problem, "second problem"]);
    recordWorkflowProblems(db, b, []);

    const backends = backendsJson(db, config, Date.now());

    expect(backends.renderer).toMatchObject({
      servers: [
        {
          url: a,
          health: "healthy",
          workflowProblems: [problem, "second problem"],
        },
        { url: b, health: "healthy", workflowProblems: [] },
        { url: c, health: "healthy", workflowProblems: null },
      ],
    });
    expect(findBackendProblems(backends)).toEqual([
      `ComfyUI at ${a} cannot run every workflow, so renders sent to it fail: ${problem}; second problem`,
    ]);
  });

  it("forgets the workflow problems of a server that goes down", () => {
    const config = parseConfig({ COMFYUI_URL: a });
    const check = { url: a, lastError: null, version: null, checkedBy: "w" };
    recordServerCheck(db, { ...check, healthy: true });
    recordWorkflowProblems(db, a, ["a problem"]);
    recordServerCheck(db, { ...check, healthy: true });
    const kept = backendsJson(db, config, Date.now());
    recordServerCheck(db, { ...check, healthy: false, workflowProblems: null });

    const down = backendsJson(db, config, Date.now());

    expect(kept.renderer).toMatchObject({
      servers: [{ workflowProblems: ["a problem"] }],
    });
    expect(down.renderer).toMatchObject({
      servers: [{ health: "unhealthy", workflowProblems: null }],
    });
  });

  it("is a problem when no ComfyUI server answers", () => {
    const config = parseConfig({ COMFYUI_URL: `${a},${b}` });
    for (const url of [a, b]) {
      recordServerCheck(db, {
        url,
        healthy: false,
        lastError: "connection refused",
        version: null,
        checkedBy: "w",
      });
    }

    const problems = findBackendProblems(backendsJson(db, config, Date.now()));

    expect(problems).toEqual([
      `No ComfyUI server answers (${a}, ${b}): stage 2 waits until one does.`,
    ]);
  });
});
