"use client";

import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useAuthState } from "@/lib/client/auth";
import { signInPath } from "@/lib/client/fetcher";

/**
 * Shows controls that change the queue only to someone allowed to use
 * them: with ADMIN_TOKEN set and no sign-in, a link to sign in stands in
 * their place, rather than buttons whose every press is refused.
 */
export function SignedInOnly(props: {
  /** What signing in allows here: "pause a stage", say. */
  what: string;
  children: ReactNode;
}) {
  const auth = useAuthState().data;
  const pathname = usePathname();
  if (!auth?.required || auth.signedIn) return <>{props.children}</>;
  return (
    <a
      href={signInPath(pathname)}
      data-testid="sign-in-to-change"
      className="text-xs font-medium text-teal-800 underline underline-offset-2 hover:text-teal-900"
    >
      Sign in to {props.what}
    </a>
  );
}
