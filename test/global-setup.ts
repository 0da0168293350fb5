import { buildIfNeeded } from "../scripts/build-if-needed";

/** Integration tests run the production server, so build it once first. */
export default function setup() {
  if (process.env.POETS_SKIP_BUILD === "1") return;
  buildIfNeeded();
}
