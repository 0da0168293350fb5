// One spacing and type scale for every card on every page (see the scale
// in app/globals.css): a card pads 5, 6 from sm up; its title is the card
// h2; a label over a group of facts is the section label. A list or table
// that runs edge to edge inside a card uses cardInset for its side padding,
// so its text starts where the card title does.

export const cardClasses =
  "rounded-xl border border-stone-200 bg-white p-5 shadow-sm sm:p-6";

/** A card whose body runs to its edges (a table, a list). */
export const flushCardClasses =
  "rounded-xl border border-stone-200 bg-white shadow-sm";

/** Side padding of a flush card's rows, equal to a card's padding. */
export const cardInset = "px-5 sm:px-6";

/** The page title: the one place besides writings that uses the serif. */
export const pageTitleClasses = "font-serif text-3xl text-stone-900";

/** A card's title (h2). */
export const cardTitleClasses = "text-base font-semibold text-stone-900";

/** A card's one-line explanation under its title. */
export const cardHintClasses = "text-sm text-stone-500";

/** A label over a group inside a card (h3). */
export const sectionLabelClasses =
  "text-xs font-semibold tracking-wide text-stone-500 uppercase";
