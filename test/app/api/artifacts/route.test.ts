import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../../helpers/app-suite";
import { type Db } from "@/db/client";
import { claimNextPrompt, recordArtifacts, recordWriting } from "@/db/claims";
import { createPrompt } from "@/db/prompts";
import { type Workspace } from "../../../helpers/workspace";

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

  it.each(["bytes=999999999-", "bytes=100-", "bytes=100-50", "bytes=-0"])(
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
