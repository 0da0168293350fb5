"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { useAuthState, useSignOut } from "@/lib/client/auth";

/** Shown only while this browser is signed in with ADMIN_TOKEN. */
export function SignOutButton() {
  const auth = useAuthState();
  const signOut = useSignOut();
  const router = useRouter();
  if (!auth.data?.signedIn) return null;
  return (
    <Button
      size="sm"
      variant="ghost"
      disabled={signOut.isPending || signOut.isSuccess}
      onClick={() =>
        signOut.mutate(undefined, {
          onSuccess: () => router.push("/"),
        })
      }
    >
      Sign out
    </Button>
  );
}
