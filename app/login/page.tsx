import type { Metadata } from "next";
import { LoginScreen } from "./_components/login-screen";

export const metadata: Metadata = { title: "Sign in · Poets" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({
  searchParams,
}: {
  searchParams: SearchParams;
}) {
  const { next } = await searchParams;
  return <LoginScreen next={typeof next === "string" ? next : undefined} />;
}
