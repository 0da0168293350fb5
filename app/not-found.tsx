import Link from "next/link";
import { pageTitleClasses } from "@/components/ui/card";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16 text-center">
      <h1 className={pageTitleClasses}>Not found</h1>
      <p className="text-sm text-stone-600">
        There is no page at this address.
      </p>
      <Link
        href="/"
        className="inline-block text-sm text-teal-800 underline underline-offset-2"
      >
        Back to Poets
      </Link>
    </main>
  );
}
