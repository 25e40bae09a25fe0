import { splitSentences, strongestReading } from '../../src/nlu/sentences';

describe('splitSentences', () => {
  test('splits at sentence punctuation followed by a space, and at line breaks', () => {
    expect(splitSentences('Buongiorno. Ho perso la carta, come faccio? Grazie!')).toEqual(['Buongiorno.', 'Ho perso la carta, come faccio?', 'Grazie!']);
    expect(splitSentences('prima riga\nseconda riga;  terza')).toEqual(['prima riga', 'seconda riga;', 'terza']);
  });

  test('does not split inside numbers or dotted abbreviations', () => {
    expect(splitSentences('Apre alle 8.30 in via S.Gregorio 12')).toEqual(['Apre alle 8.30 in via S.Gregorio 12']);
    expect(splitSentences('   ')).toEqual([]);
  });
});

describe('strongestReading', () => {
  const reading = (...c: [string, number][]) => ({ candidates: c.map(([topicId, confidence]) => ({ topicId, confidence })) });

  test('answers the strongest reading and offers the other sentences\' confident topics', () => {
    const whole = reading(['nidi-infanzia-iscrizioni', 0.4]);
    const residence = reading(['cambio-residenza', 0.95]);
    const nursery = reading(['nidi-infanzia-iscrizioni', 0.9]);
    const story = reading(['animali', 0.2]);
    const { best, alsoAsked } = strongestReading(whole, [residence, nursery, story], 0.55);
    expect(best).toBe(residence);
    expect(alsoAsked.map((c) => c.topicId)).toEqual(['nidi-infanzia-iscrizioni']);
  });

  test('keeps the whole message on a tie, and never offers the answered topic again', () => {
    const whole = reading(['imu', 0.8]);
    const { best, alsoAsked } = strongestReading(whole, [reading(['imu', 0.8]), reading(['imu', 0.7])], 0.55);
    expect(best).toBe(whole);
    expect(alsoAsked).toEqual([]);
  });
});
