"use client";

import Link from "next/link";
import { useHealth } from "@/lib/client/health";

/**
 * Says plainly when the deployment is wrong (worker on another database
 * file, a stale heartbeat, no WAL) instead of letting the queue look stuck.
 */
export function HealthBanner({
  linkToAdmin = true,
}: {
  linkToAdmin?: boolean;
}) {
  const { data, isError } = useHealth();
  const reasons = isError
    ? ["Cannot reach the server to check its health."]
    : data && !data.ok
      ? data.reasons
      : null;
  if (!reasons) return null;

  return (
    <div
      role="alert"
      data-testid="health-banner"
      className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950"
    >
      <p className="font-semibold">Poets is not healthy</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {(reasons.length > 0 ? reasons : ["Unknown problem."]).map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      <p className="mt-2 text-amber-900">
        Prompts may wait until this is fixed.
        {linkToAdmin && (
          <>
            {" "}
            See the{" "}
            <Link href="/admin" className="underline underline-offset-2">
              admin page
            </Link>{" "}
            for details.
          </>
        )}
      </p>
    </div>
  );
}
