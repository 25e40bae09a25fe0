// npm run demo:seed [-- --days 800] [--per-day 30] [--seed 7]
// Synthetic traffic for a first look at the dashboard: citizens ask the knowledge base's own
// sample questions (and a few questions it does not cover) through the real bot pipeline, on
// the portal widget (Direct Line, in-process) and on Messenger (webhook events, with a local
// stand-in for the Graph API), with a weekly and seasonal rhythm, ratings, handoffs that
// operators claim and close, citizens who leave the queue, and written requests outside office
// hours. A fake clock walks through the days, so events, handoffs and rollups carry those dates.
// The communications of knowledge-base/communications.yaml raise the demand of their topics
// around their dates (see `communicationUplift`), so that the forecast has effects to learn.
// It writes to the configured store (DATA_DIR or MONGODB_URI), like `npm start`.
// Two years by default: the forecast's yearly terms need a year of history before an origin, and
// a backtest's origins span the last half-year (docs/forecast.md).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { isCityHoliday } from '../src/forecast/calendar-days';
import { startDialogo, type Dialogo } from '../src/index';
import { topicBoost } from './demo-communications';
import type { Referral } from '../src/knowledge/referral-schema';
import type { Topic } from '../src/knowledge/topic-schema';
import { createLogger } from '../src/logger';
import { seededRandom } from '../src/seeded-random';

const DAY_MS = 24 * 60 * 60 * 1000;
const MESSENGER_SECRET = 'demo-seed-app-secret';
const PAGE_ID = '104857600000001';
/** Questions the knowledge base does not cover (written for the demo): they show up as knowledge gaps. */
const UNCOVERED: Record<'it' | 'en', readonly (readonly string[])[]> = {
  it: [
    ['orari piscina comunale', 'a che ora apre la piscina comunale', 'piscine comunali orari estivi'],
    ['orari del cimitero maggiore', 'quando apre il cimitero', 'orario cimitero la domenica'],
    ['dove lascio la bici rubata ritrovata', 'ho ritrovato una bicicletta rubata a chi la porto'],
    ['come prenoto il campo da calcio comunale', 'affitto campo sportivo del comune'],
  ],
  en: [['swimming pool opening hours', 'when does the city pool open']],
};
/** Relative weight of each weekday (Monday first) and month (January first). */
const WEEKDAY = [1.35, 1.2, 1.1, 1.05, 1.0, 0.6, 0.35];
const MONTH = [1.15, 1.05, 1.0, 1.0, 1.1, 1.0, 0.8, 0.55, 1.2, 1.05, 1.1, 1.05];
/** Topics that peak in some months (1-based months). */
const SEASONAL: Record<string, readonly number[]> = {
  'tari-pagamento': [4, 5, 11, 12],
  'refezione-scolastica': [9, 10],
  'nidi-infanzia-iscrizioni': [1, 2, 3],
  'tessera-elettorale': [5, 6],
  'area-b': [1, 10],
  imu: [6, 12],
};
const OPERATORS = [
  { name: 'giulia', role: 'operator' as const, maxConcurrent: 3 },
  { name: 'marco', role: 'operator' as const, maxConcurrent: 3 },
  { name: 'sara', role: 'supervisor' as const, maxConcurrent: 3 },
];


