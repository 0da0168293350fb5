/**
 * Whether an If-None-Match header names this entity tag: `*`, or a list of
 * tags compared weakly (a `W/` prefix is ignored), as RFC 9110 asks for GET.
 */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
