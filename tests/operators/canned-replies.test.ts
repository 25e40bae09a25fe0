import { fillPlaceholders, placeholderProblems } from '../../src/operators/canned-replies';

describe('canned reply placeholders', () => {
  test('known placeholders, with or without spaces inside the braces, are fine', () => {
    expect(placeholderProblems('Sono {{operatore}}, codice {{ codice }}, {{argomento}}.')).toEqual([]);
    expect(placeholderProblems('Nessun segnaposto.')).toEqual([]);
  });

  test('unknown names and braces left open are each reported', () => {
    expect(placeholderProblems('{{nome}} e {{Operatore}}')).toEqual([
      'unknown placeholder {{nome}}: use {{operatore}}, {{codice}} or {{argomento}}',
      'unknown placeholder {{Operatore}}: use {{operatore}}, {{codice}} or {{argomento}}',
    ]);
    expect(placeholderProblems('Sono {{operatore}')).toEqual(['a placeholder is not closed: write it as {{name}}']);
    expect(placeholderProblems('{{}}')).toHaveLength(1);
  });

  test('filling replaces every occurrence and leaves anything else as it is', () => {
    const values = { operatore: 'Giulia', codice: '123456', argomento: 'TARI' };
    expect(fillPlaceholders('{{operatore}} / {{ codice }} / {{argomento}} / {{operatore}}', values)).toBe('Giulia / 123456 / TARI / Giulia');
    expect(fillPlaceholders('{{constructor}}', values)).toBe('{{constructor}}');
  });
});
