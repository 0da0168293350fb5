import wavefile from "wavefile";
import type { SongSpec } from "../lib/prompt-types";
import { createRandom, hashText, type Random } from "./prng";
import { yieldToEventLoop } from "./yield";

export const wavSampleRate = 22_050;

type Note = { startS: number; lengthS: number; hz: number; gain: number };

const majorSteps = [0, 2, 4, 5, 7, 9, 11];
const minorSteps = [0, 2, 3, 5, 7, 8, 10];
const noteNames: Record<string, number> = {
  c: 0,
  d: 2,
  e: 4,
  f: 5,
  g: 7,
  a: 9,
  b: 11,
};
// I, V, vi, IV as scale degrees: a progression most listeners know.
const progression = [0, 4, 5, 3];
const notesPerChunk = 32;

/**
 * Plays a spec as a short tune: a melody walking the spec's key over a bass
 * line, at its tempo, for its duration. 22.05 kHz mono 16-bit.
 */
export async function renderWav(
  spec: SongSpec,
  signal: AbortSignal,
): Promise<{ data: Buffer; durationMs: number }> {
  const random = createRandom(spec.seed ^ hashText(spec.title + spec.genre));
  const totalSamples = Math.round(spec.durationSeconds * wavSampleRate);
  const mix = new Float32Array(totalSamples);
  const notes = composeNotes(spec, random);

  for (let i = 0; i < notes.length; i++) {
    if (i % notesPerChunk === 0) await yieldToEventLoop(signal);
    addNote(mix, notes[i]);
  }
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, wavSampleRate, "16", toPcm16(mix));
  return {
    data: Buffer.from(wav.toBuffer()),
    durationMs: Math.round((totalSamples / wavSampleRate) * 1000),
  };
}

function composeNotes(spec: SongSpec, random: Random): Note[] {
  const { rootMidi, steps } = parseKey(spec.key);
  const beatS = 60 / spec.tempoBpm;
  const noteAt = (degree: number, octave: number) => {
    const step = steps[((degree % 7) + 7) % 7] + 12 * Math.floor(degree / 7);
    return midiToHz(rootMidi + step + 12 * octave);
  };
  const notes: Note[] = [];

  for (let beat = 0; beat * beatS < spec.durationSeconds; beat++) {
    const chord = progression[Math.floor(beat / 4) % progression.length];
    notes.push({
      startS: beat * beatS,
      lengthS: beatS * 0.95,
      hz: noteAt(chord, -1),
      gain: beat % 4 === 0 ? 0.3 : 0.2,
    });
  }

  let degree = random.int(0, 4);
  for (let startS = 0; startS < spec.durationSeconds;) {
    const lengthS = beatS * random.pick([0.5, 0.5, 1, 1, 1.5, 2]);
    degree = Math.max(-2, Math.min(11, degree + random.int(-2, 2)));
    if (random.next() > 0.12) {
      notes.push({ startS, lengthS, hz: noteAt(degree, 0), gain: 0.35 });
    }
    startS += lengthS;
  }
  return notes;
}

/** Reads keys like "A minor", "F# major", "Bb", "Em"; unknown ones hash. */
function parseKey(key: string): { rootMidi: number; steps: number[] } {
  const match = /^\s*([a-g])([#♯b♭]?)\s*(.*)$/iu.exec(key);
  const rest = match?.[3].toLowerCase() ?? "";
  const isMinor = /^(m|min|minor|moll|mineur)\b/u.test(rest);
  const pitch = match
    ? noteNames[match[1].toLowerCase()] +
      (/[#♯]/u.test(match[2]) ? 1 : /[b♭]/u.test(match[2]) ? -1 : 0)
    : hashText(key) % 12;
  return {
    rootMidi: 60 + ((pitch + 12) % 12),
    steps: isMinor ? minorSteps : majorSteps,
  };
}

function midiToHz(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

function addNote(mix: Float32Array, note: Note) {
  const start = Math.floor(note.startS * wavSampleRate);
  const length = Math.floor(note.lengthS * wavSampleRate);
  const end = Math.min(mix.length, start + length);
  const attack = 0.01 * wavSampleRate;
  const release = Math.min(0.08 * wavSampleRate, length / 2);
  const step = (2 * Math.PI * note.hz) / wavSampleRate;

  for (let i = start; i < end; i++) {
    const t = i - start;
    const envelope =
      Math.min(1, t / attack, (length - t) / release) *
      Math.exp((-2.5 * t) / length);
    const tone = Math.sin(step * t) + 0.3 * Math.sin(2 * step * t);
    mix[i] += note.gain * envelope * tone;
  }
}

function toPcm16(mix: Float32Array): Int16Array {
  const pcm = new Int16Array(mix.length);
  for (let i = 0; i < mix.length; i++) {
    const clamped = Math.max(-1, Math.min(1, mix[i] * 0.8));
    pcm[i] = Math.round(clamped * 32767);
  }
  return pcm;
}
