import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { artifacts, type Artifact } from "./schema";

export function getArtifact(db: Db, artifactId: number): Artifact | null {
  return (
    db.select().from(artifacts).where(eq(artifacts.id, artifactId)).get() ??
    null
  );
}
