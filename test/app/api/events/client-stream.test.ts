import { describe, expect, it } from "vitest";
import {
  maxBacklogBytes,
  openClientStream,
} from "@/app/api/events/client-stream";
import type { Subscriber } from "@/app/api/events/hub";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client stream whose hub side the test drives by hand. */
function open() {
  const hub = { subscriber: null as Subscriber | null, unsubscribed: 0 };
  const stream = openClientStream((subscriber) => {
    hub.subscriber = subscriber;
    return () => hub.unsubscribed++;
  });
  const reader = stream.getReader();
  const read = async () => {
    const { value, done } = await reader.read();
    return done ? null : decoder.decode(value);
  };
  return {
    hub,
    reader,
    read,
    write: (text: string) => hub.subscriber!.write(encoder.encode(text)),
  };
}

describe("a client's event stream", () => {
  it("sends a chunk at once when the client is waiting for one", async () => {
    const client = open();
    expect(await client.read()).toContain(": open");

    const next = client.read();
    client.write("a");

    expect(await next).toBe("a");
  });

  it("gathers what comes while the client is busy into one chunk", async () => {
    const client = open();
    await client.read();

    client.write("a");
    client.write("b");
    client.write("c");

    expect(await client.read()).toBe("abc");
  });

  it("drops a client too far behind, and lets go of its subscription", async () => {
    const client = open();
    await client.read();
    const chunk = "x".repeat(1024 * 1024);

    const accepted = Array.from({ length: 5 }, () => client.write(chunk));

    expect(maxBacklogBytes).toBe(4 * 1024 * 1024);
    expect(accepted).toEqual([true, true, true, true, false]);
    expect(client.hub.unsubscribed).toBe(1);
    expect(client.write("late")).toBe(false);
  });

  it("lets go of its subscription once when the client goes away", async () => {
    const client = open();
    await client.read();

    await client.reader.cancel();
    client.hub.subscriber!.close();

    expect(client.hub.unsubscribed).toBe(1);
  });
});
