import { builtInIntent } from '../../src/nlu/intents';
import { normalize } from '../../src/nlu/normalize';

describe('built-in intents', () => {
  test.each([
    ['voglio parlare con un operatore', 'handoff'],
    ['mi passi una persona', 'handoff'],
    ['posso parlare con qualcuno?', 'handoff'],
    ['operatore', 'handoff'],
    ['I want to talk to a human', 'handoff'],
    ['can I speak to a real person', 'handoff'],
    ['non voglio parlare con un bot', 'handoff'],
    ['buongiorno', 'greeting'],
    ['Hello!', 'greeting'],
    ['grazie mille', 'thanks'],
    ['thank you', 'thanks'],
    ['arrivederci', 'goodbye'],
    ['aiuto', 'help'],
    ['what can you do', 'help'],
  ])('"%s" is %s', (text, intent) => {
    expect(builtInIntent(normalize(text))).toBe(intent);
  });

  test.each([
    ['mi serve un documento per una persona anziana'],
    ['quanto costa la carta d identita'],
    ['ciao, come rinnovo la carta d identita?'],
    ['il numero unico 020202 a che ora risponde'],
  ])('"%s" is a question, not small talk or handoff', (text) => {
    expect(builtInIntent(normalize(text))).toBeUndefined();
  });
});
