import type { BenchContext } from "./lib/context";
import type { Figure } from "./lib/figures";

export async function run(ctx: BenchContext): Promise<Figure[]> {
  void ctx;
  return [];
}
