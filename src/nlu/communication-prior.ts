import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition } from './recognizer';

/**
 * Applies a prior per topic to a recognition: each candidate's probability is multiplied by its
 * topic's prior (1 for most topics, a little more for those the city is announcing now) and the
 * whole is renormalised, the probability mass outside the candidates keeping weight 1. The ranking
 * and the band follow the new figures; small talk and empty recognitions come back unchanged.
 * A prior of w lets a topic pass another only when the other is less than w times as likely, so a
 * modest w breaks near-ties and never overrides a clear answer.
 *
 * @example
 * withPrior(recognition, (id) => kb.calendar.prior(id, today));
 */
export function withPrior(recognition: Recognition, prior: (topicId: string) => number, bands: BandThresholds = DEFAULT_BANDS): Recognition {
  if (recognition.intent !== 'faq' || recognition.candidates.length === 0) return recognition;
  const weights = recognition.candidates.map((c) => Math.max(0, prior(c.topicId)));
  if (weights.every((w) => w === 1)) return recognition;
  const extra = recognition.candidates.reduce((sum, c, i) => sum + c.confidence * ((weights[i] ?? 1) - 1), 0);
  const total = 1 + extra;
  if (!(total > 0)) return recognition;
  const candidates = recognition.candidates
    .map((c, i) => ({ topicId: c.topicId, confidence: (c.confidence * (weights[i] ?? 1)) / total }))
    .sort((a, b) => b.confidence - a.confidence);
  const band = bandOf(candidates, bands);
  const { alsoAsked, ...rest } = recognition;
  return { ...rest, candidates, band, ...(band === 'answer' && alsoAsked ? { alsoAsked } : {}) };
}
