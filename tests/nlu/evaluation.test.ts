import fc from 'fast-check';
import {
  BUCKETS,
  bucketOf,
  emptyCounts,
  evaluate,
  isRight,
  outcomeOf,
  refusedBeforeRecognition,
  tally,
  unknownLabels,
  type BotOutcome,
  type EvaluationLine,
  type LabelCounts,
} from '../../src/nlu/evaluation';
import type { Band, Intent, Recognition, Recognizer, TopicCandidate } from '../../src/nlu/recognizer';

const answered = (topicId: string): BotOutcome => ({ kind: 'answered', topicId });
const offering = (...offered: string[]): BotOutcome => ({ kind: 'disambiguation', offered });
const fallback: BotOutcome = { kind: 'fallback', reason: 'no-match' };
const tooLong: BotOutcome = { kind: 'fallback', reason: 'too-long' };
const smalltalk: BotOutcome = { kind: 'smalltalk' };
const handoff: BotOutcome = { kind: 'handoff' };
const referral: BotOutcome = { kind: 'referral' };

function counts(partial: Partial<LabelCounts>): LabelCounts {
  return { ...emptyCounts(), ...partial };
}

function recognition(intent: Intent, band: Band, candidates: TopicCandidate[] = []): Recognition {
  return { text: '', language: 'it', intent, band, candidates, recognizer: 'scripted' };
}

/** A recognizer that returns what the test scripted for each text, and remembers what it was asked. */
class ScriptedRecognizer implements Recognizer {
  readonly name = 'scripted';
  readonly asked: string[] = [];
  constructor(private readonly script: (text: string) => Recognition) {}
  async recognize(text: string): Promise<Recognition> {
    this.asked.push(text);
    return this.script(text);
  }
}

describe('counting rules: where a line lands and whether it is right', () => {
  test.each<[string, BotOutcome, string, boolean]>([
    ['imu', answered('imu'), 'answered', true],
    ['imu', answered('tari-pagamento'), 'answeredOther', false],
    ['imu', offering('tari-pagamento', 'imu'), 'offered', false],
    ['imu', offering('tari-pagamento'), 'offeredOther', false],
    ['imu', fallback, 'fallback', false],
    ['imu', tooLong, 'fallback', false],
    ['imu', smalltalk, 'smalltalk', false],
    ['imu', handoff, 'handoff', false],
    ['imu', referral, 'referral', false],
    ['none', fallback, 'fallback', true],
    ['none', tooLong, 'fallback', true],
    ['none', smalltalk, 'smalltalk', true],
    ['none', offering('imu'), 'offeredOther', false],
    ['none', answered('imu'), 'answeredOther', false],
    ['none', handoff, 'handoff', false],
    ['none', referral, 'referral', true],
    ['handoff', handoff, 'handoff', true],
    ['handoff', fallback, 'fallback', false],
    ['handoff', answered('imu'), 'answeredOther', false],
    ['referral', referral, 'referral', true],
    ['referral', fallback, 'fallback', false],
    ['referral', answered('imu'), 'answeredOther', false],
    ['referral', offering('imu'), 'offeredOther', false],
    ['imu', { kind: 'answered', topicId: 'tari-pagamento', alsoOffered: ['imu'] }, 'offered', false],
    ['imu', { kind: 'answered', topicId: 'imu', alsoOffered: ['tari-pagamento'] }, 'answered', true],
    ['imu', { kind: 'answered', topicId: 'tari-pagamento', alsoOffered: ['area-c'] }, 'answeredOther', false],
    ['none', { kind: 'answered', topicId: 'tari-pagamento', alsoOffered: ['imu'] }, 'answeredOther', false],
  ])('a %s line the bot meets with %j lands in %s (right: %s)', (expected, outcome, bucket, right) => {
    expect(bucketOf(expected, outcome)).toBe(bucket);
    expect(isRight(expected, bucketOf(expected, outcome))).toBe(right);
  });
});

