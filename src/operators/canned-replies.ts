/**
 * The placeholders a canned reply may hold, each filled in by the console when the operator
 * inserts the reply into the composer: `{{operatore}}` the operator's display name (the one
 * citizens see), `{{codice}}` the conversation's phone code, `{{argomento}}` the topic's title
 * (the citizen's description when no topic was recognised).
 */
export const PLACEHOLDERS = ['operatore', 'codice', 'argomento'] as const;

/** One of {@link PLACEHOLDERS}. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * What is wrong with the placeholders of `text`, one message per problem (empty when none):
 * names that are not in {@link PLACEHOLDERS}, and braces left open, which would reach the
 * citizen as they are.
 *
 * @example
 * placeholderProblems('Sono {{operatore}}, codice {{pratica}}'); // ['unknown placeholder {{pratica}}: use {{operatore}}, {{codice}} or {{argomento}}']
 */
export function placeholderProblems(text: string): string[] {
  const problems: string[] = [];
  const known = new Set<string>(PLACEHOLDERS);
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!known.has(name)) problems.push(`unknown placeholder {{${name}}}: use {{operatore}}, {{codice}} or {{argomento}}`);
  }
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('a placeholder is not closed: write it as {{name}}');
  return problems;
}

/**
 * `text` with its placeholders replaced by `values` (the console does the same in the browser).
 *
 * @example
 * fillPlaceholders('Sono {{operatore}}', { operatore: 'Giulia', codice: '123456', argomento: 'TARI' }); // 'Sono Giulia'
 */
export function fillPlaceholders(text: string, values: Readonly<Record<Placeholder, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as Placeholder] : whole));
}
