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
    ['thanks, bye', 'goodbye'],
    ['grazie, ciao', 'goodbye'],
    ['ok grazie arrivederci', 'goodbye'],
    ['thank you, goodbye', 'goodbye'],
    ['sei stupido', 'insult'],
    ['sei proprio inutile', 'insult'],
    ['you are useless', 'insult'],
    ['stupid bot', 'insult'],
    ['fai schifo', 'insult'],
    ['vaffanculo', 'insult'],
    ['asdfghjkl', 'nonsense'],
    ['qwerty', 'nonsense'],
    ['jjjj', 'nonsense'],
    ['sdfsdf hjkhjk', 'nonsense'],
  ])('"%s" is %s', (text, intent) => {
    expect(builtInIntent(normalize(text))).toBe(intent);
  });

  test.each([
    ['mi serve un documento per una persona anziana'],
    ['quanto costa la carta d identita'],
    ['ciao, come rinnovo la carta d identita?'],
    ['il numero unico 020202 a che ora risponde'],
    ['è inutile rinnovare la carta d identita se scade tra un mese?'],
    ['la merda dei cani sul marciapiede chi la pulisce'],
    ['ztl'],
    ['isee'],
    ['spid'],
    ['property tax'],
    ['tari 2026'],
  ])('"%s" is a question, not small talk or handoff', (text) => {
    expect(builtInIntent(normalize(text))).toBeUndefined();
  });
});
