export type ByteRange = { start: number; end: number };

/**
 * Reads a single-range `Range: bytes=…` header against a file of `size`
 * bytes. Returns null to serve the whole file (no header, an invalid one
 * such as `bytes=5-2`, or a form we do not serve, such as several ranges),
 * or "unsatisfiable" for a valid range that starts past the end (RFC 9110
 * §14.1.1, §14.2).
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;

  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === "" ? Infinity : Number(match[2]);
  // A last byte before the first makes the header invalid: it is ignored.
  if (last < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}
