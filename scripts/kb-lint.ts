// npm run kb:lint [-- --kb DIR]: schema errors, duplicated or too similar samples, stale reviews.
// Exit code 1 when there is an error; warnings are printed for the editors to judge.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { lintKnowledgeBase } from '../src/knowledge/lint';
import { KnowledgeBaseError, loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { loadOutOfScope } from '../src/nlu/out-of-scope';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kb: { type: 'string', default: 'knowledge-base' } } });
  const dir = path.resolve(values.kb);
  try {
    await loadOutOfScope(dir);
    const kb = await loadKnowledgeBase(dir);
    const findings = lintKnowledgeBase(kb, new Date());
    for (const f of findings) process.stdout.write(`${f.level}: ${f.topicId}: ${f.message}\n`);
    const errors = findings.filter((f) => f.level === 'error').length;
    process.stdout.write(`${kb.size} topics, ${errors} errors, ${findings.length - errors} warnings\n`);
    if (errors > 0) process.exitCode = 1;
  } catch (error) {
    if (error instanceof KnowledgeBaseError) {
      process.stdout.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`kb:lint: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
