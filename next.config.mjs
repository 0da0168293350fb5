/** @type {import('next').NextConfig} */
const nextConfig = {
  // The app and the worker share db/ through better-sqlite3, a native module
  // that must be loaded by Node, never bundled.
  serverExternalPackages: ["better-sqlite3", "pino", "pino-pretty"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
