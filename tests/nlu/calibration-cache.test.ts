import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecognitionSource } from '../../src/knowledge/knowledge-base';
import { calibrationCacheFromEnv, calibrationKey, CALIBRATION_CACHE_ENV, folderCalibrationCache } from '../../src/nlu/calibration-cache';
import { LogisticRegression } from '../../src/nlu/logistic-regression';

const kb = (sample: string): RecognitionSource => ({
  entries: [{ id: 'tari', kind: 'topic', title: { it: 'TARI', en: 'Waste tax' }, samples: { it: [sample], en: ['waste tax'] }, answer: { it: 'a', en: 'a' } }],
  synonyms: [],
} as unknown as RecognitionSource);
const outOfScope = { it: ['che tempo fa'], en: ['weather'] };

describe('calibration cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'calibration-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fits once for the same inputs and gives the same calibrator back, even to another cache on the folder', () => {
    let fits = 0;
    const fit = () => ((fits += 1), LogisticRegression.fromParameters([0.25, -1.5], 0.125));
    const first = folderCalibrationCache(dir).fitted(kb('tassa rifiuti'), outOfScope, true, fit);
    const second = folderCalibrationCache(dir).fitted(kb('tassa rifiuti'), outOfScope, true, fit);
    expect(fits).toBe(1);
    expect(second.weights).toEqual(first.weights);
    expect(second.bias).toBe(0.125);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fits again when a sample, an out-of-scope example or the bayes switch changes', () => {
    const keys = new Set([
      calibrationKey(kb('tassa rifiuti'), outOfScope, true),
      calibrationKey(kb('tassa sui rifiuti'), outOfScope, true),
      calibrationKey(kb('tassa rifiuti'), { ...outOfScope, it: ['meteo'] }, true),
      calibrationKey(kb('tassa rifiuti'), outOfScope, false),
    ]);
    expect(keys.size).toBe(4);
  });

  it('treats an unreadable entry as a miss and fits', () => {
    writeFileSync(join(dir, `${calibrationKey(kb('x'), outOfScope, true)}.json`), '{"weights":[1,"two"],"bias":0}');
    let fits = 0;
    const model = folderCalibrationCache(dir).fitted(kb('x'), outOfScope, true, () => ((fits += 1), LogisticRegression.fromParameters([1, 2], 0)));
    expect(fits).toBe(1);
    expect(model.weights).toEqual([1, 2]);
  });

  it('is off unless the environment names a folder', () => {
    expect(calibrationCacheFromEnv({})).toBeUndefined();
    expect(calibrationCacheFromEnv({ [CALIBRATION_CACHE_ENV]: dir })).toBeDefined();
  });
});
