// Floods Dialogo's Direct Line endpoint the way issue 11 describes (60 KB activities posted into
// fresh conversations for 10 s) and prints how much the heap and the state store grew.
// Run: node --expose-gc -r ts-node/register/transpile-only scripts/flood-directline.ts [addresses]
// `addresses` > 1 spreads the requests over that many client addresses (X-Forwarded-For behind one
// trusted proxy, TRUST_PROXY_HOPS=1), as a botnet would; the default is one address. DIRECTLINE_*
// variables in the environment set the limits (docs/directline.md); FLOOD_POSTS caps the activities
// posted into each conversation before the next one is started (default: until refused).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';

const SECONDS = 10;
const WORKERS = 8;
const PADDING = 'x'.repeat(60 * 1024 - 200);
const POSTS_PER_CONVERSATION = Number(process.env.FLOOD_POSTS ?? Infinity);

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const stat = statSync(file);
    total += stat.isDirectory() ? dirBytes(file) : stat.size;
  }
  return total;
}

function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const addresses = Math.max(1, Number(process.argv[2] ?? 1));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-flood-'));
  const dialogo = await startDialogo(
    loadConfig({
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('DIRECTLINE_'))),
      PORT: '0',
      HOST: '127.0.0.1',
      KB_DIR: 'knowledge-base',
      KB_WATCH: 'false',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      TRUST_PROXY_HOPS: addresses > 1 ? '1' : '0',
    }),
    createLogger('silent'),
  );
  const base = `http://127.0.0.1:${dialogo.port}/v3/directline`;
  const statuses = new Map<string, number>();
  const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
  let posted = 0;
  const heapBefore = heapBytes();
  const storeBefore = dirBytes(dataDir);
  const deadline = Date.now() + SECONDS * 1000;

  const worker = async (n: number) => {
    let i = n;
    while (Date.now() < deadline) {
      i += WORKERS;
      const from = { 'x-forwarded-for': `10.${(i % addresses) >> 16 & 255}.${((i % addresses) >> 8) & 255}.${(i % addresses) & 255}` };
      const generated = await fetch(`${base}/tokens/generate`, { method: 'POST', headers: from });
      const { token } = (await generated.json()) as { token: string };
      const started = await fetch(`${base}/conversations`, { method: 'POST', headers: { ...from, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      count(`start ${started.status}`);
      const conversation = (await started.json()) as { conversationId?: string; token?: string };
      if (started.status !== 201 || !conversation.conversationId) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      for (let n = 0; n < POSTS_PER_CONVERSATION; n += 1) {
        if (Date.now() >= deadline) return;
        const response = await fetch(`${base}/conversations/${conversation.conversationId}/activities`, {
          method: 'POST',
          headers: { ...from, authorization: `Bearer ${conversation.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'event', name: 'flood', value: PADDING }),
        });
        await response.text();
        count(`post ${response.status}`);
        if (response.status !== 200) break;
        posted += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const heapAfter = heapBytes();
  // Present since the caps (DurableConversationStore.heldBytes); absent on older code.
  const held = (dialogo.directLine.store as { heldBytes?: number }).heldBytes;
  const storeAfter = dirBytes(dataDir);
  await dialogo.stop();
  const storeStopped = dirBytes(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify(
      {
        seconds: SECONDS,
        addresses,
        postsPerConversation: String(POSTS_PER_CONVERSATION),
        activitiesAccepted: posted,
        postedMB: mb(posted * 60 * 1024),
        statuses: Object.fromEntries([...statuses].sort()),
        heapGrowthMB: mb(heapAfter - heapBefore),
        ...(held === undefined ? {} : { conversationsHeldMB: mb(held) }),
        storeGrowthMB: mb(storeAfter - storeBefore),
        storeAfterStopMB: mb(storeStopped),
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