describe('tally: outcomes to counts and ratios', () => {
  test('a table of outcomes gives the per-label counts and the ratios of the summary line', () => {
    const summary = tally([
      { expected: 'imu', outcome: answered('imu') },
      { expected: 'imu', outcome: offering('tari-pagamento', 'imu') },
      { expected: 'area-c', outcome: offering('area-b') },
      { expected: 'area-c', outcome: tooLong },
      { expected: 'none', outcome: fallback },
      { expected: 'none', outcome: smalltalk },
      { expected: 'none', outcome: offering('imu') },
      { expected: 'none', outcome: answered('imu') },
      { expected: 'handoff', outcome: handoff },
      { expected: 'handoff', outcome: fallback },
      { expected: 'referral', outcome: fallback },
    ]);
    expect(summary).toEqual({
      total: 11,
      topicAccuracy: 0.25,
      outOfScopeRejection: 0.5,
      handoffRecall: 0.5,
      offered: 0.25,
      referralRecall: 0,
      tooLong: 1,
      noneReferred: 0,
      counts: {
        topic: counts({ lines: 4, answered: 1, offered: 1, offeredOther: 1, fallback: 1 }),
        none: counts({ lines: 4, fallback: 1, smalltalk: 1, offeredOther: 1, answeredOther: 1 }),
        handoff: counts({ lines: 2, handoff: 1, fallback: 1 }),
        referral: counts({ lines: 1, fallback: 1 }),
      },
    });
  });

  test('the new ratios are null, not 0, when the set has no line of their kind', () => {
    const summary = tally([{ expected: 'none', outcome: fallback }]);
    expect(summary.offered).toBeNull();
    expect(summary.referralRecall).toBeNull();
    expect(summary.outOfScopeRejection).toBe(1);
  });

  test('every line lands in exactly one bucket, and the ratios agree with the counts', () => {
    const label = fc.constantFrom('imu', 'area-c', 'none', 'handoff', 'referral');
    const outcome: fc.Arbitrary<BotOutcome> = fc.oneof(
      fc.constantFrom('imu', 'area-c', 'tari-pagamento').map(answered),
      fc.array(fc.constantFrom('imu', 'area-c', 'tari-pagamento'), { minLength: 1, maxLength: 3 }).map((ids) => offering(...ids)),
      fc.constantFrom(fallback, tooLong, smalltalk, handoff, referral),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ expected: label, outcome }), { maxLength: 40 }), (results) => {
        const summary = tally(results);
        const all = Object.values(summary.counts);
        expect(all.reduce((n, c) => n + c.lines, 0)).toBe(results.length);
        for (const c of all) expect(BUCKETS.reduce((n, b) => n + c[b], 0)).toBe(c.lines);
        const rightTopics = results.filter((r) => r.expected !== 'none' && r.expected !== 'handoff' && r.expected !== 'referral' && isRight(r.expected, bucketOf(r.expected, r.outcome)));
        expect(summary.topicAccuracy).toBeCloseTo(summary.counts.topic.lines === 0 ? 0 : rightTopics.length / summary.counts.topic.lines, 3);
        expect(summary.counts.topic.answered).toBe(rightTopics.length);
      }),
    );
  });
});

