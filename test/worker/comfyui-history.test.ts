import { describe, expect, it } from "vitest";
import {
  formatNodeErrors,
  listOutputFiles,
  readJobResult,
} from "@/worker/comfyui-history";
import { nodeErrorsBody } from "../helpers/fake-comfyui-data";

describe("listOutputFiles", () => {
  it("takes saved files of every kind and skips previews and flag lists", () => {
    const outputs = {
      "9": {
        images: [{ filename: "a_00001_.webp", subfolder: "", type: "output" }],
        animated: [true],
      },
      "12": {
        images: [{ filename: "p_00001_.png", subfolder: "", type: "temp" }],
      },
      "31": {
        audio: [
          { filename: "s_00001_.flac", subfolder: "audio", type: "output" },
        ],
      },
      "40": {
        gifs: [
          {
            filename: "v_00001.mp4",
            subfolder: "",
            type: "output",
            format: "video/h264-mp4",
          },
        ],
      },
      "41": {
        video: [{ filename: "w_00001_.webm", subfolder: "x", type: "output" }],
      },
      "50": { text: ["a caption"] },
    };

    const files = listOutputFiles(outputs);

    expect(files.map((f) => [f.nodeId, f.subfolder, f.filename])).toEqual([
      ["9", "", "a_00001_.webp"],
      ["31", "audio", "s_00001_.flac"],
      ["40", "", "v_00001.mp4"],
      ["41", "x", "w_00001_.webm"],
    ]);
  });
});

describe("readJobResult", () => {
  it("gives the failing node's exception from the history messages", () => {
    const entry = {
      outputs: {},
      status: {
        status_str: "error",
        completed: false,
        messages: [
          ["execution_start", { prompt_id: "p", timestamp: 1 }],
          [
            "execution_error",
            {
              prompt_id: "p",
              node_id: "18",
              node_type: "VAEDecodeAudio",
              exception_type: "torch.OutOfMemoryError",
              exception_message: "CUDA out of memory. ",
            },
          ],
        ],
      },
    };

    expect(readJobResult(entry)).toEqual({
      ok: false,
      message:
        "ComfyUI failed at node 18 (VAEDecodeAudio): " +
        "torch.OutOfMemoryError: CUDA out of memory.",
    });
  });

  it("reads a success with no outputs as no files", () => {
    const entry = {
      outputs: {},
      status: { status_str: "success", messages: [] },
    };

    expect(readJobResult(entry)).toEqual({ ok: true, files: [] });
  });
});

describe("formatNodeErrors", () => {
  it("names each node's id, class and input", () => {
    expect(formatNodeErrors(nodeErrorsBody.node_errors)).toBe(
      "node 4 (CheckpointLoaderSimple) input ckpt_name: Value not in list: " +
        "ckpt_name: 'v1-5-pruned-emaonly.safetensors' not in ['sdxl.safetensors']",
    );
  });

  it("leaves out the input when an error has none", () => {
    const errors = {
      "7": {
        class_type: "CLIPTextEncode",
        errors: [
          {
            type: "required_input_missing",
            message: "Required input is missing",
            details: "clip",
          },
        ],
      },
    };

    expect(formatNodeErrors(errors)).toBe(
      "node 7 (CLIPTextEncode): Required input is missing: clip",
    );
  });
});
