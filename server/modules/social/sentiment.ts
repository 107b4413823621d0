import Sentiment from 'sentiment';

const analyzer = new Sentiment();

/** A few very common words per language: enough to tell them apart on a sentence, at no cost. */
const STOPWORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'you', 'your', 'it', 'this', 'to', 'of', 'my', 'for', 'not', 'with', 'have', 'was', 'are'],
  fr: ['le', 'la', 'les', 'et', 'est', 'vous', 'votre', 'je', 'pas', 'une', 'des', 'pour', 'avec', 'mon', 'ce'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'sie', 'ich', 'mit', 'ein', 'eine', 'für', 'mein', 'zu'],
  es: ['el', 'la', 'los', 'y', 'es', 'usted', 'su', 'yo', 'no', 'una', 'para', 'con', 'mi', 'que', 'por'],
};

/** The language of a text by its commonest words (en, fr, de, es), or null when it is too short to tell. */
export function detectLanguage(text: string): string | null {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 3) return null;
  let best: string | null = null;
  let bestHits = 0;
  for (const [lang, list] of Object.entries(STOPWORDS)) {
    const hits = words.filter((w) => list.includes(w)).length;
    if (hits > bestHits) {
      best = lang;
      bestHits = hits;
    }
  }
  return best;
}

/**
 * The AFINN score of a text (the `sentiment` package: sum of word valences, below 0 is
 * negative). AFINN is an English word list; other languages score what English words they hold.
 */
export function sentimentOf(text: string): number {
  return analyzer.analyze(text).score;
}

/** The configured keywords and brand names that occur in a text (case-insensitive, whole words). */
export function flaggedKeywords(text: string, keywords: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return keywords.filter((k) => {
    const word = k.trim().toLowerCase();
    if (!word) return false;
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])@?#?${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
}
