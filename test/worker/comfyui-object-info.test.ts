import { describe, expect, it } from "vitest";
import { findWorkflowProblems } from "@/worker/comfyui-object-info";
import { loadWorkflows } from "@/worker/comfyui-workflows";
import { workflowsDir } from "../helpers/comfyui";
import { defaultCheckpoints, objectInfoOf } from "../helpers/fake-comfyui-data";

const workflows = Object.values(loadWorkflows(workflowsDir));

const infoWith = (checkpoints: string[], dropped: string[] = []) =>
  objectInfoOf({ checkpoints, dropped });

describe("findWorkflowProblems", () => {
  it("finds nothing when the server has every class and checkpoint", () => {
    expect(
      findWorkflowProblems(workflows, infoWith(defaultCheckpoints)),
    ).toEqual([]);
  });

  it("names the file, node, class, input and the server's checkpoints", () => {
    const info = infoWith(["a.safetensors", "ace_step_v1_3.5b.safetensors"]);

    expect(findWorkflowProblems(workflows, info)).toEqual([
      'workflows/image.json node 4 (CheckpointLoaderSimple) input ckpt_name: "v1-5-pruned-emaonly.safetensors" is not on this server (it has: a.safetensors, ace_step_v1_3.5b.safetensors)',
    ]);
  });

  it("names a node class the server lacks", () => {
    const info = infoWith(defaultCheckpoints, ["TextEncodeAceStepAudio"]);

    expect(findWorkflowProblems(workflows, info)).toEqual([
      "workflows/song.json node 14 (TextEncodeAceStepAudio): this ComfyUI has no such node (a custom node or a newer ComfyUI?)",
    ]);
  });

  it("shortens a long list of what the server has", () => {
    const many = Array.from({ length: 30 }, (_, i) => `m${i}.safetensors`);

    const [image, song] = findWorkflowProblems(workflows, infoWith(many));

    expect(image).toMatch(
      /\(it has: m0\.safetensors, .* m7\.safetensors, … 22 more\)$/,
    );
    expect(song).toContain("workflows/song.json node 40");
  });

  it("reads list inputs in the newer COMBO form", () => {
    const info = infoWith(defaultCheckpoints);
    info.CheckpointLoaderSimple = {
      input: {
        required: { ckpt_name: ["COMBO", { options: ["only.safetensors"] }] },
      },
    };

    const problems = findWorkflowProblems(workflows, info);

    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("(it has: only.safetensors)");
  });

  it("leaves mapped inputs and links alone", () => {
    const info = infoWith(defaultCheckpoints);
    // Lists that the filled and linked inputs would fail if checked.
    info.SaveImage = {
      input: { required: { filename_prefix: [["x"]], images: [["y"]] } },
    };

    expect(findWorkflowProblems(workflows, info)).toEqual([]);
  });
});
