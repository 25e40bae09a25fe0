import { KeyedSerialQueue } from '../../src/channels/keyed-serial-queue';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedSerialQueue', () => {
  test('work of one key runs one at a time and in order; other keys run alongside', async () => {
    const queue = new KeyedSerialQueue();
    const log: string[] = [];
    const step = (name: string) => async () => {
      log.push(`${name}+`);
      await tick();
      log.push(`${name}-`);
    };
    await Promise.all([queue.run('a', step('a1')), queue.run('a', step('a2')), queue.run('b', step('b1'))]);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });

  test('with a shared turn lock, two queues (two instances) never run the same key at once, and a failure releases it', async () => {
    const hub = new InProcessHub();
    const instances = [new InProcessCoordinator(hub), new InProcessCoordinator(hub)];
    const errors: unknown[] = [];
    const queues = instances.map((c) => new KeyedSerialQueue((error) => errors.push(error), (key, work) => c.withLock(`turn:${key}`, work)));
    let running = 0;
    let most = 0;
    const turn = (fail: boolean) => async () => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
      if (fail) throw new Error('turn failed');
    };
    const runs = [];
    for (let i = 0; i < 10; i += 1) runs.push((queues[i % 2] as KeyedSerialQueue).run('conv1', turn(i === 3)));
    await Promise.all(runs);
    expect(most).toBe(1);
    expect(errors).toHaveLength(1);
    // Without the lock the two queues overlap: the test above would see 2.
    const unlocked = [new KeyedSerialQueue(), new KeyedSerialQueue()];
    most = 0;
    await Promise.all([0, 1, 2, 3].map((i) => (unlocked[i % 2] as KeyedSerialQueue).run('conv1', turn(false))));
    expect(most).toBe(2);
  });
});
