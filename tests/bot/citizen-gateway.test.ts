import { renderNotice } from '../../src/bot/citizen-gateway';
import type { HandoffSession } from '../../src/storage/ports';

function session(language: 'it' | 'en'): HandoffSession {
  return {
    id: 's1',
    channel: 'directline',
    conversationId: 'c1',
    reference: {},
    language,
    topicId: 'tari-pagamento',
    description: 'rimborso TARI',
    phoneCode: '123456',
    state: 'connected',
    queuedAt: '2026-12-01T09:00:00.000Z',
    // The login: the console's business, never the citizen's.
    operator: 'giulia.rossi',
    transcript: [],
    messages: [],
  };
}

describe('what the citizen reads of an operator', () => {
  test.each([
    ['it', 'Giulia', 'Sei in contatto con Giulia del contact center 020202. Scrivi pure. Per chiudere la chat scrivi «termina».', 'Giulia (020202): Buongiorno.'],
    ['en', 'Giulia', 'You are now talking to Giulia of the 020202 contact centre. Go ahead. To end the chat, type “end chat”.', 'Giulia (020202): Buongiorno.'],
    ['it', null, 'Sei in contatto con un operatore del contact center 020202. Scrivi pure. Per chiudere la chat scrivi «termina».', 'Operatore (020202): Buongiorno.'],
    ['en', null, 'You are now talking to an operator of the 020202 contact centre. Go ahead. To end the chat, type “end chat”.', 'Operator (020202): Buongiorno.'],
  ] as const)('in %s, display name %s', (language, displayName, connected, message) => {
    const s = session(language);
    expect(renderNotice(s, { kind: 'connected', operator: displayName }).text).toBe(connected);
    expect(renderNotice(s, { kind: 'operator-message', operator: displayName, text: 'Buongiorno.' }).text).toBe(message);
    for (const text of [connected, message]) expect(text).not.toContain('giulia.rossi');
  });
});

describe('what the citizen reads when the person changes or nobody is available', () => {
  test.each([
    ['it', 'Marco', 'Ora sei in contatto con Marco del contact center 020202.'],
    ['en', 'Marco', 'You are now talking to Marco of the 020202 contact centre.'],
    ['it', null, 'Ora sei in contatto con un operatore del contact center 020202.'],
  ] as const)('operator changed, in %s, display name %s', (language, displayName, text) => {
    const activity = renderNotice(session(language), { kind: 'operator-changed', operator: displayName });
    expect(activity.text).toBe(text);
    expect(activity.channelData).toMatchObject({ dialogo: { handoff: { state: 'connected' } } });
  });

  test('a position without an estimate says that nobody is available, not "under a minute"', () => {
    expect(renderNotice({ ...session('it'), state: 'queued' }, { kind: 'position', position: 2, etaSeconds: null }).text).toBe(
      'Sei in coda: posizione 2, attesa stimata non calcolabile (al momento nessun operatore è disponibile). Scrivi «esci» per tornare da me.',
    );
  });
});

describe('notices of citizens who leave, end a chat or go silent', () => {
  const buttons = (activity: ReturnType<typeof renderNotice>) => (activity.suggestedActions?.actions ?? []).map((a) => a.title);

  test.each([
    ['it', 'Termina la chat con l’operatore'],
    ['en', 'End chat with the operator'],
  ] as const)('in %s the connected notice carries the end-chat button', (language, button) => {
    expect(buttons(renderNotice(session(language), { kind: 'connected', operator: 'Giulia' }))).toEqual([button]);
  });

  test.each([
    ['it', /Vuoi continuare ad attendere un operatore\?.*richiesta scritta/, ['Sì, attendo', 'No, lascio perdere', 'Richiesta scritta']],
    ['en', /Do you still want to wait for an operator\?.*written request/, ['Yes, I will wait', 'No, never mind', 'Written request']],
  ] as const)('in %s the still-waiting question offers waiting, giving up and the written request', (language, text, expected) => {
    const activity = renderNotice({ ...session(language), state: 'queued' }, { kind: 'still-waiting' });
    expect(activity.text).toMatch(text);
    expect(buttons(activity)).toEqual(expected);
  });

  test.each([
    ['it', /^La chat con l’operatore è stata chiusa perché nessuno scriveva da un po’\. Sono di nuovo Dialogo/],
    ['en', /^The chat with the operator was closed because nobody had written for a while\. It is me, Dialogo, again/],
  ] as const)('in %s a chat closed for inactivity says so', (language, text) => {
    const activity = renderNotice(session(language), { kind: 'closed', outcome: 'idle' });
    expect(activity.text).toMatch(text);
    expect(activity.channelData).toMatchObject({ dialogo: { handoff: { state: 'closed' } } });
  });

  test.each([
    ['it', 'away', 'Ti ho tolto dalla coda perché non ti ho più sentito. Se hai ancora bisogno di un operatore, scrivi «operatore».'],
    ['en', 'no-answer', 'I took you out of the queue because I did not hear from you. If you still need an operator, type “operator”.'],
  ] as const)('in %s a citizen taken out of the queue (%s) is told why', (language, outcome, text) => {
    expect(renderNotice({ ...session(language), state: 'abandoned' }, { kind: 'closed', outcome }).text).toBe(text);
  });
});
