// npm run kb:lint [-- --kb DIR] [-- --developer]: schema errors in the editors' Italian (file, line,
// field, what to do), then duplicated or too similar samples and stale reviews. --developer adds
// the English schema messages. Exit code 1 when there is an error; warnings are for editors to judge.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { KnowledgeBaseProblem } from '../src/knowledge/editor-messages';
import { lintKnowledgeBase } from '../src/knowledge/lint';
import { KnowledgeBaseError, loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { loadOutOfScope } from '../src/nlu/out-of-scope';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kb: { type: 'string', default: 'knowledge-base' }, developer: { type: 'boolean', default: false } } });
  const dir = path.resolve(values.kb);
  // Both loaders run to the end so that one pass reports every bad file, not the first loader's.
  const [outOfScope, kb] = await Promise.allSettled([loadOutOfScope(dir), loadKnowledgeBase(dir)]);
  const problems: KnowledgeBaseProblem[] = [];
  for (const result of [outOfScope, kb]) {
    if (result.status === 'fulfilled') continue;
    if (!(result.reason instanceof KnowledgeBaseError)) throw result.reason;
    problems.push(...result.reason.problems);
  }
  if (problems.length > 0 || kb.status === 'rejected') {
    const error = new KnowledgeBaseError(problems);
    process.stdout.write(`${error.message}\n`);
    if (values.developer) process.stdout.write(`\n${error.developerMessage}\n`);
    process.stdout.write(`\nCorreggi ${problems.length === 1 ? 'il problema' : 'i problemi'} e rilancia npm run kb:lint: finché c'è un errore, la base di conoscenza non viene caricata.\n`);
    process.exitCode = 1;
    return;
  }
  const findings = lintKnowledgeBase(kb.value, new Date());
  for (const f of findings) process.stdout.write(`${f.level}: ${f.topicId}: ${f.message}\n`);
  const errors = findings.filter((f) => f.level === 'error').length;
  process.stdout.write(`${kb.value.size} topics, ${errors} errors, ${findings.length - errors} warnings\n`);
  if (errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`kb:lint: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
