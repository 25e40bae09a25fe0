import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition } from './recognizer';

/**
 * Applies a prior per topic to a recognition as a tie-break: candidates are ranked by confidence
 * times their topic's prior (1 for most topics, a little more for those the city is announcing
 * now), while each keeps its own calibrated confidence. A prior of w lets a topic pass another
 * only when the other is less than w times as likely; nothing is lifted into the answer band
 * (a lone 0.52 stays a disambiguation) and an unchanged ranking comes back as it was. When the
 * top changes, the band is the new top's own (`bandOf`). Small talk comes back unchanged.
 *
 * @example
 * withPrior(recognition, (id) => kb.calendar.prior(id, today));
 */
export function withPrior(recognition: Recognition, prior: (topicId: string) => number, bands: BandThresholds = DEFAULT_BANDS): Recognition {
  if (recognition.intent !== 'faq' || recognition.candidates.length < 2) return recognition;
  const ranked = recognition.candidates
    .map((candidate, i) => ({ candidate, i, score: candidate.confidence * Math.max(0, prior(candidate.topicId)) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  if (ranked.every((r, position) => r.i === position)) return recognition;
  const candidates = ranked.map((r) => r.candidate);
  const band = bandOf(candidates, bands);
  const { alsoAsked, ...rest } = recognition;
  return { ...rest, candidates, band, ...(band === 'answer' && alsoAsked ? { alsoAsked } : {}) };
}
