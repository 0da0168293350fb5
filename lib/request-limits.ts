/**
 * The largest JSON request body the API reads. Shared with the browser so
 * a form can say a paste is too large before sending it.
 */
export const maxBodyBytes = 64 * 1024;

/** The bytes a value takes as the JSON body of a request. */
export function jsonBodyBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}
