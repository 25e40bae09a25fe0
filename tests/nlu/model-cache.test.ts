import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecognitionSource } from '../../src/knowledge/knowledge-base';
import { CharNgramModel } from '../../src/nlu/char-ngram-model';
import { LogisticRegression } from '../../src/nlu/logistic-regression';
import { folderModelCache, MODEL_CACHE_ENV, modelCacheFromEnv, modelKey, type TrainedModels } from '../../src/nlu/model-cache';
import { PackedWordSet } from '../../src/nlu/packed-word-set';

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

  it('packs the lexicon once for the same lists; the kept one answers as the packed one, and other lists pack again', () => {
    const lists = [Buffer.from('["casale","casa","cane"]'), Buffer.from('["zebra","abaco"]')];
    const words = ['casale', 'casa', 'cane', 'zebra', 'abaco'];
    let packings = 0;
    const pack = (from: string[]) => () => ((packings += 1), PackedWordSet.from(from));
    const packed = folderModelCache(dir).lexicon(lists, pack(words));
    const kept = folderModelCache(dir).lexicon(lists, pack([]));
    expect(packings).toBe(1);
    expect(kept).not.toBe(packed);
    expect(kept.size).toBe(5);
    for (const word of [...words, 'cas', 'casal', 'zebras', '']) expect(kept.has(word)).toBe(packed.has(word));
    folderModelCache(dir).lexicon([lists[0] as Buffer, Buffer.from('["zebra"]')], pack(['zebra']));
    expect(packings).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['torn after its offsets', Buffer.from([3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0])],
    ['with offsets past its words', Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 99, 97, 115, 97])],
  ])('treats a lexicon file %s as a miss and packs', (_, bytes) => {
    const lists = [Buffer.from('["casa"]')];
    const cache = folderModelCache(dir);
    cache.lexicon(lists, () => PackedWordSet.from(['casa']));
    const [file] = readdirSync(dir).filter((f) => f.startsWith('lexicon-'));
    writeFileSync(join(dir, file as string), bytes);
    let packings = 0;
    const lexicon = cache.lexicon(lists, () => ((packings += 1), PackedWordSet.from(['casa'])));
    expect(packings).toBe(1);
    expect(lexicon.has('casa')).toBe(true);
  });

  it('keeps the stems a build worked out, and a fresh process starts a build with them', () => {
    type Modules = { cache: typeof import('../../src/nlu/model-cache'); stemmer: typeof import('../../src/nlu/stemmer') };
    // Each isolated registry stands for a process of the run (a test file), with its own stem cache.
    const aProcess = (): Modules => {
      let modules: Modules | undefined;
      jest.isolateModules(() => {
        modules = { cache: require('../../src/nlu/model-cache'), stemmer: require('../../src/nlu/stemmer') };
      });
      return modules as Modules;
    };
    const first = aProcess();
    expect(first.stemmer.knownStemCount()).toBe(0);
    const built = first.cache.folderModelCache(dir).withStems(() => ['rinnovare', 'pagamenti'].map((w) => first.stemmer.stem(w, 'it')));
    expect(built).toEqual(['rinnov', 'pag']);
    const second = aProcess();
    second.cache.folderModelCache(dir).withStems(() => {
      expect(second.stemmer.knownStems().it).toEqual({ rinnovare: 'rinnov', pagamenti: 'pag' });
      expect(second.stemmer.stem('rinnovare', 'it')).toBe('rinnov');
    });
    // A kept file that is not stems is ignored, and the build works its stems out.
    writeFileSync(join(dir, 'stems.json'), '{"it":{"casa":7},"en":"no"}');
    const third = aProcess();
    third.cache.folderModelCache(dir).withStems(() => expect(third.stemmer.knownStemCount()).toBe(0));
    expect(third.stemmer.stem('pagamenti', 'it')).toBe('pag');
  });

  it('is off unless the environment names a folder', () => {
    expect(modelCacheFromEnv({})).toBeUndefined();
    expect(modelCacheFromEnv({ [MODEL_CACHE_ENV]: dir })).toBeDefined();
  });
});
