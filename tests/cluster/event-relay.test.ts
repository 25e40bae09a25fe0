import { EventEmitter } from 'node:events';
import { EventRelay } from '../../src/cluster/event-relay';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { createLogger } from '../../src/logger';

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
/** Waits for a delivery (2 s at most: a loaded CI machine can take more than one 10 ms settle). */
async function delivered(check: () => boolean): Promise<void> {
  for (const started = Date.now(); !check() && Date.now() - started < 2000; ) await settle();
}

describe('EventRelay', () => {
  const logger = createLogger('silent');

  test('an event emitted on A is emitted on B with its arguments, once; events not named stay local; nothing echoes back', async () => {
    const hub = new InProcessHub();
    const [a, b] = [new EventEmitter(), new EventEmitter()];
    const relays = [new EventRelay(new InProcessCoordinator(hub), logger), new EventRelay(new InProcessCoordinator(hub), logger)];
    await relays[0]?.relay(a, 'handoff', ['session', 'queue']);
    await relays[1]?.relay(b, 'handoff', ['session', 'queue']);
    const onA: unknown[] = [];
    const onB: unknown[] = [];
    a.on('session', (s) => onA.push(s));
    b.on('session', (s) => onB.push(s));
    b.on('lifecycle', (e) => onB.push(e));
    a.emit('session', { id: 's1', state: 'connected', operator: 'giulia' });
    a.emit('lifecycle', { state: 'connected' });
    await delivered(() => onB.length > 0);
    // A while more, for an echo or a second delivery to show up if there were one.
    await settle();
    expect(onB).toEqual([{ id: 's1', state: 'connected', operator: 'giulia' }]);
    expect(onA).toHaveLength(1);
    await Promise.all(relays.map((r) => r.stop()));
  });

  test('a message that is not a relayed event is ignored without stopping the relay', async () => {
    const hub = new InProcessHub();
    const coordinator = new InProcessCoordinator(hub);
    const b = new EventEmitter();
    const relay = new EventRelay(new InProcessCoordinator(hub), logger);
    await relay.relay(b, 'handoff', ['queue']);
    let queued = 0;
    b.on('queue', () => (queued += 1));
    await coordinator.publish('events', 'not json');
    await coordinator.publish('events', JSON.stringify({ from: 'x', source: 'handoff' }));
    await coordinator.publish('events', JSON.stringify({ from: 'x', source: 'handoff', event: 'queue', args: [] }));
    await delivered(() => queued > 0);
    await settle();
    expect(queued).toBe(1);
    await relay.stop();
  });
});
