import { Readable } from "node:stream";
import { getArtifact } from "@/db/artifacts";
import type { Artifact } from "@/db/schema";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readId, readQuery } from "../../_lib/params";
import { errorResponse, route } from "../../_lib/respond";
import {
  openArtifactFile,
  safeDownloadName,
  type ArtifactFile,
} from "./artifact-file";
import { ifNoneMatchHits } from "./conditional";
import { parseRange } from "./range";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

type Context = { params: Promise<{ id: string }> };

// Like GitHub's raw files: a file opened on its own runs no script, loads
// nothing and has an origin of its own, whatever its bytes hold.
const fileContentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export const GET = route(
  "GET /api/artifacts/[id]",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    const artifact = getArtifact(appDb(), id);
    if (!artifact) throw new AppError("not_found", `artifact ${id} not found`);
    const file = await openArtifactFile(getConfig().artifactsDir, artifact);

    try {
      return await answer(request, artifact, file);
    } catch (error) {
      await file.handle.close();
      throw error;
    }
  },
);

/** The whole file, a range of it, 304 or 416; closes the file unless sent. */
async function answer(
  request: Request,
  artifact: Artifact,
  file: ArtifactFile,
): Promise<Response> {
  const { size } = file;
  const etag = `"${artifact.sha256}"`;
  const headers = fileHeaders(artifact, file, etag);
  if (ifNoneMatchHits(request.headers.get("if-none-match"), etag)) {
    await file.handle.close();
    return new Response(null, { status: 304, headers });
  }
  // A Range that comes with a stale If-Range gets the whole, newer file.
  const ifRange = request.headers.get("if-range");
  const rangeHeader =
    ifRange === null || ifRange === etag ? request.headers.get("range") : null;
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") {
    await file.handle.close();
    return unsatisfiable(size);
  }

  const { start, end } = range ?? { start: 0, end: size - 1 };
  // LIMIT: Next's route handlers drop Content-Length and answer chunked,
  // so the length reaches clients through Content-Range (which media
  // elements read to seek) and the artifact's sizeBytes in the API.
  if (range) headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  const status = range ? 206 : 200;
  if (size === 0) {
    await file.handle.close();
    return new Response(null, { status, headers });
  }
  const stream = file.handle.createReadStream({ start, end });
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    status,
    headers,
  });
}

/** The type comes from the allow-list by extension, not from the row. */
function fileHeaders(artifact: Artifact, file: ArtifactFile, etag: string) {
  return new Headers({
    "Content-Type": file.type.mimeType,
    "Content-Disposition": `inline; filename="${safeDownloadName(artifact.fileName)}"`,
    "Content-Security-Policy": fileContentSecurityPolicy,
    "Accept-Ranges": "bytes",
    // no-transform keeps the server from compressing media files.
    "Cache-Control": "private, max-age=31536000, immutable, no-transform",
    ETag: etag,
    "X-Content-Type-Options": "nosniff",
  });
}

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
