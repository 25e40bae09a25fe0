import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { messengerProfile } from '../../../src/channels/messenger/profile';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';
import * as fb from '../../fixtures/messenger-payloads';
import { tempDataDir } from '../../fixtures/runtime';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

describe('messenger:setup', () => {
  test('the profile has Get Started, a greeting and a three-item menu in Italian and English', () => {
    const profile = messengerProfile() as any;
    expect(profile.get_started).toEqual({ payload: 'DIALOGO_GET_STARTED' });
    expect(profile.greeting.map((g: { locale: string }) => g.locale)).toEqual(['default', 'en_US', 'en_GB']);
    const [it, en] = profile.persistent_menu;
    expect(it.locale).toBe('default');
    expect(it.call_to_actions.map((a: { payload: string }) => a.payload)).toEqual(['DIALOGO_MENU:frequent:it', 'DIALOGO_MENU:operator:it', 'DIALOGO_MENU:contacts:it']);
    expect(en.call_to_actions.map((a: { title: string }) => a.title)).toEqual(['Frequent questions', 'Talk to an operator', 'City contacts']);
  });

  test('the script posts the profile to the Messenger Profile API', async () => {
    const graph = await FakeGraphApi.start();
    try {
      const { stdout } = await run('npx', ['ts-node', '--swc', 'scripts/messenger-setup.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATA_DIR: tempDataDir(),
          MESSENGER_APP_SECRET: fb.APP_SECRET,
          MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN,
          MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN,
          MESSENGER_GRAPH_URL: graph.url,
        },
      });
      expect(stdout).toMatch(/Messenger profile set/);
      expect(graph.requests).toHaveLength(1);
      expect(graph.requests[0]).toMatchObject({ path: '/v25.0/me/messenger_profile', accessToken: fb.PAGE_TOKEN, body: messengerProfile() });
    } finally {
      await graph.close();
    }
  });

  test('without Messenger settings the script says what to set and exits 2', async () => {
    const failure = await run('npx', ['ts-node', '--swc', 'scripts/messenger-setup.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', MESSENGER_APP_SECRET: '', MESSENGER_VERIFY_TOKEN: '', MESSENGER_PAGE_ACCESS_TOKEN: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('MESSENGER_PAGE_ACCESS_TOKEN') });
  });
});
