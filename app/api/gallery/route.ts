import { listGalleryItems } from "@/db/gallery";
import { promptTypeSchema } from "@/lib/prompt-types";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { cursorSchema, limitSchema, readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { artifactJson, promptJson, writingJson } from "../_lib/serialize";
import { searchSchema } from "./search-param";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

const galleryQuery = {
  type: promptTypeSchema.optional(),
  q: searchSchema,
  limit: limitSchema,
  cursor: cursorSchema,
};

export const GET = route("GET /api/gallery", (request) => {
  const query = readQuery(request, galleryQuery);
  const page = listGalleryItems(appDb(), { ...query, beforeId: query.cursor });
  return json({
    items: page.items.map((item) => ({
      prompt: promptJson(item.prompt),
      writing: item.writing ? writingJson(item.writing) : null,
      artifacts: item.artifacts.map(artifactJson),
    })),
    nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
  });
});
