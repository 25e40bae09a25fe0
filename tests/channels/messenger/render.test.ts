import { ActionTypes, CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { imBack } from '../../../dialogs/faq-buttons';
import { cut, decodePayload, LIMITS, renderActivity, splitText } from '../../../src/channels/messenger/render';

const messages = (activity: Partial<Activity>) =>
  renderActivity(activity).outgoing.map((o) => {
    if (o.kind !== 'message') throw new Error('expected a message');
    return o.message as any;
  });

describe('renderActivity: activities as Send API messages', () => {
  test('plain text is one message', () => {
    expect(messages(MessageFactory.text('Ciao'))).toEqual([{ text: 'Ciao' }]);
  });

  test('text over 2,000 characters is split at paragraph ends, nothing lost', () => {
    const paragraph = 'La carta d’identità si rinnova allo sportello. '.repeat(20).trim();
    const text = Array.from({ length: 5 }, () => paragraph).join('\n\n');
    const parts = messages(MessageFactory.text(text));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(LIMITS.text);
    expect(parts.map((p: any) => p.text).join('\n\n')).toBe(text);
  });

  test('a single word longer than the limit is cut hard, and an emoji is never split', () => {
    const pieces = splitText(`${'a'.repeat(1999)}😀${'b'.repeat(10)}`, 2000);
    expect(pieces[0]).toBe('a'.repeat(1999));
    expect(pieces[1]).toBe(`😀${'b'.repeat(10)}`);
  });

  test('suggested actions become at most 13 quick replies with titles of 20 characters, on the last message', () => {
    const actions = Array.from({ length: 15 }, (_, i) => ({ type: ActionTypes.ImBack, title: `Argomento molto lungo numero ${i}`, value: `Argomento molto lungo numero ${i}` }));
    const long = `${'x'.repeat(2500)}`;
    const parts = messages(MessageFactory.suggestedActions(actions, long));
    expect(parts[0].quick_replies).toBeUndefined();
    const quick = parts[parts.length - 1].quick_replies;
    expect(quick).toHaveLength(13);
    for (const q of quick) expect(Array.from(q.title as string).length).toBeLessThanOrEqual(20);
    expect(quick[0]).toEqual({ content_type: 'text', title: 'Argomento molto…', payload: 'Argomento molto lungo numero 0' });
    expect(renderActivity(MessageFactory.suggestedActions(actions, 'x')).skipped).toEqual(['2 quick replies over 13']);
  });

  test('a messageBack keeps its value through the payload', () => {
    const activity = MessageFactory.suggestedActions([{ type: ActionTypes.MessageBack, title: 'Sì', text: 'sì', value: { choice: 'yes' } }], 'Confermi?');
    const payload = messages(activity)[0].quick_replies[0].payload;
    expect(decodePayload(payload)).toEqual({ text: 'sì', value: { choice: 'yes' } });
    expect(decodePayload('👍')).toEqual({ text: '👍' });
  });

  test('open-URL suggested actions become lines of the text, since quick replies carry no links', () => {
    const activity = MessageFactory.suggestedActions([{ type: ActionTypes.OpenUrl, title: 'Portale', value: 'https://www.comune.milano.it' }], 'Vedi il portale.');
    expect(messages(activity)).toEqual([{ text: 'Vedi il portale.\nPortale: https://www.comune.milano.it' }]);
  });

  test('hero cards become a generic template, at most 3 buttons each', () => {
    const card = CardFactory.heroCard('Carta d’identità elettronica', 'Si richiede su appuntamento', ['https://example.org/cie.png'], [
      { type: ActionTypes.OpenUrl, title: 'Prenota appuntamento online', value: 'https://example.org/prenota' },
      { type: ActionTypes.ImBack, title: 'Costi', value: 'quanto costa la carta d’identità' },
      { type: ActionTypes.Call, title: 'Chiama', value: 'tel:020202' },
      { type: ActionTypes.ImBack, title: 'Quarto', value: 'quarto' },
    ]);
    const [message] = messages(MessageFactory.attachment(card));
    const payload = message.attachment.payload;
    expect(payload.template_type).toBe('generic');
    expect(payload.elements[0]).toMatchObject({ title: 'Carta d’identità elettronica', subtitle: 'Si richiede su appuntamento', image_url: 'https://example.org/cie.png' });
    expect(payload.elements[0].buttons).toEqual([
      { type: 'web_url', url: 'https://example.org/prenota', title: 'Prenota…' },
      { type: 'postback', title: 'Costi', payload: 'quanto costa la carta d’identità' },
      { type: 'phone_number', title: 'Chiama', payload: '020202' },
    ]);
  });

  test('a card of only text and buttons becomes a button template', () => {
    const card = CardFactory.heroCard('', 'Vuoi parlare con un operatore?', [], [{ type: ActionTypes.ImBack, title: 'Sì', value: 'sì' }]);
    const [message] = messages(MessageFactory.attachment(card));
    expect(message.attachment.payload).toEqual({ template_type: 'button', text: 'Vuoi parlare con un operatore?', buttons: [{ type: 'postback', title: 'Sì', payload: 'sì' }] });
  });

  test('Markdown links become readable text', () => {
    expect(messages({ type: 'message', text: 'Vedi [il portale](https://www.comune.milano.it) e **subito**.' })).toEqual([{ text: 'Vedi il portale: https://www.comune.milano.it e subito.' }]);
  });

  test('typing becomes typing_on; events render nothing', () => {
    expect(renderActivity({ type: 'typing' }).outgoing).toEqual([{ kind: 'action', action: 'typing_on' }]);
    expect(renderActivity({ type: 'event', name: 'x' }).outgoing).toEqual([]);
  });

  test('cut counts characters as people see them', () => {
    expect(cut('👍 Utile', 20)).toBe('👍 Utile');
    expect(cut('👍'.repeat(25), 20)).toBe(`${'👍'.repeat(19)}…`);
  });

  test('cut keeps whole words: at the last word that fits, without trailing punctuation', () => {
    expect(cut('Parla con un operatore del 020202', 20)).toBe('Parla con un…');
    expect(cut('Documenti necessari, minori', 20)).toBe('Documenti necessari…');
    // A word ending exactly at the 19th character is whole.
    expect(cut('Quanto costa rinnov ancora', 20)).toBe('Quanto costa rinnov…');
    // One word longer than the room is cut inside: nothing better exists.
    expect(cut('Precipitevolissimevolmente', 20)).toBe('Precipitevolissimev…');
  });
});

describe('quick replies with a short title for short buttons', () => {
  test('a title over 20 characters shows the action’s short title, not a cut one; the payload is the whole value', () => {
    const [out] = messages({
      type: 'message',
      text: 'Non ho trovato una risposta.',
      suggestedActions: { to: [], actions: [imBack('Parla con un operatore', 'Parla con operatore'), { type: 'imBack', title: 'Parla con un operatore del Comune', value: 'x' }] },
    });
    expect(out.quick_replies).toEqual([
      { content_type: 'text', title: 'Parla con operatore', payload: 'Parla con un operatore' },
      { content_type: 'text', title: 'Parla con un…', payload: 'x' },
    ]);
  });
});

describe('quick replies from authored short titles', () => {
  test('a title of 20 characters or fewer is shown as is and the full value is the payload', () => {
    const actions = [
      { type: ActionTypes.ImBack, title: 'Costo della CIE', value: 'Quanto costa la carta d’identità elettronica' },
      { type: ActionTypes.ImBack, title: 'Minori di 18 anni 🧒', value: 'Carta d’identità per i minori di 18 anni' },
      { type: ActionTypes.ImBack, title: 'Prenotare in anagrafe', value: 'Dove prenotare l’appuntamento in anagrafe' },
    ];
    const [message] = messages(MessageFactory.suggestedActions(actions, 'Altro su questo tema'));
    expect(message.quick_replies).toEqual([
      { content_type: 'text', title: 'Costo della CIE', payload: 'Quanto costa la carta d’identità elettronica' },
      { content_type: 'text', title: 'Minori di 18 anni 🧒', payload: 'Carta d’identità per i minori di 18 anni' },
      // 21 characters: cut at the last whole word, the payload unchanged.
      { content_type: 'text', title: 'Prenotare in…', payload: 'Dove prenotare l’appuntamento in anagrafe' },
    ]);
  });
});
