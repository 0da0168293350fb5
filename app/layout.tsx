import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { themeBootScript } from "@/components/ui/theme-toggle";
import "./globals.css";

// Rendered per request, so that Next can put the nonce of the page's
// Content-Security-Policy (from proxy.ts) on its inline scripts.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Poets",
  description: "A queue that turns creative prompts into finished work.",
};

export default async function RootLayout({
  children,
}: {
  children: ReactNode;
}) {
  // The page's own inline script carries the nonce proxy.ts put in the
  // policy, as Next's scripts do.
  const policy = (await headers()).get("content-security-policy") ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  return (
    // The boot script sets data-theme before React hydrates.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script
          nonce={nonce}
          dangerouslySetInnerHTML={{ __html: themeBootScript }}
        />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
