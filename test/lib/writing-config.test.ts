import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promptTypes } from "@/lib/prompt-types";
import {
  defaultWritingConfig,
  defaultWritingConfigFile,
  loadWritingConfig,
} from "@/lib/writing-config";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

describe("loadWritingConfig", () => {
  let workspace: Workspace;
  let file: string;
  beforeEach(() => {
    workspace = makeWorkspace();
    file = path.join(workspace.dir, "writing.config.json");
  });
  afterEach(() => workspace.cleanup());

  const write = (text: string) => fs.writeFileSync(file, text);

  it("ships a writing.config.json equal to the built-in settings", () => {
    const shipped = path.resolve(
      import.meta.dirname,
      "../../writing.config.json",
    );

    const config = loadWritingConfig(shipped);

    expect(config).toEqual(defaultWritingConfig);
    for (const type of promptTypes) {
      expect(config[type].instructions.length).toBeGreaterThan(100);
    }
  });

  it("uses the built-in settings when the default file is missing", () => {
    const cwd = process.cwd();
    process.chdir(workspace.dir);
    try {
      expect(loadWritingConfig(path.resolve(defaultWritingConfigFile))).toBe(
        defaultWritingConfig,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it("refuses a missing file that WRITING_CONFIG names", () => {
    expect(() => loadWritingConfig(file)).toThrow(
      `Cannot read the writing config ${file} (WRITING_CONFIG)`,
    );
  });

  it("replaces the built-in settings field by field, lines joined", () => {
    write(
      JSON.stringify({
        haiku: { instructions: ["Line one.", "Line two."], temperature: 0.2 },
        story: { max_tokens: null },
      }),
    );

    const config = loadWritingConfig(file);

    expect(config.haiku).toEqual({
      ...defaultWritingConfig.haiku,
      instructions: "Line one.\nLine two.",
      temperature: 0.2,
    });
    expect(config.story.max_tokens).toBeNull();
    expect(config.poem).toEqual(defaultWritingConfig.poem);
  });

  it("names the file when it is not JSON", () => {
    write('{ "poem": { "temperature": 0.9, } }');

    expect(() => loadWritingConfig(file)).toThrow(
      new RegExp(`^Invalid writing config ${file}: not valid JSON: `),
    );
  });

  it("names the file and each field that breaks the schema", () => {
    write(
      JSON.stringify({
        poem: { temperature: "hot" },
        lyrics_prompt: { top_p: 0, instructions: "  " },
        sonnet: {},
      }),
    );

    const error = (() => {
      try {
        loadWritingConfig(file);
      } catch (caught) {
        return (caught as Error).message;
      }
    })();

    expect(error).toMatch(new RegExp(`^Invalid writing config ${file}:\n`));
    expect(error).toMatch(/^ {2}poem\.temperature: .*expected number/m);
    expect(error).toMatch(/^ {2}lyrics_prompt\.top_p: /m);
    expect(error).toMatch(
      /^ {2}lyrics_prompt\.instructions: must not be empty/m,
    );
    expect(error).toMatch(/^ {2}\(file\): .*sonnet/m);
  });
});
