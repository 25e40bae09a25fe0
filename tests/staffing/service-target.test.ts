import { ConfigError, loadConfig } from '../../src/config';
import { parseServiceTarget, parseShrinkage } from '../../src/staffing/service-target';

describe('the staffing target and shrinkage settings', () => {
  test('020202’s target by default: 85 % in 30 s, 30 % shrinkage', () => {
    expect(loadConfig({}).staffing).toEqual({ target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3 });
  });

  test('other spellings of a target and a shrinkage', () => {
    expect(parseServiceTarget('80%/20s')).toEqual({ share: 0.8, withinSec: 20 });
    expect(parseServiceTarget(' 90 % entro 60 secondi ')).toEqual({ share: 0.9, withinSec: 60 });
    expect(parseServiceTarget('87,5% in 45s')).toEqual({ share: 0.875, withinSec: 45 });
    expect(parseShrinkage('25')).toBe(0.25);
    expect(loadConfig({ STAFFING_TARGET: '80% in 20s', STAFFING_SHRINKAGE: '35%' }).staffing).toEqual({ target: { share: 0.8, withinSec: 20 }, shrinkage: 0.35 });
  });

  test.each(['100% in 30s', '0% in 30s', '85% in 0s', '85%', 'in 30s', '85% in 2h', '-5% in 30s'])('STAFFING_TARGET=%p stops start-up naming the variable', (value) => {
    expect(() => loadConfig({ STAFFING_TARGET: value })).toThrow(ConfigError);
    expect(() => loadConfig({ STAFFING_TARGET: value })).toThrow(/STAFFING_TARGET: .*85% in 30s/);
  });

  test.each(['95%', '-1', 'trenta', '30%%'])('STAFFING_SHRINKAGE=%p stops start-up naming the variable', (value) => {
    expect(() => loadConfig({ STAFFING_SHRINKAGE: value })).toThrow(/STAFFING_SHRINKAGE/);
  });
});
