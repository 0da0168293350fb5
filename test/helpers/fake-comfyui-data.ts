// Fixed answers of the fake ComfyUI (test/helpers/fake-comfyui.ts), shaped
// as ComfyUI sends them (shared/protocols.md, section A).
import { PNG } from "pngjs";
import wavefile from "wavefile";

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
