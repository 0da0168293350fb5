// Sent with every answer: pages, the API and static files. Pages get their
// Content-Security-Policy (with a fresh nonce) from proxy.ts, API answers
// from their route wrapper.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The app and the worker share db/ through better-sqlite3, a native module
  // that must be loaded by Node, never bundled.
  serverExternalPackages: ["better-sqlite3", "pino", "pino-pretty"],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
