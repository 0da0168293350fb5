export type Language = "en" | "fr" | "ja";

/** The words of a prompt the offline writer builds from. */
export type PromptWords = {
  language: Language;
  /** Content words in order of appearance, without repeats. */
  words: string[];
  /** Runs of one or two content words, as the prompt groups them. */
  phrases: string[];
};

const maxWordChars = 24;
const minContentWords = 3;
const segmenter = new Intl.Segmenter("und", { granularity: "word" });
const cjk = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

const stopwords = new Set(
  (
    "a an the of on in at to for from with by about into over under after " +
    "before as and or but nor so is are was were be been being am it its " +
    "this that these those who whom which what when where why how than " +
    "then there here i you he she we they me him her us them my your his " +
    "our their one some any all no not only very just can could will " +
    "would should may might must do does did has have had told tell tells " +
    "says say said writes write keep keeps receives share discover " +
    "forgets grew stopped fixes never while during until " +
    "le la les l un une des du de d à au aux en et ou sur sous dans pour " +
    "par avec sans ce cette ces qui que est sont mon ma mes son sa ses " +
    "leur leurs je tu il elle nous vous ils elles ne pas plus " +
    "の に は を が で と について も へ や から まで より な だ です ます"
  ).split(" "),
);

const frenchMarkers = new Set(
  "le la les un une des du sur dans et avec pour est au aux".split(" "),
);

const fallbackWords: Record<Language, string[]> = {
  en: ["light", "distance", "morning"],
  fr: ["lumière", "distance", "matin"],
  ja: ["光", "風", "朝"],
};

/** Splits a prompt into content words and short phrases, in any script. */
export function readPromptWords(text: string): PromptWords {
  const runs = splitIntoRuns(text.normalize("NFC"));
  const all = runs.flat();
  const language = detectLanguage(text, all);
  const joiner = language === "ja" ? "" : " ";

  const phrases = unique(
    runs.flatMap((run) => chunk(run, 2).map((c) => c.join(joiner))),
  );
  const words = unique(all);
  for (const word of fallbackWords[language]) {
    if (words.length >= minContentWords) break;
    words.push(word);
    phrases.push(word);
  }
  return { language, words, phrases };
}

function splitIntoRuns(text: string): string[][] {
  const runs: string[][] = [[]];
  let isFirst = true;
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    const isBreak = isWordLike
      ? stopwords.has(segment.toLocaleLowerCase())
      : /\S/u.test(segment);
    if (isBreak) {
      if (runs[runs.length - 1].length > 0) runs.push([]);
    } else if (isWordLike && isContentWord(segment)) {
      runs[runs.length - 1].push(normalizeWord(segment, isFirst));
    }
    if (isWordLike) isFirst = false;
  }
  return runs.filter((run) => run.length > 0);
}

function isContentWord(word: string): boolean {
  return cjk.test(word) || Array.from(word).length > 1;
}

// Lowercase shouted words and the sentence's first word; keep proper nouns.
function normalizeWord(word: string, isFirst: boolean): string {
  const clamped = Array.from(word).slice(0, maxWordChars).join("");
  const isShouted = clamped === clamped.toLocaleUpperCase();
  return isFirst || isShouted ? clamped.toLocaleLowerCase() : clamped;
}

function detectLanguage(text: string, words: string[]): Language {
  if (cjk.test(text)) return "ja";
  const tokens = [...segmenter.segment(text.toLocaleLowerCase())];
  const hits = tokens.filter((t) => frenchMarkers.has(t.segment)).length;
  return hits >= 2 || (hits >= 1 && /[éèêàùçœ]/iu.test(words.join(" ")))
    ? "fr"
    : "en";
}

function unique(items: string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.toLocaleLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

const smallKana = /[ゃゅょぁぃぅぇぉゎャュョァィゥェォヮ]/u;

/**
 * Roughly how many syllables (morae for Japanese) a phrase has: vowel groups
 * for Latin words, one per kana, two per kanji. Good enough for a haiku.
 */
export function countSyllables(phrase: string): number {
  return phrase
    .split(/\s+/u)
    .filter(Boolean)
    .reduce((sum, word) => sum + countWordSyllables(word), 0);
}

function countWordSyllables(word: string): number {
  if (cjk.test(word)) {
    return Array.from(word).reduce((sum, char) => {
      if (/\p{Script=Han}/u.test(char)) return sum + 2;
      if (/[\p{Script=Hiragana}\p{Script=Katakana}ー]/u.test(char)) {
        return sum + (smallKana.test(char) ? 0 : 1);
      }
      return sum;
    }, 0);
  }
  const letters = word
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z0-9]/g, "");
  if (/^\d+$/.test(letters)) return letters.length;
  if (letters.length <= 3) return 1;
  const trimmed = letters
    .replace(/(?:[^laeiouycsxz]es|ed|[^laeiouy]e)$/, "")
    .replace(/([aeiouy])le$/, "$1l")
    .replace(/^y/, "");
  return Math.max(1, trimmed.match(/[aeiouy]{1,2}/g)?.length ?? 1);
}

/** Upper-cases the first letter (code point aware). */
export function capitalize(text: string): string {
  const [first = "", ...rest] = Array.from(text);
  return first.toLocaleUpperCase() + rest.join("");
}

export function titleCase(phrase: string, language: Language): string {
  if (language !== "en") return capitalize(phrase);
  return phrase.split(" ").map(capitalize).join(" ");
}
