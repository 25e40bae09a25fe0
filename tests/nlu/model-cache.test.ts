import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecognitionSource } from '../../src/knowledge/knowledge-base';
import { CharNgramModel } from '../../src/nlu/char-ngram-model';
import { LogisticRegression } from '../../src/nlu/logistic-regression';
import { folderModelCache, MODEL_CACHE_ENV, modelCacheFromEnv, modelKey, type TrainedModels } from '../../src/nlu/model-cache';

const kb = (sample: string): RecognitionSource => ({
  entries: [{ id: 'tari', kind: 'topic', title: { it: 'TARI', en: 'Waste tax' }, samples: { it: [sample], en: ['waste tax'] }, answer: { it: 'a', en: 'a' } }],
  synonyms: [],
} as unknown as RecognitionSource);
const outOfScope = { it: ['che tempo fa'], en: ['weather'] };

const trainModels = (): TrainedModels => ({
  chars: CharNgramModel.train(
    [
      { words: ['tari', 'rifiuti'], label: 'tari', rivals: ['imu'] },
      { words: ['imu', 'casa'], label: 'imu', rivals: ['tari'] },
      { words: ['meteo'], label: 'none', rivals: ['tari', 'imu'] },
    ],
    { always: 'none' },
  ),
  calibrator: LogisticRegression.fromParameters([0.25, -1.5], 0.125),
});

describe('model cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'model-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('trains once for the same inputs; the kept models score exactly as the trained ones', () => {
    let trainings = 0;
    const train = () => ((trainings += 1), trainModels());
    const first = folderModelCache(dir).trained(kb('tassa rifiuti'), outOfScope, true, train);
    const second = folderModelCache(dir).trained(kb('tassa rifiuti'), outOfScope, true, train);
    expect(trainings).toBe(1);
    expect(second.calibrator.weights).toEqual(first.calibrator.weights);
    expect(second.calibrator.bias).toBe(0.125);
    const ask = (m: TrainedModels) => [...m.chars.probabilities(['rifuti'], ['tari', 'imu'])];
    expect(ask(second)).toEqual(ask(first));
    expect(ask(second)[0]?.[1]).toBeGreaterThan(0.34);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('trains again when a sample, an out-of-scope example or the bayes switch changes', () => {
    const keys = new Set([
      modelKey(kb('tassa rifiuti'), outOfScope, true),
      modelKey(kb('tassa sui rifiuti'), outOfScope, true),
      modelKey(kb('tassa rifiuti'), { ...outOfScope, it: ['meteo'] }, true),
      modelKey(kb('tassa rifiuti'), outOfScope, false),
    ]);
    expect(keys.size).toBe(4);
  });

  it.each([
    ['a calibrator that is not numbers', '{"labels":["tari"],"always":"none","calibrator":{"weights":[1,"two"],"bias":0}}', 8],
    ['weights of the wrong size', '{"labels":["tari"],"always":"none","calibrator":{"weights":[1],"bias":0}}', 8],
    ['a torn weights file', '{"labels":["tari"],"always":"none","calibrator":{"weights":[1],"bias":0}}', 6],
  ])('treats an entry with %s as a miss and trains', (_, json, weightBytes) => {
    const base = join(dir, modelKey(kb('x'), outOfScope, true));
    writeFileSync(`${base}.json`, json);
    writeFileSync(`${base}.weights`, Buffer.alloc(weightBytes));
    let trainings = 0;
    const models = folderModelCache(dir).trained(kb('x'), outOfScope, true, () => ((trainings += 1), trainModels()));
    expect(trainings).toBe(1);
    expect(models.calibrator.weights).toEqual([0.25, -1.5]);
  });

  it('is off unless the environment names a folder', () => {
    expect(modelCacheFromEnv({})).toBeUndefined();
    expect(modelCacheFromEnv({ [MODEL_CACHE_ENV]: dir })).toBeDefined();
  });
});
