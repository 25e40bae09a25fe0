import { ElectedJobs } from '../../src/cluster/elected-jobs';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { createLogger } from '../../src/logger';
import { sleep as wait, waitFor } from './wait';

describe('ElectedJobs', () => {
  const logger = createLogger('silent');

  test('of three instances only the elected one runs the job; when it stops, another takes over', async () => {
    const hub = new InProcessHub();
    const runs: string[] = [];
    const instances = ['a', 'b', 'c'].map(
      (name) => new ElectedJobs(new InProcessCoordinator(hub), [{ name: 'sweep', intervalMs: 20, run: async () => void runs.push(name), runWhenElected: true }], logger),
    );
    instances.forEach((jobs) => jobs.start());
    await waitFor(() => runs.length >= 3, 5000, 'three runs of the job');
    expect(new Set(runs)).toEqual(new Set(['a']));
    await instances[0]?.stop();
    runs.length = 0;
    await waitFor(() => runs.length >= 3, 5000, 'three runs after the leader stopped');
    expect(new Set(runs)).toEqual(new Set(['b']));
    await Promise.all(instances.map((jobs) => jobs.stop()));
  });

  test('nobody runs the jobs while the coordinator is degraded; a run never overlaps itself; stop waits for the run in progress', async () => {
    const hub = new InProcessHub();
    let active = 0;
    let most = 0;
    let runs = 0;
    const jobs = new ElectedJobs(
      new InProcessCoordinator(hub),
      [{ name: 'slow', intervalMs: 10, run: async () => { active += 1; runs += 1; most = Math.max(most, active); await wait(45); active -= 1; } }],
      logger,
    );
    jobs.start();
    await waitFor(() => runs >= 3, 5000, 'three runs of the slow job');
    expect(most).toBe(1);
    hub.setHealth('degraded', 'test');
    expect(jobs.isLeading).toBe(false);
    await wait(60);
    const before = runs;
    await wait(60);
    expect(runs).toBe(before);
    await jobs.stop();
    expect(active).toBe(0);
  });
});
