import { HUMAN_AGENT_WINDOW_MS, sendPolicy, STANDARD_WINDOW_MS } from '../../../src/channels/messenger/messaging-window';

const lastMessage = Date.parse('2026-11-20T10:00:00Z');
const after = (ms: number) => lastMessage + ms;
const MINUTE = 60_000;

describe('sendPolicy: Messenger messaging windows', () => {
  test('inside 24 hours the bot and operators answer as RESPONSE', () => {
    expect(sendPolicy(lastMessage, after(STANDARD_WINDOW_MS - MINUTE), 'bot')).toEqual({ allowed: true, messagingType: 'RESPONSE' });
    expect(sendPolicy(lastMessage, after(5 * MINUTE), 'operator')).toEqual({ allowed: true, messagingType: 'RESPONSE' });
  });

  test('after 24 hours the bot may no longer write', () => {
    const policy = sendPolicy(lastMessage, after(STANDARD_WINDOW_MS + MINUTE), 'bot');
    expect(policy).toMatchObject({ allowed: false, code: 'WINDOW_CLOSED_24H' });
  });

  test('between 24 hours and 7 days an operator writes with the HUMAN_AGENT tag', () => {
    expect(sendPolicy(lastMessage, after(STANDARD_WINDOW_MS), 'operator')).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(sendPolicy(lastMessage, after(HUMAN_AGENT_WINDOW_MS - MINUTE), 'operator')).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test('after 7 days even an operator is refused, with a reason the operator can act on', () => {
    const policy = sendPolicy(lastMessage, after(HUMAN_AGENT_WINDOW_MS + MINUTE), 'operator');
    expect(policy).toMatchObject({ allowed: false, code: 'WINDOW_CLOSED_7D' });
    expect(policy.allowed ? '' : policy.reason).toMatch(/7 giorni.*richiesta scritta/);
  });

  test('a citizen who never wrote cannot be written to', () => {
    expect(sendPolicy(undefined, lastMessage, 'operator')).toMatchObject({ allowed: false, code: 'NO_CITIZEN_MESSAGE' });
  });
});
