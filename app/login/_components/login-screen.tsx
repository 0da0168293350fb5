"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { safeNextPath, useAuthState, useSignIn } from "@/lib/client/auth";
import { messageOf } from "@/lib/client/query-client";
import { cardClasses, pageTitleClasses } from "@/components/ui/card";

const fieldClasses =
  "w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30";

const linkClasses =
  "rounded text-sm text-stone-600 underline-offset-2 hover:text-stone-900 hover:underline focus-visible:outline-2 focus-visible:outline-teal-600";

/** The sign-in form for ADMIN_TOKEN; a success opens the page asked for. */
export function LoginScreen({ next }: { next?: string }) {
  const auth = useAuthState();
  return (
    <main className="mx-auto w-full max-w-sm space-y-6 px-4 pt-16 pb-10">
      <header className="space-y-1">
        <h1 className={pageTitleClasses}>Sign in</h1>
        <p className="text-sm text-stone-500">
          The admin page and changes to the queue need the admin token
          (ADMIN_TOKEN).
        </p>
      </header>
      {auth.data?.required === false ? (
        <p role="status" className="text-sm text-stone-700">
          Sign-in is off: ADMIN_TOKEN is not set, so the admin page is open.
        </p>
      ) : (
        <section className={cardClasses}>
          <LoginForm next={next} />
        </section>
      )}
      <Link href="/" className={linkClasses}>
        ← Back to Poets
      </Link>
    </main>
  );
}

function LoginForm({ next }: { next?: string }) {
  const [token, setToken] = useState("");
  const signIn = useSignIn();
  const ids = { token: useId(), error: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (signIn.isPending || token === "") return;
    signIn.mutate(token, {
      onSuccess: () =>
        window.location.assign(safeNextPath(next, window.location.origin)),
    });
  };

  return (
    // POST, so that a submit before the page hydrates never puts the token
    // in the address bar or the history.
    <form method="post" onSubmit={submit} noValidate className="space-y-3">
      <div>
        <label htmlFor={ids.token} className="block text-sm font-medium">
          Admin token
        </label>
        <input
          id={ids.token}
          name="token"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={signIn.isError ? ids.error : undefined}
          aria-invalid={signIn.isError || undefined}
          className={`${fieldClasses} mt-1`}
        />
      </div>
      {signIn.isError && (
        <p
          id={ids.error}
          role="alert"
          data-testid="login-error"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900"
        >
          {messageOf(signIn.error)}
        </p>
      )}
      <Button
        type="submit"
        variant="primary"
        disabled={signIn.isPending || signIn.isSuccess}
      >
        {signIn.isPending || signIn.isSuccess ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
