import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';

describe('InProcessCoordinator', () => {
  test('consume allows limit events per window, then refuses (uncounted) until the window slides; keys apart', async () => {
    let now = 0;
    const coordinator = new InProcessCoordinator(new InProcessHub(() => now));
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push((await coordinator.consume('k', 3, 60_000)).allowed);
    expect(results).toEqual([true, true, true, false]);
    expect(await coordinator.consume('other', 3, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
    now = 59_000;
    expect(await coordinator.consume('k', 3, 60_000)).toEqual({ allowed: false, retryAfterMs: 1000 });
    now = 60_000;
    expect((await coordinator.consume('k', 3, 60_000)).allowed).toBe(true);
  });

  test('instances on one hub share limits, claims and values; one of them leads, the next takes over when it closes', async () => {
    let now = 0;
    const hub = new InProcessHub(() => now);
    const [a, b] = [new InProcessCoordinator(hub), new InProcessCoordinator(hub)];
    expect((await a.consume('k', 1, 1000)).allowed).toBe(true);
    expect((await b.consume('k', 1, 1000)).allowed).toBe(false);
    expect([await a.claimOnce('mid', 1000), await b.claimOnce('mid', 1000)]).toEqual([true, false]);
    await a.put('seen', '42', 500);
    expect(await b.getMany(['seen', 'none'])).toEqual(['42', undefined]);
    now = 500;
    expect(await b.getMany(['seen'])).toEqual([undefined]);
    const leading: string[] = [];
    a.elect('timers', (on) => leading.push(`a:${on}`));
    b.elect('timers', (on) => leading.push(`b:${on}`));
    await new Promise((resolve) => setImmediate(resolve));
    expect(leading).toEqual(['a:true']);
    hub.setHealth('degraded', 'test');
    expect(leading).toEqual(['a:true', 'a:false']);
    hub.setHealth('ok');
    await a.close();
    expect(leading).toEqual(['a:true', 'a:false', 'a:true', 'a:false', 'b:true']);
    expect(await b.members()).toEqual([b.instanceId]);
    await b.close();
  });

  test('messages reach every subscriber of the channel after the call, not before; unsubscribed ones stop', async () => {
    const hub = new InProcessHub();
    const [a, b] = [new InProcessCoordinator(hub), new InProcessCoordinator(hub)];
    const got: string[] = [];
    const off = await b.subscribe('dl:c1', (m) => got.push(`b:${m}`));
    await a.subscribe('dl:c1', (m) => got.push(`a:${m}`));
    await a.publish('dl:c1', '1');
    expect(got).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got.sort()).toEqual(['a:1', 'b:1']);
    await off();
    await a.publish('dl:c1', '2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toContain('a:2');
    expect(got).not.toContain('b:2');
  });

  test('expired values, claims and empty windows are forgotten, not kept for ever', async () => {
    let now = 0;
    const hub = new InProcessHub(() => now);
    const coordinator = new InProcessCoordinator(hub);
    for (let i = 0; i < 100; i += 1) {
      await coordinator.put(`diverted/directline/c${i}`, '1', 1000);
      await coordinator.claimOnce(`mid-${i}`, 1000);
      await coordinator.consume(`dl-post:c${i}`, 60, 1000);
    }
    expect(hub.values.size).toBe(200);
    now = 61_000;
    await coordinator.put('fresh', '1', 1000);
    expect([...hub.values.keys()]).toEqual(['value:fresh']);
    expect(hub.windows.size).toBe(0);
  });
});
