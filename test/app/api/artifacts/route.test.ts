import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../../helpers/app-suite";
import { type Db } from "@/db/client";
import { claimNextPrompt, recordArtifacts, recordWriting } from "@/db/claims";
import { createPrompt } from "@/db/prompts";
import { type Workspace } from "../../../helpers/workspace";
import { type ArtifactOutput } from "@/db/claims";

const fileBytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

/** Takes one image prompt through both stages, with a 100-byte file. */
function recordImageArtifact(db: Db, workspace: Workspace) {
  fs.mkdirSync(workspace.artifactsDir, { recursive: true });
  fs.writeFileSync(path.join(workspace.artifactsDir, "a.png"), fileBytes);
  createPrompt(db, { type: "image_prompt", text: "a fox", priority: 0 });
  const claim = () =>
    claimNextPrompt(db, { workerId: "test", leaseMs: 60_000 })!;
  recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });
  recordArtifacts(db, claim(), [
    {
      kind: "image",
      mimeType: "image/png",
      fileName: "a.png",
      sizeBytes: fileBytes.length,
      sha256: "ab",
      backend: "t",
    },
  ]);
}

describe("GET /api/artifacts/{id}", () => {
  const suite = useAppSuite(recordImageArtifact);

  const get = (range: string) =>
    fetch(`${suite.app.baseUrl}/api/artifacts/1`, {
      headers: { Range: range },
    });

  it("serves a satisfiable range", async () => {
    const response = await get("bytes=4-11");

    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 4-11/100");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(
      fileBytes.subarray(4, 12),
    );
  });

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const response = await fetch(`${suite.app.baseUrl}/api/artifacts/1`, {
      headers: { "If-None-Match": '"ab"' },
    });

    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe('"ab"');
    expect(await response.text()).toBe("");
  });

  it.each(["bytes=5-2", "bytes=100-50", "bytes=abc", "bytes=1-2,5-6"])(
    "ignores the invalid or unserved Range %s and sends the whole file",
    async (range) => {
      const response = await get(range);

      expect(response.status).toBe(200);
      expect(response.headers.get("content-range")).toBeNull();
      expect(Buffer.from(await response.arrayBuffer())).toEqual(fileBytes);
    },
  );

  it.each(["bytes=999999999-", "bytes=100-", "bytes=100-150", "bytes=-0"])(
    "answers Range %s with a JSON 416 and the file's size",
    async (range) => {
      const response = await get(range);

      expect(response.status).toBe(416);
      expect(response.headers.get("content-range")).toBe("bytes */100");
      expect(response.headers.get("content-type")).toContain(
        "application/json",
      );
      expect((await response.json()).error).toMatchObject({
        code: "range_not_satisfiable",
        message: expect.stringContaining("100 bytes"),
      });
    },
  );
});

const secret = "outside the artifacts folder: not for the web";

/** Files named as the rows say, in and around the artifacts folder. */
const seededFiles: { fileName: string; mimeType?: string }[] = [
  { fileName: "a.png" },
  { fileName: "link-out.png" },
  { fileName: "../outside.png" },
  { fileName: "page.html", mimeType: "text/html" },
  { fileName: "link-in.png" },
  { fileName: "said-html.png", mimeType: "text/html" },
  { fileName: "sub" },
];

/** One image prompt whose artifacts are the files above, ids from 1. */
function recordServingArtifacts(db: Db, workspace: Workspace) {
  const dir = workspace.artifactsDir;
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "a.png"), fileBytes);
  fs.writeFileSync(path.join(dir, "page.html"), "<script>alert(1)</script>");
  fs.writeFileSync(path.join(dir, "said-html.png"), fileBytes);
  fs.writeFileSync(path.join(workspace.dir, "outside.png"), secret);
  fs.symlinkSync(
    path.join(workspace.dir, "outside.png"),
    path.join(dir, "link-out.png"),
  );
  fs.symlinkSync(path.join(dir, "a.png"), path.join(dir, "link-in.png"));
  createPrompt(db, { type: "image_prompt", text: "a fox", priority: 0 });
  const claim = () =>
    claimNextPrompt(db, { workerId: "test", leaseMs: 60_000 })!;
  recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });
  const outputs: ArtifactOutput[] = seededFiles.map((file) => ({
    kind: "image",
    mimeType: file.mimeType ?? "image/png",
    fileName: file.fileName,
    sizeBytes: fileBytes.length,
    sha256: "ab",
    backend: "t",
  }));
  recordArtifacts(db, claim(), outputs);
}

describe("GET /api/artifacts/{id} serves only Poets' own files", () => {
  const suite = useAppSuite(recordServingArtifacts);

  const get = (fileName: string) => {
    const id = seededFiles.findIndex((file) => file.fileName === fileName) + 1;
    return fetch(`${suite.app.baseUrl}/api/artifacts/${id}`);
  };

  it("sends a file with headers that keep it inert", async () => {
    const response = await get("a.png");

    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/png",
      "content-disposition": 'inline; filename="a.png"',
      "content-security-policy": expect.stringContaining("sandbox"),
      "x-content-type-options": "nosniff",
    });
    expect(response.headers.get("content-security-policy")).toContain(
      "default-src 'none'",
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(fileBytes);
  });

  it("takes the Content-Type from the extension, not the row", async () => {
    const response = await get("said-html.png");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    await response.arrayBuffer();
  });

  it("refuses a symlink that leads outside the artifacts folder", async () => {
    const response = await get("link-out.png");
    const body = await response.text();

    expect(response.status).toBe(404);
    expect(body).not.toContain(secret);
    expect(JSON.parse(body).error.message).toContain(
      "outside the artifacts folder",
    );
    expect(suite.app.output()).toContain('"msg":"artifact file refused"');
  });

  it("follows a symlink that stays inside the artifacts folder", async () => {
    const response = await get("link-in.png");

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(fileBytes);
  });

  it("refuses a file name that climbs out with ../", async () => {
    const response = await get("../outside.png");
    const body = await response.text();

    expect(response.status).toBe(404);
    expect(body).not.toContain(secret);
    expect(JSON.parse(body).error.message).toContain("not one Poets makes");
  });

  it.each(["page.html", "sub"])(
    "refuses %s, whose extension is not on the allow-list",
    async (fileName) => {
      const response = await get(fileName);
      const body = await response.text();

      expect(response.status).toBe(404);
      expect(body).not.toContain("<script>");
      expect(JSON.parse(body).error.message).toContain(
        "not of a type Poets serves",
      );
    },
  );
});
