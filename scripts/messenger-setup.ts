// Sets the page's Messenger profile (Get Started, greeting, persistent menu in Italian and English).
// Usage: npm run messenger:setup [-- --dry-run]
// Reads MESSENGER_PAGE_ACCESS_TOKEN (and the other MESSENGER_* settings) like the server does.
import { ConfigError, loadConfig } from '../src/config';
import { GraphClient } from '../src/channels/messenger/graph-client';
import { messengerProfile } from '../src/channels/messenger/profile';
import { createLogger } from '../src/logger';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown[0]}\nusage: npm run messenger:setup [-- --dry-run]\n`);
    return 2;
  }
  const profile = messengerProfile();
  if (args.includes('--dry-run')) {
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 2;
  }
  if (!config.messenger) {
    process.stderr.write('Messenger is not configured: set MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN\n');
    return 2;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const graph = new GraphClient({ baseUrl: config.messenger.graphUrl, pageAccessToken: config.messenger.pageAccessToken, logger });
  try {
    await graph.setProfile(profile);
  } catch (error) {
    process.stderr.write(`Messenger profile not set: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write('Messenger profile set: Get Started button, greeting and persistent menu (it, en_US, en_GB)\n');
  return 0;
}

void main().then((code) => process.exit(code));
