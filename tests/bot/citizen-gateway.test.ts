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
    ['it', 'Giulia', 'Sei in contatto con Giulia del contact center 020202. Scrivi pure.', 'Giulia (020202): Buongiorno.'],
    ['en', 'Giulia', 'You are now talking to Giulia of the 020202 contact centre. Go ahead.', 'Giulia (020202): Buongiorno.'],
    ['it', null, 'Sei in contatto con un operatore del contact center 020202. Scrivi pure.', 'Operatore (020202): Buongiorno.'],
    ['en', null, 'You are now talking to an operator of the 020202 contact centre. Go ahead.', 'Operator (020202): Buongiorno.'],
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
