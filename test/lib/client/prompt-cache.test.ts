import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type {
  PromptDetailJson,
  PromptEventMessage,
  PromptJson,
} from "@/lib/api-types";
import {
  applyPromptEvent,
  applyPromptProgress,
  applyPromptUpdate,
  watchPromptResponses,
  type PromptPages,
} from "@/lib/client/prompt-cache";
import { promptKeys, type PromptListFilter } from "@/lib/client/query-keys";

function prompt(id: number, extra: Partial<PromptJson> = {}): PromptJson {
  return {
    id,
    type: "poem",
    text: `prompt ${id}`,
    priority: 0,
    status: "unprocessed",
    artifactStatus: null,
    lastError: null,
    attempts: 0,
    progress: null,
    outputReference: null,
    lastEventId: id * 10,
    leaseOwner: null,
    leaseExpiresAt: null,
    runAfter: null,
    waitingReason: null,
    renderServer: null,
    renderJobId: null,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

function event(
  promptId: number,
  eventId: number,
  extra: Partial<PromptEventMessage> = {},
): PromptEventMessage {
  return {
    id: promptId,
    eventId,
    type: "poem",
    status: "processing",
    artifactStatus: null,
    fromStatus: "unprocessed",
    fromArtifactStatus: null,
    reason: "writing started",
    updatedAt: "2025-01-01T00:00:05.000Z",
    ...extra,
  };
}

function pages(...items: PromptJson[][]): PromptPages {
  return {
    pages: items.map((pageItems, i) => ({
      items: pageItems,
      nextCursor: i < items.length - 1 ? String(pageItems.at(-1)!.id) : null,
    })),
    pageParams: items.map((_, i) => (i === 0 ? null : String(i))),
  };
}

function seedList(
  client: QueryClient,
  filter: PromptListFilter,
  data: PromptPages,
) {
  client.setQueryData(promptKeys.list(filter), data);
}

function idsOf(client: QueryClient, filter: PromptListFilter) {
  const data = client.getQueryData<PromptPages>(promptKeys.list(filter));
  return data?.pages.map((page) => page.items.map((p) => p.id));
}

function statusIn(client: QueryClient, filter: PromptListFilter, id: number) {
  const data = client.getQueryData<PromptPages>(promptKeys.list(filter));
  const items = data?.pages.flatMap((page) => page.items) ?? [];
  return items.find((p) => p.id === id)?.status;
}

describe("applyPromptEvent", () => {
  it("updates the prompt in every list and its detail", () => {
    const client = new QueryClient();
    seedList(client, {}, pages([prompt(2), prompt(1)]));
    seedList(client, { limit: 8 }, pages([prompt(2), prompt(1)]));
    client.setQueryData<PromptDetailJson>(promptKeys.detail(1), {
      prompt: prompt(1),
      writing: null,
      artifacts: [],
      events: [],
    });

    applyPromptEvent(client, event(1, 100));

    expect(statusIn(client, {}, 1)).toBe("processing");
    expect(statusIn(client, { limit: 8 }, 1)).toBe("processing");
    const detail = client.getQueryData<PromptDetailJson>(promptKeys.detail(1));
    expect(detail?.prompt.status).toBe("processing");
    expect(detail?.prompt.lastEventId).toBe(100);
  });

  it("never replaces a prompt with an older version", () => {
    const client = new QueryClient();
    seedList(
      client,
      {},
      pages([prompt(1, { status: "completed", lastEventId: 50 })]),
    );

    applyPromptEvent(client, event(1, 40, { status: "processing" }));
    applyPromptEvent(client, event(1, 50, { status: "processing" }));

    expect(statusIn(client, {}, 1)).toBe("completed");
  });

  it("moves a prompt out of a list whose filter it no longer matches", () => {
    const client = new QueryClient();
    const queued = { status: "unprocessed" } as const;
    seedList(client, queued, pages([prompt(2), prompt(1)]));

    applyPromptEvent(client, event(2, 100, { status: "processing" }));

    expect(idsOf(client, queued)).toEqual([[1]]);
  });

  it("inserts a known prompt into a filtered list it now matches", () => {
    const client = new QueryClient();
    const failed = { status: "failed" } as const;
    seedList(client, {}, pages([prompt(3), prompt(2), prompt(1)]));
    seedList(
      client,
      failed,
      pages([prompt(3, { status: "failed" }), prompt(1, { status: "failed" })]),
    );

    applyPromptEvent(client, event(2, 100, { status: "failed" }));

    expect(idsOf(client, failed)).toEqual([[3, 2, 1]]);
  });

  it("reports a prompt no cached query holds as unknown", () => {
    const client = new QueryClient();
    seedList(client, {}, pages([prompt(1)]));

    expect(applyPromptEvent(client, event(9, 100)).isUnknown).toBe(true);
    expect(
      applyPromptEvent(client, event(9, 101, { type: "haiku" })).isUnknown,
    ).toBe(true);
  });

  it("does not ask for a prompt no list would show", () => {
    const client = new QueryClient();
    seedList(client, { type: "haiku" }, pages([]));

    expect(applyPromptEvent(client, event(9, 100)).isUnknown).toBe(false);
  });
});

describe("applyPromptUpdate", () => {
  it("inserts a new prompt at the top of an unfiltered list", () => {
    const client = new QueryClient();
    seedList(client, {}, pages([prompt(5), prompt(4)], [prompt(3)]));

    applyPromptUpdate(client, 6, prompt(6));

    expect(idsOf(client, {})).toEqual([[6, 5, 4], [3]]);
  });

  it("leaves a search list to the server: a new prompt is not added", () => {
    const client = new QueryClient();
    const search = { q: "lantern" };
    seedList(client, search, pages([prompt(4, { text: "a lantern" })]));

    applyPromptUpdate(client, 6, prompt(6, { text: "first frost" }));

    expect(idsOf(client, search)).toEqual([[4]]);
    expect(applyPromptEvent(client, event(9, 100)).isUnknown).toBe(false);
  });

  it("leaves a prompt below the loaded pages for load more", () => {
    const client = new QueryClient();
    seedList(client, {}, pages([prompt(5), prompt(4)], [prompt(3)]));
    const data = client.getQueryData<PromptPages>(promptKeys.list({}))!;
    data.pages[1].nextCursor = "3";

    applyPromptUpdate(client, 2, prompt(2));

    expect(idsOf(client, {})).toEqual([[5, 4], [3]]);
  });
});

describe("watchPromptResponses", () => {
  it("brings a response fetched before an event up to that event", () => {
    const client = new QueryClient();
    watchPromptResponses(client);
    seedList(client, {}, pages([prompt(1)]));
    applyPromptEvent(client, event(1, 100, { status: "completed" }));

    // A list request that left before the event lands after it.
    client.setQueryData(promptKeys.list({}), pages([prompt(1)]));

    expect(statusIn(client, {}, 1)).toBe("completed");
  });

  it("spreads a fetched detail into the lists", () => {
    const client = new QueryClient();
    watchPromptResponses(client);
    seedList(client, {}, pages([prompt(1)]));

    client.setQueryData<PromptDetailJson>(promptKeys.detail(1), {
      prompt: prompt(1, {
        status: "failed",
        lastError: "model said no",
        lastEventId: 100,
      }),
      writing: null,
      artifacts: [],
      events: [],
    });

    const data = client.getQueryData<PromptPages>(promptKeys.list({}));
    expect(data?.pages[0].items[0].lastError).toBe("model said no");
  });
});

describe("applyPromptProgress", () => {
  const rendering = (id: number, lastEventId: number) =>
    prompt(id, {
      type: "image_prompt",
      status: "processing",
      artifactStatus: "processing",
      progress: 0,
      lastEventId,
    });

  it("sets the progress of the version it belongs to, in lists and detail", () => {
    const client = new QueryClient();
    seedList(client, {}, pages([rendering(2, 50), rendering(1, 40)]));
    client.setQueryData<PromptDetailJson>(promptKeys.detail(1), {
      prompt: rendering(1, 40),
      writing: null,
      artifacts: [],
      events: [],
    });

    applyPromptProgress(client, { id: 1, progress: 42, lastEventId: 40 });

    const list = client.getQueryData<PromptPages>(promptKeys.list({}))!;
    expect(list.pages[0].items.map((p) => p.progress)).toEqual([0, 42]);
    const detail = client.getQueryData<PromptDetailJson>(promptKeys.detail(1));
    expect(detail?.prompt.progress).toBe(42);
  });

  it("leaves a prompt that moved on since the render started", () => {
    const client = new QueryClient();
    const finished = prompt(1, {
      status: "completed",
      artifactStatus: "ready",
      progress: 100,
      lastEventId: 41,
    });
    seedList(client, {}, pages([finished]));

    applyPromptProgress(client, { id: 1, progress: 42, lastEventId: 40 });

    const list = client.getQueryData<PromptPages>(promptKeys.list({}))!;
    expect(list.pages[0].items[0]).toBe(finished);
  });
});

/** Every order of the given steps. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

describe("the cache under crafted orderings", () => {
  type Step =
    | { kind: "event"; eventId: number; status: PromptJson["status"] }
    | { kind: "list"; version: PromptJson };
  const steps: Step[] = [
    { kind: "event", eventId: 20, status: "processing" },
    { kind: "event", eventId: 30, status: "completed" },
    {
      kind: "list",
      version: prompt(1, { lastEventId: 10, status: "unprocessed" }),
    },
    {
      kind: "list",
      version: prompt(1, { lastEventId: 20, status: "processing" }),
    },
    {
      kind: "list",
      version: prompt(1, {
        lastEventId: 30,
        status: "completed",
        lastError: null,
      }),
    },
  ];

  it.each(permutations(steps).map((order) => [order]))(
    "ends at the newest version whatever the order (%#)",
    (order) => {
      const client = new QueryClient();
      watchPromptResponses(client);
      seedList(client, {}, pages([prompt(1, { lastEventId: 10 })]));

      for (const step of order) {
        if (step.kind === "event") {
          applyPromptEvent(
            client,
            event(1, step.eventId, { status: step.status }),
          );
        } else {
          client.setQueryData(promptKeys.list({}), pages([step.version]));
        }
      }

      const data = client.getQueryData<PromptPages>(promptKeys.list({}))!;
      expect(data.pages[0].items[0]).toMatchObject({
        status: "completed",
        lastEventId: 30,
      });
    },
  );

  it("keeps an event that lands while a list request is in flight", async () => {
    const client = new QueryClient();
    watchPromptResponses(client);
    seedList(client, {}, pages([prompt(1)]));
    let answer: (data: PromptPages) => void = () => {};
    const inFlight = client.fetchQuery({
      queryKey: promptKeys.list({}),
      queryFn: () => new Promise<PromptPages>((resolve) => (answer = resolve)),
      staleTime: 0,
    });

    applyPromptEvent(client, event(1, 100, { status: "failed" }));
    answer(pages([prompt(1, { status: "processing", lastEventId: 99 })]));
    await inFlight;

    expect(statusIn(client, {}, 1)).toBe("failed");
  });

  it("takes a newer list answer over an older event", async () => {
    const client = new QueryClient();
    watchPromptResponses(client);
    seedList(client, {}, pages([prompt(1)]));

    applyPromptEvent(client, event(1, 100, { status: "processing" }));
    await client.fetchQuery({
      queryKey: promptKeys.list({}),
      queryFn: async () =>
        pages([prompt(1, { status: "completed", lastEventId: 120 })]),
      staleTime: 0,
    });

    expect(statusIn(client, {}, 1)).toBe("completed");
  });
});
