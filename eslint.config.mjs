import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "data/**",
      "test-output/**",
      "next-env.d.ts",
    ],
  },
  {
    // The one logger lives in lib/log.ts; scripts and tests may print.
    files: ["app/**", "components/**", "db/**", "lib/**", "worker/**"],
    rules: { "no-console": "error" },
  },
];

export default config;