interface Stats {
  conversations: number;
  turns: number;
  handoffs: number;
  tickets: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: 'string', default: '800' }, 'per-day': { type: 'string', default: '30' }, seed: { type: 'string', default: '7' } } });
  const days = Number(values.days);
  const perDay = Number(values['per-day']);
  if (!Number.isInteger(days) || days < 1 || days > 1000) throw new Error('--days must be a whole number from 1 to 1000');
  if (!Number.isFinite(perDay) || perDay < 1 || perDay > 500) throw new Error('--per-day must be from 1 to 500');
  const random = seededRandom(Number(values.seed));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  // The Graph API stand-in: Messenger answers go nowhere, successfully.
  const graph = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // Not chained: restify, loaded in this process, patches ServerResponse#writeHead to return nothing.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"message_id":"m_demo"}');
    });
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));

  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - days * DAY_MS);
  let clock = start;
  const env = process.env;
  const config = loadConfig({
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    KB_WATCH: 'false',
    LOG_LEVEL: 'warn',
    OFFICE_HOURS: env.OFFICE_HOURS ?? 'default',
    // Events older than the retention would be purged at the next start; the rollups stay.
    RETENTION_DAYS: String(Math.max(Number(env.RETENTION_DAYS ?? 180), days + 31)),
    MESSENGER_APP_SECRET: MESSENGER_SECRET,
    MESSENGER_VERIFY_TOKEN: 'demo-seed-verify',
    MESSENGER_PAGE_ACCESS_TOKEN: 'demo-seed-token',
    MESSENGER_GRAPH_URL: `http://127.0.0.1:${(graph.address() as AddressInfo).port}/v25.0`,
    MESSENGER_PAGE_ID: PAGE_ID,
  });
  // A tool, not the server: it may write into the store a running server holds (its own conversations).
  const dialogo = await startDialogo(config, createLogger('warn'), { now: () => clock, instanceLock: false });
  // The shift's consoles are open: within hours a citizen who asks is queued, not sent to a written request.
  for (const operator of OPERATORS) dialogo.handoff.operatorOnline(operator, true);
  const { kb } = dialogo.runtime.current();
  const topics = [...kb.topics];
  const { referrals } = kb;
  const { communications } = kb.calendar;
  const stats: Stats = { conversations: 0, turns: 0, handoffs: 0, tickets: 0 };
  const began = Date.now();

  try {
    for (let day = 0; day < days; day += 1) {
      const date = new Date(start.getTime() + day * DAY_MS);
      const isoDay = date.toISOString().slice(0, 10);
      // A holiday is as quiet as a Sunday: the city's offices and 020202 are closed.
      const weekday = isCityHoliday(isoDay) ? 6 : (date.getUTCDay() + 6) % 7;
      const month = date.getUTCMonth();
      const boost = topicBoost(communications, isoDay);
      // The day's demand: the rhythm, the communications' extra demand on their topics, and a
      // little unexplained day-to-day variation (±5 %) besides the Poisson-like noise of the draws.
      const expected = perDay * (WEEKDAY[weekday] ?? 1) * (MONTH[month] ?? 1) * demandFactor(topics, month + 1, boost) * (0.95 + random() * 0.1);
      const count = Math.max(0, Math.round(expected));
      // Start times between 07:00 and 23:00 Rome (UTC+1 roughly), most in office hours, in order.
      const starts = Array.from({ length: count }, () => date.getTime() + (6 + Math.floor(random() * 16)) * 3_600_000 + Math.floor(random() * 3_600_000)).sort((a, b) => a - b);
      for (const [i, at] of starts.entries()) {
        clock = new Date(Math.max(at, clock.getTime() + 1000));
        await conversation(dialogo, `${day}-${i}`, month + 1, topics, referrals, boost, random, pick, stats, () => clock, (ms) => (clock = new Date(clock.getTime() + ms)));
      }
      if ((day + 1) % 30 === 0 || day === days - 1) {
        process.stdout.write(`${date.toISOString().slice(0, 10)}: ${stats.conversations} conversations, ${stats.turns} turns, ${stats.handoffs} handoffs, ${stats.tickets} written requests\n`);
      }
    }
  } finally {
    await dialogo.stop();
    graph.close();
  }
  process.stdout.write(`${JSON.stringify({ days, ...stats, from: start.toISOString().slice(0, 10), seconds: Math.round((Date.now() - began) / 1000) })}\n`);
}

/** One citizen's conversation, on a channel, in a language, with what they do. */
async function conversation(
  dialogo: Dialogo,
  id: string,
  month: number,
  topics: readonly Topic[],
  referrals: readonly Referral[],
  boost: ReadonlyMap<string, number>,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  stats: Stats,
  now: () => Date,
  advance: (ms: number) => void,
): Promise<void> {
  stats.conversations += 1;
  const language = random() < 0.08 ? 'en' : 'it';
  const messenger = random() < 0.25;
  const say = messenger ? await messengerCitizen(dialogo, id, now) : await webCitizen(dialogo, id, language);
  const turn = async (text: string) => {
    advance(15_000 + Math.floor(random() * 75_000));
    stats.turns += 1;
    await say(text);
  };
  const roll = random();
  if (roll < 0.08) {
    if (random() < 0.5) await turn(language === 'en' ? 'hello' : 'ciao');
    return; // unengaged: opened the chat, asked nothing
  }
  if (roll < 0.15) {
    const group = pick(language === 'en' ? UNCOVERED.en : UNCOVERED.it);
    await turn(pick(group));
    if (random() < 0.5) {
      await turn(pick(group)); // the second miss: the bot offers a person
      if (random() < 0.4) await handoffFlow(dialogo, turn, random, stats, advance, language, true);
      else await turn(language === 'en' ? 'no' : 'no');
    }
    return;
  }
  if (roll < 0.18 && referrals.length > 0) {
    // A matter of another administration (a passport, the codice fiscale): the bot says who handles it.
    await turn(pick(pick(referrals).samples[language]));
    if (random() < 0.3) await turn(language === 'en' ? 'thanks' : 'grazie');
    return;
  }
  const topic = weightedTopic(topics, month, boost, random);
  await turn(pick(topic.samples[language]));
  const rating = random();
  if (rating < 0.32) await turn('👍');
  else if (rating < 0.4) {
    await turn('👎');
    if (random() < 0.5) await handoffFlow(dialogo, turn, random, stats, advance, language, false);
    return;
  }
  if (random() < 0.25) await turn(pick(weightedTopic(topics, month, boost, random).samples[language]));
  if (random() < 0.06) await handoffFlow(dialogo, turn, random, stats, advance, language, false);
}

