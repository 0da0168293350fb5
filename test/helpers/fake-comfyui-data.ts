// Fixed answers of the fake ComfyUI (test/helpers/fake-comfyui.ts), shaped
// as ComfyUI sends them (shared/protocols.md, section A).
import { PNG } from "pngjs";
import wavefile from "wavefile";

/** What a finished job leaves in its outputs. */
export type FakeOutputs =
  | "image" // SaveImage: one PNG, type output (plus an `animated` flag list)
  | "audio" // SaveAudio: one WAV in subfolder audio
  | "preview" // PreviewImage only: type temp, nothing saved
  | "traversal" // a hostile file name: ../../escape_00001_.png
  | "none"; // no outputs at all

/** A small, whole PNG, so that media facts can read it. */
export const tinyPng = (() => {
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  return PNG.sync.write(png);
})();

/** A 0.1 s mono WAV. */
export const tinyWav = (() => {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 8000, "16", new Array(800).fill(0));
  return Buffer.from(wav.toBuffer());
})();

export const systemStats = {
  system: {
    os: "posix",
    ram_total: 8_000_000_000,
    ram_free: 4_000_000_000,
    comfyui_version: "0.3.99-fake",
    python_version: "3.12.0",
    pytorch_version: "2.5.0",
    embedded_python: false,
    argv: ["main.py"],
  },
  devices: [
    {
      name: "cuda:0 Fake GPU",
      type: "cuda",
      index: 0,
      vram_total: 8_000_000_000,
      vram_free: 6_000_000_000,
      torch_vram_total: 0,
      torch_vram_free: 0,
    },
  ],
};

/** A 400 to POST /prompt: a checkpoint the server does not have. */
export const nodeErrorsBody = {
  error: {
    type: "prompt_outputs_failed_validation",
    message: "Prompt outputs failed validation",
    details:
      "Value not in list: ckpt_name: 'v1-5-pruned-emaonly.safetensors' not in ['sdxl.safetensors']",
    extra_info: {},
  },
  node_errors: {
    "4": {
      errors: [
        {
          type: "value_not_in_list",
          message: "Value not in list",
          details:
            "ckpt_name: 'v1-5-pruned-emaonly.safetensors' not in ['sdxl.safetensors']",
          extra_info: {
            input_name: "ckpt_name",
            input_config: [["sdxl.safetensors"]],
            received_value: "v1-5-pruned-emaonly.safetensors",
          },
        },
      ],
      dependent_outputs: ["9"],
      class_type: "CheckpointLoaderSimple",
    },
  },
};

type Graph = Record<string, { inputs: Record<string, unknown> }>;

/**
 * A finished job's outputs, its files named after the graph's
 * filename_prefix as Save nodes do, and their bytes added to `files`
 * (keyed type|subfolder|filename) for /view.
 */
export function outputsOf(
  graph: Graph,
  outputs: FakeOutputs,
  files: Map<string, Buffer>,
): Record<string, unknown> {
  const saver = Object.values(graph).find(
    (node) => typeof node.inputs.filename_prefix === "string",
  );
  const prefix = String(saver?.inputs.filename_prefix ?? "ComfyUI");
  const slash = prefix.lastIndexOf("/");
  const folder = slash >= 0 ? prefix.slice(0, slash) : "";
  const base = `${prefix.slice(slash + 1)}_00001_`;
  const add = (file: string, subfolder: string, type: string, data: Buffer) => {
    files.set(`${type}|${subfolder}|${file}`, data);
    return { filename: file, subfolder, type };
  };
  switch (outputs) {
    case "image":
      return {
        "9": {
          images: [add(`${base}.png`, folder, "output", tinyPng)],
          animated: [false],
        },
      };
    case "audio":
      return {
        "59": {
          audio: [add(`${base}.wav`, `audio/${folder}`, "output", tinyWav)],
        },
      };
    case "preview":
      return { "9": { images: [add(`${base}.png`, "", "temp", tinyPng)] } };
    case "traversal":
      return {
        "9": {
          images: [add("../../escape_00001_.png", "", "output", tinyPng)],
        },
      };
    case "none":
      return {};
  }
}

/** The checkpoints the fake has unless a test says otherwise. */
export const defaultCheckpoints = [
  "v1-5-pruned-emaonly.safetensors",
  "ace_step_v1_3.5b.safetensors",
];

const float = (value: number) => ["FLOAT", { default: value }];
const int = (value: number) => ["INT", { default: value }];
const text = ["STRING", { multiline: true }];
const samplers = ["euler", "euler_ancestral", "dpmpp_2m", "dpmpp_sde"];
const schedulers = ["normal", "karras", "exponential", "simple", "beta"];

// The inputs of the node classes workflows/*.json use, shaped as
// /object_info sends them; list inputs are [[...values], config].
const nodeInputs = (checkpoints: string[]): Record<string, object> => ({
  KSampler: {
    model: ["MODEL"],
    seed: int(0),
    steps: int(20),
    cfg: float(8),
    sampler_name: [samplers],
    scheduler: [schedulers],
    positive: ["CONDITIONING"],
    negative: ["CONDITIONING"],
    latent_image: ["LATENT"],
    denoise: float(1),
  },
  CheckpointLoaderSimple: { ckpt_name: [checkpoints] },
  EmptyLatentImage: { width: int(512), height: int(512), batch_size: int(1) },
  CLIPTextEncode: { text, clip: ["CLIP"] },
  VAEDecode: { samples: ["LATENT"], vae: ["VAE"] },
  SaveImage: { images: ["IMAGE"], filename_prefix: ["STRING"] },
  TextEncodeAceStepAudio: {
    clip: ["CLIP"],
    tags: text,
    lyrics: text,
    lyrics_strength: float(1),
  },
  EmptyAceStepLatentAudio: { seconds: float(120), batch_size: int(1) },
  VAEDecodeAudio: { samples: ["LATENT"], vae: ["VAE"] },
  ConditioningZeroOut: { conditioning: ["CONDITIONING"] },
  ModelSamplingSD3: { model: ["MODEL"], shift: float(3) },
  SaveAudio: { audio: ["AUDIO"], filename_prefix: ["STRING"] },
});

/** A GET /object_info answer, less the `dropped` node classes. */
export function objectInfoOf(options: {
  checkpoints: string[];
  dropped: string[];
}): Record<string, unknown> {
  const entries = Object.entries(nodeInputs(options.checkpoints))
    .filter(([name]) => !options.dropped.includes(name))
    .map(([name, required]) => [
      name,
      {
        input: { required, optional: {}, hidden: {} },
        input_order: { required: Object.keys(required) },
        output: [],
        name,
        display_name: name,
        category: "fake",
        output_node: name.startsWith("Save"),
      },
    ]);
  return Object.fromEntries(entries);
}
