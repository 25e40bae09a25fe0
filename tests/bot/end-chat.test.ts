import { rmSync } from 'node:fs';
import { isEndChat } from '../../src/bot/handoff-messages';
import { loadConfig } from '../../src/config';
import type { LifecycleEvent } from '../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 5 };

describe('the words that end a chat with the operator', () => {
  test.each(['esci', 'Esci!', 'termina', 'Termina.', 'chiudi la chat', 'fine chat', 'stop', 'STOP', 'Termina la chat con l’operatore', "termina la chat con l'operatore", 'exit', 'End chat', 'end the chat', 'quit', 'End chat with the operator'])(
    '"%s" ends it',
    (text) => expect(isEndChat(text)).toBe(true),
  );

  test.each(['non riesco a uscire di casa per andare all’anagrafe', 'quando termina la scadenza della TARI?', 'esci tu dalla ZTL?', 'stop alle multe', 'how do I exit the ZTL', 'the chat is fine', 'fine', 'grazie, è tutto', ''])(
    '"%s" is a message for the operator',
    (text) => expect(isEndChat(text)).toBe(false),
  );
});

describe('a citizen ends a connected chat through the handoff gate (Direct Line)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const steps: string[] = [];

  /** Queues the citizen with these four turns and gives the conversation to giulia. */
  const connect = async (citizen: DirectLineCitizen, turns: readonly string[]) => {
    for (const text of turns) await citizen.say(text);
    const session = await dialogo.handoff.activeFor('directline', citizen.conversationId);
    expect(session?.state).toBe('queued');
    await dialogo.handoff.claim(session!.id, giulia);
    await citizen.waitFor((a) => a.channelData?.dialogo?.handoff?.state === 'connected');
    return session!.id;
  };

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', DIRECTLINE_CONVERSATIONS_PER_MINUTE: '1000' }),
      createLogger('silent'),
    );
    // A console is open: with nobody available a citizen is offered the written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 5 }, true);
    dialogo.handoff.on('lifecycle', (event: LifecycleEvent) => steps.push(`${event.session.conversationId}:${event.state}:${event.session.outcome ?? ''}`));
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('in Italian: a sentence with "uscire" goes to the operator; "Termina" ends the chat and the bot answers again', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    const id = await connect(citizen, ['voglio parlare con un operatore', 'sì', 'ho perso la tessera sanitaria', 'acconsento']);

    expect(await citizen.say('non riesco a uscire di casa, posso fare tutto online?')).toEqual([]);
    expect((await dialogo.handoff.get(id))?.messages.map((m) => m.text)).toContain('non riesco a uscire di casa, posso fare tutto online?');

    const [ended, ...rest] = await citizen.say('Termina');
    expect(rest).toEqual([]);
    expect(ended.text).toBe('Hai chiuso la chat con l’operatore. Sono di nuovo Dialogo: se hai altre domande, scrivimi.');
    expect(ended.channelData.dialogo.handoff.state).toBe('closed');
    expect(await dialogo.handoff.get(id)).toMatchObject({ state: 'closed', outcome: 'citizen-ended' });
    expect(steps).toContain(`${citizen.conversationId}:closed:citizen-ended`);

    const answer = await citizen.say("quanto costa la carta d'identità?");
    expect(answer.map((a) => a.text).join(' ')).toMatch(/22,20 €/);
  });

  test('in English: the button’s words end the chat, told in English', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    const id = await connect(citizen, ['I want to talk to an operator', 'yes', 'I lost my health card', 'I agree']);
    expect((await dialogo.handoff.get(id))?.language).toBe('en');
    const [ended] = await citizen.say('End chat with the operator');
    expect(ended.text).toMatch(/^You ended the chat with the operator\. It is me, Dialogo, again/);
    expect(await dialogo.handoff.get(id)).toMatchObject({ state: 'closed', outcome: 'citizen-ended' });
  });
});
