import { BackendError, type FailureKind } from "@/lib/errors";
import { offlineWriter } from "@/worker/offline-writer";
import type { Writer } from "@/worker/write-stage";

const messages: Record<FailureKind, string> = {
  transient: "the model server answered 503",
  permanent: "the model server rejected the request as invalid",
  unreachable: "connection refused by 127.0.0.1:11434",
};

/**
 * A writer whose backend fails with the given kinds, one call each, and
 * then writes as the built-in writer does.
 */
export function failingWriter(kinds: FailureKind[]): Writer {
  const queue = [...kinds];
  const failNext = () => {
    const kind = queue.shift();
    if (kind) throw new BackendError(kind, messages[kind]);
  };
  return {
    backend: "failing",
    async writeText(input, signal) {
      failNext();
      return offlineWriter.writeText(input, signal);
    },
    async writeSpec(input, signal) {
      failNext();
      return offlineWriter.writeSpec(input, signal);
    },
  };
}

export const failureMessages = messages;
