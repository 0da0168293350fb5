import type { Language } from "./words";

/**
 * Line and sentence frames for the offline writer. Slots {a}, {b} and {c}
 * take the prompt's phrases; {name} takes a character's name.
 */
export type Templates = {
  /** Two lines each, joined by a newline; each a whole sentence. */
  poemCouplets: string[];
  haikuLeads: string[];
  haikuTails: string[];
  storyBeginnings: string[];
  storyMiddles: string[];
  storyEndings: string[];
  names: string[];
  verses: string[][];
  chorusLines: string[];
  bridgeLines: string[];
};

const en: Templates = {
  poemCouplets: [
    "{a} at the edge of the morning,\nand {b}, which will not keep still.",
    "I keep the {a} like a promise,\nthe way the {b} remembers {c}.",
    "Say {a} and the room goes quiet;\nsomewhere {b} is learning to wait.",
    "We carried {a} in our pockets\nand called it {b} when no one asked.",
    "Listen: {a}, {b}, {c}.\nNothing here is only {c}.",
    "Even the {c} has a name for this,\na small light over {a}.",
    "What stays is the {b};\nwhat goes is {a}, and the hour.",
    "Still, the {c} keeps turning toward us.\nLet the {a} have the last word.",
  ],
  haikuLeads: ["", "the", "a", "under the", "beside the", "all the", "one"],
  haikuTails: [
    "",
    "again",
    "at dusk",
    "still",
    "in the dark",
    "so quiet now",
    "the whole night through",
    "and then gone",
    "left behind",
    "before the rain",
    "in morning light",
  ],
  storyBeginnings: [
    "Nobody talked about the {a} anymore, not until the morning the {b} " +
      "turned up. {name} noticed first, because {name} noticed everything " +
      "that was out of place.",
    "For eleven years the {a} had been ordinary. Then, on a grey Tuesday, " +
      "{name} found the {b} where it had no business being.",
  ],
  storyMiddles: [
    "{name} tried to put it out of mind. But the {b} kept coming back: in " +
      "conversations, in dreams, in the way the light fell across the {c}. " +
      "Every answer opened two more questions, and the oldest of them was " +
      "about the {a}.",
    "The trouble started small. A missing {c}, a door left open, a rumour " +
      "about the {a}. By the end of the week {name} had filled a notebook " +
      "with everything that did not add up, and the {b} was on every page.",
  ],
  storyEndings: [
    "In the end it was simpler than {name} had feared. The {a} had only " +
      "wanted to be remembered. {name} set the {b} back where it belonged, " +
      "and for the first time in a long while the evening was quiet.",
    "When it was over, {name} walked home the long way, past the {c}, and " +
      "did not look back. Some stories end; this one, like the {a}, only " +
      "rested.",
  ],
  names: ["Mara", "Tomas", "Ines", "Wen", "Ruth", "Kofi", "Ada", "Nils"],
  verses: [
    [
      "I packed the {a} the night I turned away,",
      "the {b} still humming where the light used to stay,",
      "nobody told me {c} would feel like this,",
      "every road out of here starts with {a}.",
    ],
    [
      "{a} on the window, {b} on my mind,",
      "I keep on walking, leave the {c} behind,",
      "counting the miles by the {b} I knew,",
      "every last one of them leading to you.",
    ],
  ],
  chorusLines: [
    "Oh, {a}, {a}, don't let me go,",
    "sing it slow, sing it low,",
    "we'll carry {b} wherever we go,",
    "{c} is all I know.",
  ],
  bridgeLines: [
    "And if the {b} should ask for me,",
    "tell it I'm where the {c} should be.",
  ],
};

