import { normalisePhoneNumber } from '../../src/handoff/phone-number';

describe('callback numbers', () => {
  test.each([
    ['333 123 4567', '+393331234567'],
    ['333-1234567', '+393331234567'],
    ['02 1234 5678', '+390212345678'],
    ['(02) 12345678', '+390212345678'],
    ['+39 02 1234 5678', '+390212345678'],
    ['0039 333 1234567', '+393331234567'],
    ['+41 44 123 45 67', '+41441234567'],
    ['0041 44 123 45 67', '+41441234567'],
    ['+1 (212) 555-0100', '+12125550100'],
  ])('%s is accepted as %s', (input, expected) => {
    expect(normalisePhoneNumber(input)).toBe(expected);
  });

  test.each(['', '12345', '123456789', '333 12', '+39 123456789', '+0 1234567', '+12', 'tre tre tre', '333 123 4567 int. 2', '+39 333 1234567890123', '3'.repeat(40)])('%p is refused', (input) => {
    expect(normalisePhoneNumber(input)).toBeUndefined();
  });
});
