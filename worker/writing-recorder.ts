import {
  recordWritings,
  type Claim,
  type WritingOutput,
  type WritingRecord,
} from "../db/claims";
import type { Db } from "../db/client";
import type { Prompt } from "../db/schema";

/** Records a finished writing; resolves once it is committed. */
export type RecordWriting = (
  claim: Claim,
  output: WritingOutput,
) => Promise<Prompt>;

type Waiting = WritingRecord & {
  resolve: (prompt: Prompt) => void;
  reject: (error: unknown) => void;
};

/** Keeps each transaction, and so the write lock, short. */
const maxRecordsPerTransaction = 32;

/**
 * Groups the writings that finish in the same turn of the event loop into
 * one transaction: with a fast backend and many stages in flight, one
 * commit records them all. Each keeps its own outcome (a lost lease fails
 * only its own record); a lone writing waits one turn (setImmediate).
 */
export function createWritingRecorder(db: Db): RecordWriting {
  const waiting: Waiting[] = [];

  const flush = () => {
    const batch = waiting.splice(0, maxRecordsPerTransaction);
    // The rest in the next turn, letting another process take the lock.
    if (waiting.length > 0) setImmediate(flush);
    try {
      const results = recordWritings(db, batch);
      results.forEach((result, i) => {
        if ("prompt" in result) batch[i].resolve(result.prompt);
        else batch[i].reject(result.error);
      });
    } catch (error) {
      for (const record of batch) record.reject(error);
    }
  };

  return (claim, output) =>
    new Promise((resolve, reject) => {
      waiting.push({ claim, output, resolve, reject });
      if (waiting.length === 1) setImmediate(flush);
    });
}
