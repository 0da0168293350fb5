"use client";

import { Button } from "@/components/ui/button";
import { pageTitleClasses } from "@/components/ui/card";

export default function ErrorPage({
  error,
  retry,
}: {
  error: unknown;
  retry: () => void;
}) {
  const digest =
    error instanceof Error && "digest" in error ? String(error.digest) : null;
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16 text-center">
      <h1 className={pageTitleClasses}>Something went wrong</h1>
      <p className="text-sm text-stone-600">
        This page hit an unexpected error. Trying again usually helps; if it
        keeps happening, the server log has the details
        {digest && ` (reference ${digest})`}.
      </p>
      <Button variant="primary" onClick={() => retry()}>
        Try again
      </Button>
    </main>
  );
}
