import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { getArtifact } from "@/db/artifacts";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readId, readQuery } from "../../_lib/params";
import { errorResponse, route } from "../../_lib/respond";
import { ifNoneMatchHits } from "./conditional";
import { parseRange } from "./range";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

type Context = { params: Promise<{ id: string }> };

export const GET = route(
  "GET /api/artifacts/[id]",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    const artifact = getArtifact(appDb(), id);
    if (!artifact) throw new AppError("not_found", `artifact ${id} not found`);
    const filePath = path.join(
      getConfig().artifactsDir,
      path.basename(artifact.fileName),
    );
    const size = fileSize(filePath, id);

    const headers = new Headers({
      "Content-Type": artifact.mimeType,
      "Accept-Ranges": "bytes",
      // no-transform keeps the server from compressing media files.
      "Cache-Control": "private, max-age=31536000, immutable, no-transform",
      ETag: `"${artifact.sha256}"`,
      "X-Content-Type-Options": "nosniff",
    });
    const etag = `"${artifact.sha256}"`;
    if (ifNoneMatchHits(request.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers });
    }
    // A Range that comes with a stale If-Range gets the whole, newer file.
    const ifRange = request.headers.get("if-range");
    const rangeHeader =
      ifRange === null || ifRange === etag
        ? request.headers.get("range")
        : null;
    const range = parseRange(rangeHeader, size);
    if (range === "unsatisfiable") return unsatisfiable(size);
    const { start, end } = range ?? { start: 0, end: size - 1 };
    // LIMIT: Next's route handlers drop Content-Length and answer chunked,
    // so the length reaches clients through Content-Range (which media
    // elements read to seek) and the artifact's sizeBytes in the API.
    if (range) headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
    const body =
      size === 0
        ? null
        : (Readable.toWeb(
            fs.createReadStream(filePath, { start, end }),
          ) as ReadableStream);
    return new Response(body, { status: range ? 206 : 200, headers });
  },
);

function unsatisfiable(size: number): Response {
  const response = errorResponse(
    new AppError(
      "range_not_satisfiable",
      `The requested range is not within the file's ${size} bytes.`,
    ),
  );
  response.headers.set("Content-Range", `bytes */${size}`);
  return response;
}

function fileSize(filePath: string, id: number): number {
  try {
    return fs.statSync(filePath).size;
  } catch (error) {
    throw new AppError(
      "not_found",
      `the file of artifact ${id} is missing`,
      undefined,
      { cause: error },
    );
  }
}
