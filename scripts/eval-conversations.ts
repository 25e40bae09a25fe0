// npm run --silent eval:conversations -- FILE... [--kb DIR]
// Runs each conversation of the JSON-lines FILEs through the bot as a citizen would (the real
// knowledge base, recognizer and dialogs, one fresh conversation each) and judges every turn:
// the topic answered, the facet, and whether the fact asked is in the reply's first 240
// characters. Misses go to stderr; the last line of stdout is the summary as one JSON object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConversationState, MemoryStorage, TestAdapter, UserState, type Activity } from 'botbuilder';
import { MainDialog } from '../dialogs/main-dialog';
import { judgeTurn, parseConversations, summarizeConversations, type TurnResult } from '../src/bot/conversation-evaluation';
import type { DialogoData } from '../src/bot/dialogo-data';
import { DialogoBot } from '../src/bot/dialogo-bot';
import { loadLocalRecognizer } from '../src/nlu/load-local-recognizer';

const CONTACT = { hoursIt: 'dal lunedì al sabato, 8-18', hoursEn: 'Monday to Saturday, 8 am to 6 pm', writtenRequestUrl: 'https://www.comune.milano.it' };

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { kb: { type: 'string', default: 'knowledge-base' } } });
  if (positionals.length === 0) throw new Error('usage: npm run --silent eval:conversations -- FILE... [--kb DIR]');
  const conversations = positionals.flatMap((file) => {
    try {
      return parseConversations(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
  });
  const runtime = await loadLocalRecognizer(path.resolve(values.kb));
  const known = new Set([...runtime.kb.entries.map((e) => e.id), 'none', 'handoff']);
  for (const c of conversations) {
    for (const t of c.turns) {
      if (!known.has(t.expected)) throw new Error(`${c.id}: "${t.expected}" is no topic or referral of ${values.kb}`);
      const topic = runtime.kb.get(t.expected);
      if (t.facet && t.facet !== 'overview' && !topic?.facets.some((f) => f.id === t.facet)) throw new Error(`${c.id}: ${t.expected} has no facet "${t.facet}"`);
    }
  }
  const results: TurnResult[] = [];
  for (const conversation of conversations) {
    const storage = new MemoryStorage();
    const bot = new DialogoBot(new ConversationState(storage), new UserState(storage), new MainDialog({ runtime: () => runtime, contact: CONTACT }));
    const adapter = new TestAdapter((context) => bot.run(context));
    for (const [i, turn] of conversation.turns.entries()) {
      adapter.activeQueue.length = 0;
      await adapter.receiveActivity(turn.text);
      const replies = adapter.activeQueue.splice(0) as Partial<Activity>[];
      const last = replies.filter((r) => (r.channelData as { dialogo?: unknown } | undefined)?.dialogo).at(-1);
      const result = judgeTurn(conversation.id, i + 1, turn, { text: last?.text ?? '', data: (last?.channelData as { dialogo?: DialogoData } | undefined)?.dialogo });
      results.push(result);
      const wrong = !result.topicRight || result.facetRight === false || result.factOnFirstScreen === false;
      if (wrong) process.stderr.write(`${conversation.id} #${i + 1}: expected ${turn.expected}${turn.facet ? `/${turn.facet}` : ''}${turn.fact ? ` with "${turn.fact}"` : ''}, got ${result.got}${result.factOnFirstScreen === false ? ' (fact not in the first 240 characters)' : ''}: ${turn.text}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify(summarizeConversations(results))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:conversations: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
