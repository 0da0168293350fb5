import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16 text-center">
      <h1 className="font-serif text-2xl">Not found</h1>
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
