import type { Subscriber } from "./hub";

/** A client whose unread backlog passes this is dropped; it reconnects. */
export const maxBacklogBytes = 4 * 1024 * 1024;

const encoder = new TextEncoder();

/**
 * One client's response body, fed by the hub. A chunk goes out at once when
 * the response is waiting for one; while it is still writing the previous
 * one, what arrives is kept and sent as a single chunk when it asks again.
 * Each chunk costs the server the same whatever its size, so a busy server
 * sends fewer, larger chunks instead of falling behind.
 */
export function openClientStream(
  subscribe: (subscriber: Subscriber) => () => void,
): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let isWaiting = false;
  let isClosed = false;
  let unsubscribe = () => {};

  const close = () => {
    if (isClosed) return;
    isClosed = true;
    unsubscribe();
    try {
      controller.close();
    } catch {
      // already closed by the runtime
    }
  };
  const send = (chunk: Uint8Array) => {
    isWaiting = false;
    try {
      controller.enqueue(chunk);
    } catch {
      close();
    }
  };
  const subscriber: Subscriber = {
    close,
    write(chunk) {
      if (isClosed) return false;
      if (isWaiting) {
        send(chunk);
        return !isClosed;
      }
      if (pendingBytes + chunk.byteLength > maxBacklogBytes) {
        close();
        return false;
      }
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      return true;
    },
  };

  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        controller.enqueue(encoder.encode("retry: 1000\n: open\n\n"));
        unsubscribe = subscribe(subscriber);
      },
      pull() {
        if (pending.length === 0) {
          isWaiting = true;
          return;
        }
        const chunk = pending.length === 1 ? pending[0] : concat(pending);
        pending = [];
        pendingBytes = 0;
        send(chunk);
      },
      cancel() {
        isClosed = true;
        unsubscribe();
      },
    },
    { highWaterMark: 0 },
  );
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