describe('outcomeOf: what the dialog does with a recognition', () => {
  test('a disambiguation offers at most three candidates, only those at or above the candidate threshold', () => {
    const candidates = [
      { topicId: 'imu', confidence: 0.5 },
      { topicId: 'tari-pagamento', confidence: 0.3 },
      { topicId: 'area-c', confidence: 0.2 },
      { topicId: 'area-b', confidence: 0.16 },
    ];
    expect(outcomeOf(recognition('faq', 'disambiguate', candidates))).toEqual(offering('imu', 'tari-pagamento', 'area-c'));
    expect(outcomeOf(recognition('faq', 'disambiguate', [{ topicId: 'imu', confidence: 0.35 }, { topicId: 'area-c', confidence: 0.1 }]))).toEqual(offering('imu'));
  });

  test.each<[Recognition, BotOutcome]>([
    [recognition('faq', 'answer', [{ topicId: 'imu', confidence: 0.9 }]), answered('imu')],
    [recognition('faq', 'fallback', [{ topicId: 'imu', confidence: 0.1 }]), fallback],
    [recognition('faq', 'answer', []), fallback],
    [recognition('handoff', 'answer'), handoff],
    [recognition('thanks', 'answer'), smalltalk],
    [recognition('greeting', 'answer'), smalltalk],
  ])('%j becomes %j', (r, expected) => {
    expect(outcomeOf(r)).toEqual(expected);
  });

  test('an answer whose id is a referral is the referral outcome; offering a referral stays a disambiguation', () => {
    const isReferral = (id: string) => id === 'passaporto';
    expect(outcomeOf(recognition('faq', 'answer', [{ topicId: 'passaporto', confidence: 0.9 }]), isReferral)).toEqual({ kind: 'referral', referralId: 'passaporto' });
    expect(outcomeOf(recognition('faq', 'answer', [{ topicId: 'imu', confidence: 0.9 }]), isReferral)).toEqual(answered('imu'));
    expect(outcomeOf(recognition('faq', 'disambiguate', [{ topicId: 'passaporto', confidence: 0.4 }]), isReferral)).toEqual(offering('passaporto'));
  });

  test('an answer carries the "also asked" topics of other sentences as buttons beside it', () => {
    const r: Recognition = { ...recognition('faq', 'answer', [{ topicId: 'cambio-residenza', confidence: 0.9 }]), alsoAsked: [{ topicId: 'nidi-infanzia-iscrizioni', confidence: 0.8 }] };
    expect(outcomeOf(r)).toEqual({ kind: 'answered', topicId: 'cambio-residenza', alsoOffered: ['nidi-infanzia-iscrizioni'] });
  });
});

describe('refusedBeforeRecognition: messages the dialog refuses before asking the recognizer', () => {
  test.each<[string, BotOutcome | undefined]>([
    ['   ', { kind: 'fallback', reason: 'no-text' }],
    ['?!...', { kind: 'fallback', reason: 'no-text' }],
    ['👍', undefined],
    [`  ${'a'.repeat(20)}  `, undefined],
    ['a'.repeat(21), tooLong],
  ])('%j gives %j with a limit of 20 characters (trimmed)', (text, expected) => {
    expect(refusedBeforeRecognition(text, { maxQuestionChars: 20 })).toEqual(expected);
  });
});