/** Asks for a person, then follows what the bot offers: the queue or a written request. */
async function handoffFlow(
  dialogo: Dialogo,
  turn: (text: string) => Promise<void>,
  random: () => number,
  stats: Stats,
  advance: (ms: number) => void,
  language: 'it' | 'en',
  alreadyOffered: boolean,
): Promise<void> {
  const en = language === 'en';
  if (!alreadyOffered) await turn(en ? 'I want to talk to an operator' : 'voglio parlare con un operatore');
  const open = (await dialogo.handoff.availability()).open;
  await turn(en ? 'yes' : 'sì');
  if (!open) {
    await turn(`cittadino.${Math.floor(random() * 1e6)}@example.org`);
    await turn(en ? 'I need help with my case, please write back' : 'ho bisogno di aiuto per la mia pratica, rispondetemi per favore');
    await turn(en ? 'Confirm' : 'Conferma');
    stats.tickets += 1;
    return;
  }
  await turn(en ? 'question about my payment' : 'domanda sul mio pagamento');
  await turn(en ? 'I agree' : 'acconsento');
  const session = (await dialogo.handoff.queue()).find((e) => e.session.state === 'queued')?.session;
  if (!session) return;
  stats.handoffs += 1;
  advance(30_000 + Math.floor(random() * 600_000));
  if (random() < 0.18) {
    await turn(en ? 'leave' : 'esci');
    return;
  }
  const operator = OPERATORS[Math.floor(random() * OPERATORS.length)]!;
  await dialogo.handoff.claim(session.id, operator);
  await dialogo.handoff.operatorMessage(session.id, operator, en ? 'Good morning, how can I help?' : 'Buongiorno, come posso aiutarla?');
  await turn(en ? 'thank you' : 'grazie, ecco il mio caso');
  advance(120_000 + Math.floor(random() * 780_000));
  const outcome = random() < 0.7 ? 'resolved' : random() < 0.5 ? 'callback' : 'written-request';
  // A callback needs the number the citizen gave: a made-up Milan number (from the phone code, so the seed's random sequence is unchanged).
  await dialogo.handoff.close(session.id, operator, outcome, outcome === 'callback' ? { callbackNumber: `02 55${session.phoneCode}`, note: en ? 'call back in the afternoon' : 'richiamare nel pomeriggio' } : {});
}

function topicWeights(topics: readonly Topic[], month: number): number[] {
  return topics.map((t) => (SEASONAL[t.id]?.includes(month) ? 4 : 1) * (['carta-identita', 'tari-pagamento', 'multe-pagamento', 'area-c', 'certificati-anagrafici'].includes(t.id) ? 3 : 1));
}

function weightedTopic(topics: readonly Topic[], month: number, boost: ReadonlyMap<string, number>, random: () => number): Topic {
  const weights = topicWeights(topics, month).map((w, i) => w * (1 + (boost.get(topics[i]!.id) ?? 0)));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (const [i, w] of weights.entries()) {
    r -= w;
    if (r <= 0) return topics[i]!;
  }
  return topics[topics.length - 1]!;
}

/** How much busier the day is for the communications: their topics' extra weight, on the 85 % of conversations that ask a topic. */
function demandFactor(topics: readonly Topic[], month: number, boost: ReadonlyMap<string, number>): number {
  if (boost.size === 0) return 1;
  const weights = topicWeights(topics, month);
  const base = weights.reduce((a, b) => a + b, 0);
  const boosted = weights.reduce((a, w, i) => a + w * (1 + (boost.get(topics[i]!.id) ?? 0)), 0);
  return 0.15 + (0.85 * boosted) / base;
}

/** A citizen on the portal widget: Dialogo's Direct Line, in-process. */
async function webCitizen(dialogo: Dialogo, id: string, language: 'it' | 'en'): Promise<(text: string) => Promise<void>> {
  const locale = language === 'en' ? 'en-US' : 'it-IT';
  const conversation = await dialogo.directLine.store.create({ id: `demo-${id}`, userId: `dl_demo_${id}`, locale, serviceUrl: 'http://localhost/v3/directline' });
  await dialogo.directLine.startConversation(conversation);
  return async (text) => {
    await dialogo.directLine.receiveActivity(conversation, { type: 'message', text, locale, from: { id: conversation.userId, name: '' } });
  };
}

/** A citizen on Messenger: webhook events handed to the adapter, as the route does once the signature is checked. */
async function messengerCitizen(dialogo: Dialogo, id: string, now: () => Date): Promise<(text: string) => Promise<void>> {
  const psid = `79${id.replace('-', '0').padStart(14, '0')}`;
  let n = 0;
  return async (text) => {
    n += 1;
    const at = now().getTime();
    const body = { object: 'page' as const, entry: [{ id: PAGE_ID, time: at, messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: at, message: { mid: `m_demo_${id}_${n}`, text } }] }] };
    await dialogo.messenger!.processWebhook(body);
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`demo:seed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
