import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  fillWorkflow,
  loadWorkflow,
  loadWorkflows,
} from "@/worker/comfyui-workflows";
import { workflowsDir } from "../helpers/comfyui";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const shipped = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(workflowsDir, name), "utf8")) as Record<
    string,
    unknown
  >;

describe("loadWorkflows", () => {
  let workspace: Workspace;
  beforeEach(() => {
    workspace = makeWorkspace();
    fs.mkdirSync(workspace.dir, { recursive: true });
  });
  afterEach(() => workspace.cleanup());

  /** Writes a template and mapping for images into the test folder. */
  function writeImage(graph: unknown, mapping: unknown) {
    fs.writeFileSync(
      path.join(workspace.dir, "image.json"),
      JSON.stringify(graph),
    );
    fs.writeFileSync(
      path.join(workspace.dir, "image.map.json"),
      JSON.stringify(mapping),
    );
  }
  const load = () => loadWorkflow(workspace.dir, "image_prompt");

  it("reads the shipped templates, mapping titles to node ids", () => {
    const workflows = loadWorkflows(workflowsDir);

    expect(workflows.image_prompt.targets).toMatchObject({
      prompt: { nodeId: "6", input: "text" },
      negativePrompt: { nodeId: "7", input: "text" },
      seed: { nodeId: "3", input: "seed" },
      filenamePrefix: { nodeId: "9", input: "filename_prefix" },
    });
    expect(workflows.lyrics_prompt.targets).toMatchObject({
      lyrics: { nodeId: "14", input: "lyrics" },
      durationSeconds: { nodeId: "17", input: "seconds" },
    });
  });

  it("fills a copy of the template, leaving links and the template alone", () => {
    const workflow = loadWorkflow(workflowsDir, "image_prompt");
    const values = {
      prompt: "a lighthouse",
      negativePrompt: "blur",
      seed: 42,
      width: 640,
      height: 448,
      filenamePrefix: "poets/1-abcd",
    };

    const graph = fillWorkflow(workflow, values);

    expect(graph["6"].inputs).toEqual({ text: "a lighthouse", clip: ["4", 1] });
    expect(graph["5"].inputs).toMatchObject({ width: 640, height: 448 });
    expect(graph["9"].inputs.filename_prefix).toBe("poets/1-abcd");
    expect(workflow.graph["6"].inputs.text).toBe("");
  });

  it("refuses to map a field onto an input that holds a link", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      seed: { node: "3", input: "model" },
    });

    expect(load).toThrow(
      /image\.map\.json: seed: node 3 \(KSampler\) input model is linked to another node/,
    );
  });

  it("names the file and field when a node or input is missing", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      width: { node: "55", input: "width" },
    });
    expect(load).toThrow(/image\.map\.json: width: no node 55 in the graph/);

    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      width: { node: "5", input: "size" },
    });
    expect(load).toThrow(
      /image\.map\.json: width: node 5 \(EmptyLatentImage\) has no input size/,
    );
  });

  it("refuses two fields mapped onto one input, naming both", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      width: { node: "5", input: "height" },
      height: { node: "5", input: "height" },
    });

    expect(load).toThrow(
      /image\.map\.json: width and height both map onto node 5 \(EmptyLatentImage\) input height; map each field onto its own input/,
    );
  });

  it("refuses two fields reaching one input by id and by title", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      negativePrompt: { node: "6", input: "text" },
    });

    expect(load).toThrow(
      /image\.map\.json: prompt and negativePrompt both map onto node 6 \(CLIPTextEncode\) input text/,
    );
  });

  it("names the key at fault in a mapping entry", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      seed: { node: "3" },
    });
    expect(load).toThrow(/image\.map\.json: seed\.input: .*expected string/);

    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      prompt: { node: "6", title: "Positive prompt", input: "text" },
    });
    expect(load).toThrow(
      /prompt: name the node by "node" \(its id\) or by "title", one of the two/,
    );
  });

  it("needs a title to name exactly one node", () => {
    writeImage(shipped("image.json"), {
      ...shipped("image.map.json"),
      prompt: { title: "Nowhere", input: "text" },
    });

    expect(load).toThrow(
      /prompt: the title "Nowhere" must name one node; no node found/,
    );
  });

  it("asks for a seed and a file name prefix, so every submission differs", () => {
    const mapping = shipped("image.map.json");
    delete mapping.seed;
    writeImage(shipped("image.json"), mapping);

    expect(load).toThrow(/image\.map\.json: seed:/);
  });

  it("says a workflow saved in the normal format needs Export (API)", () => {
    writeImage(
      { nodes: [], links: [], version: 0.4 },
      shipped("image.map.json"),
    );

    expect(load).toThrow(/image\.json: .*Export \(API\)/);
  });
});