describe('evaluate: lines through a recognizer as the live bot takes them', () => {
  const lines: EvaluationLine[] = [
    { text: 'domanda su imu', expected: 'imu' },
    { text: 'domanda vaga', expected: 'imu' },
    { text: 'che tempo fa', expected: 'none' },
    { text: 'meteo vago', expected: 'none' },
    { text: 'passaporto scaduto', expected: 'referral' },
  ];
  const script = (text: string): Recognition => {
    if (text.includes('vag')) return recognition('faq', 'disambiguate', [{ topicId: 'imu', confidence: 0.4 }, { topicId: 'area-c', confidence: 0.3 }]);
    if (text.includes('tempo')) return recognition('faq', 'fallback', [{ topicId: 'imu', confidence: 0.05 }]);
    return recognition('faq', 'answer', [{ topicId: 'imu', confidence: 0.9 }]);
  };

  test('a disambiguation on a none line is not a rejection; on a topic line it counts as offered, not answered', async () => {
    const { summary, mismatches } = await evaluate(new ScriptedRecognizer(script), lines);
    expect(summary.topicAccuracy).toBe(0.5);
    expect(summary.offered).toBe(0.5);
    expect(summary.outOfScopeRejection).toBe(0.5);
    expect(mismatches.map((m) => [m.line, m.got])).toEqual([
      [2, 'disambiguation (offered imu, area-c)'],
      [4, 'disambiguation (offered imu, area-c)'],
      [5, 'imu'],
    ]);
  });

  test('without isReferral every answer is a topic\'s, so a referral line answered is a miss', async () => {
    const { summary } = await evaluate(new ScriptedRecognizer(script), lines);
    expect(summary.referralRecall).toBe(0);
    expect(summary.counts.referral).toEqual(counts({ lines: 1, answeredOther: 1 }));
  });

  test('an answer that is a referral class is right on a referral line and a rejection on a none line, counted as noneReferred', async () => {
    const referring = (text: string): Recognition =>
      text.includes('passaporto') || text.includes('tempo')
        ? recognition('faq', 'answer', [{ topicId: 'passaporto', confidence: 0.9 }])
        : script(text);
    const { summary, mismatches } = await evaluate(new ScriptedRecognizer(referring), lines, { isReferral: (id) => id === 'passaporto' });
    expect(summary.referralRecall).toBe(1);
    expect(summary.counts.referral).toEqual(counts({ lines: 1, referral: 1 }));
    expect(summary.counts.none).toEqual(counts({ lines: 2, referral: 1, offeredOther: 1 }));
    expect(summary.noneReferred).toBe(1);
    expect(summary.outOfScopeRejection).toBe(0.5);
    expect(summary.topicAccuracy).toBe(0.5);
    expect(mismatches.map((m) => [m.line, m.got])).toEqual([
      [2, 'disambiguation (offered imu, area-c)'],
      [4, 'disambiguation (offered imu, area-c)'],
    ]);
  });

  test('a topic line answered with a referral is a miss, described with the referral it got', async () => {
    const { summary, mismatches } = await evaluate(
      new ScriptedRecognizer(() => recognition('faq', 'answer', [{ topicId: 'passaporto', confidence: 0.9 }])),
      [{ text: 'carta identita', expected: 'carta-identita' }],
      { isReferral: (id) => id === 'passaporto' },
    );
    expect(summary.topicAccuracy).toBe(0);
    expect(summary.counts.topic).toEqual(counts({ lines: 1, referral: 1 }));
    expect(mismatches.map((m) => m.got)).toEqual(['referral (passaporto)']);
  });

  test('a question over the length limit is the fallback the dialog gives, without reaching the recognizer', async () => {
    const recognizer = new ScriptedRecognizer(script);
    const long = `domanda su imu ${'e ancora '.repeat(200)}`;
    const { summary } = await evaluate(
      recognizer,
      [
        { text: long, expected: 'imu' },
        { text: long, expected: 'none' },
        { text: '  domanda su imu  ', expected: 'imu' },
      ],
      { maxQuestionChars: 1000 },
    );
    expect(recognizer.asked).toEqual(['domanda su imu']);
    expect(summary.tooLong).toBe(2);
    expect(summary.topicAccuracy).toBe(0.5);
    expect(summary.outOfScopeRejection).toBe(1);
  });

  test('with warm, each line is timed on its second recognition, not its first', async () => {
    // The first recognition of a text takes 30 ms (as a first spelling look-up would), later ones none.
    const seen = new Set<string>();
    const slowFirst: Recognizer = {
      name: 'slow-first',
      async recognize(text) {
        if (!seen.has(text)) {
          seen.add(text);
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        return script(text);
      },
    };
    const cold = await evaluate(slowFirst, lines);
    expect(cold.summary.p50Ms).toBeGreaterThanOrEqual(25);
    seen.clear();
    const warm = await evaluate(slowFirst, lines, { warm: true });
    expect(warm.summary.p99Ms).toBeLessThan(25);
    expect(warm.summary.topicAccuracy).toBe(cold.summary.topicAccuracy);
  });

  test('the summary keeps the keys it always had, first, and adds the new ones', async () => {
    const { summary } = await evaluate(new ScriptedRecognizer(script), lines);
    expect(Object.keys(summary)).toEqual(['total', 'topicAccuracy', 'outOfScopeRejection', 'handoffRecall', 'p50Ms', 'p99Ms', 'offered', 'referralRecall', 'tooLong', 'noneReferred', 'counts']);
  });
});

describe('unknownLabels', () => {
  test('names labels that are neither special nor a topic, once each', () => {
    const lines = [
      { text: 'a', expected: 'imu' },
      { text: 'b', expected: 'imu-typo' },
      { text: 'c', expected: 'imu-typo' },
      { text: 'd', expected: 'none' },
      { text: 'e', expected: 'referral' },
      { text: 'f', expected: 'handoff' },
    ];
    expect(unknownLabels(lines, new Set(['imu']))).toEqual(['imu-typo']);
  });
});