const fr: Templates = {
  poemCouplets: [
    "{a} au bord du matin,\net {b}, qui ne tient pas en place.",
    "Je garde {a} comme une promesse,\ncomme {b} se souvient de {c}.",
    "Dis {a}, et la pièce se tait ;\nquelque part, {b} apprend à attendre.",
    "Nous portions {a} dans nos poches\net l'appelions {b} sans rien dire.",
    "Écoute : {a}, {b}, {c}.\nRien ici n'est seulement {c}.",
    "Même {c} a un nom pour cela,\nune petite lumière sur {a}.",
    "Ce qui reste, c'est {b} ;\nce qui passe, c'est {a}, et l'heure.",
    "Pourtant {c} se tourne vers nous.\nLaisse à {a} le dernier mot.",
  ],
  haikuLeads: ["", "sur", "vers", "encore", "toujours", "sous"],
  haikuTails: [
    "",
    "au matin",
    "encore",
    "dans le noir",
    "si calme",
    "toute la nuit",
    "puis plus rien",
    "avant la pluie",
    "qui s'en va",
  ],
  storyBeginnings: [
    "Personne ne parlait plus de {a}, jusqu'au matin où {b} est apparu. " +
      "{name} l'a remarqué la première, car {name} remarquait tout.",
    "Pendant onze ans, {a} avait été ordinaire. Puis, un mardi gris, " +
      "{name} a trouvé {b} là où rien ne devait être.",
  ],
  storyMiddles: [
    "{name} a essayé de l'oublier. Mais {b} revenait sans cesse : dans les " +
      "conversations, dans les rêves, dans la lumière sur {c}. Chaque " +
      "réponse ouvrait deux questions, et la plus ancienne parlait de {a}.",
    "Les ennuis ont commencé petit : {c} disparu, une porte ouverte, une " +
      "rumeur sur {a}. À la fin de la semaine, {name} avait rempli un " +
      "carnet, et {b} était sur chaque page.",
  ],
  storyEndings: [
    "Au bout du compte, c'était plus simple que prévu. {a} voulait " +
      "seulement qu'on se souvienne. {name} a remis {b} à sa place, et le " +
      "soir, enfin, fut calme.",
    "Quand tout fut fini, {name} est rentrée par le long chemin, près de " +
      "{c}, sans se retourner. Certaines histoires finissent ; celle-ci, " +
      "comme {a}, se reposait seulement.",
  ],
  names: ["Camille", "Lucie", "Margaux", "Élise", "Jeanne"],
  verses: [
    [
      "J'ai pris {a} le soir de mon départ,",
      "{b} chantait encore au bord du hasard,",
      "personne ne m'a dit que {c} ferait si mal,",
      "chaque route d'ici commence par {a}.",
    ],
    [
      "{a} à la fenêtre, {b} dans la tête,",
      "je marche encore, {c} derrière moi,",
      "je compte les jours avec {b},",
      "et chaque jour me ramène à toi.",
    ],
  ],
  chorusLines: [
    "Oh, {a}, {a}, ne me laisse pas,",
    "chante doucement, chante tout bas,",
    "nous porterons {b} à chaque pas,",
    "{c}, c'est tout ce que j'ai là.",
  ],
  bridgeLines: [
    "Et si {b} demande où je suis,",
    "dis que je suis près de {c}.",
  ],
};

const ja: Templates = {
  poemCouplets: [
    "{a}の朝のはじまりに\n{b}はじっとしていない",
    "{a}を約束のように抱いて\n{b}は{c}を覚えている",
    "{a}と言えば　部屋が静かになる\nどこかで{b}が待つことを学んでいる",
    "ポケットに{a}を入れて歩いた\nここには{c}だけのものはない",
    "聞いて　{a}、{b}、{c}\n{c}にもこの名前がある",
    "{a}の上の小さな光\n残るのは{b}",
    "過ぎていくのは{a}と時間\nそれでも{c}はこちらを向く",
    "{b}のむこうに　{c}\n最後の言葉は{a}に",
  ],
  haikuLeads: ["", "夜の", "朝の", "静かな", "遠い"],
  haikuTails: ["", "かな", "や", "の音", "に雨", "ひとり", "しずかに", "の夜"],
  storyBeginnings: [
    "もう誰も{a}の話をしなかった。{b}が現れたあの朝までは。" +
      "最初に気づいたのは{name}だった。",
    "十一年のあいだ、{a}はありふれたものだった。ある灰色の火曜日、" +
      "{name}はあるはずのない場所で{b}を見つけた。",
  ],
  storyMiddles: [
    "{name}は忘れようとした。けれど{b}は何度も戻ってきた。会話のなかに、" +
      "夢のなかに、{c}に落ちる光のなかに。いちばん古い問いは{a}のことだった。",
    "はじまりは小さなことだった。消えた{c}、開いたままの扉、{a}のうわさ。" +
      "週の終わりには、{name}のノートのどのページにも{b}があった。",
  ],
  storyEndings: [
    "終わってみれば、思ったより簡単だった。{a}はただ覚えていてほしかったのだ。" +
      "{name}は{b}を元の場所に戻し、その夜はひさしぶりに静かだった。",
    "すべてが終わると、{name}は{c}のそばを通って遠回りして帰った。" +
      "{a}のように、この話も終わらずに、ただ休んでいる。",
  ],
  names: ["春子", "健", "美咲", "蓮", "千尋"],
  verses: [
    [
      "{a}を持って　家を出た夜",
      "{b}はまだ　窓辺で歌う",
      "{c}がこんなに痛いなんて",
      "どの道も{a}からはじまる",
    ],
    [
      "窓には{a}　心には{b}",
      "歩きつづける　{c}を置いて",
      "{b}で数えた道のり",
      "どれもあなたへ続いていた",
    ],
  ],
  chorusLines: [
    "ああ　{a}　{a}",
    "ゆっくり歌って　小さな声で",
    "{b}を連れて　どこまでも",
    "{c}だけを知っている",
  ],
  bridgeLines: ["もしも{b}がたずねたら", "{c}のそばにいると伝えて"],
};

export const templatesByLanguage: Record<Language, Templates> = { en, fr, ja };

/** Fills a frame's slots; unknown slots are left as they are. */
export function fillTemplate(
  frame: string,
  slots: Record<string, string>,
): string {
  return frame.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in slots ? slots[key] : whole,
  );
}
