import type { Language, Synonyms, Topic } from './topic-schema';

/**
 * The validated, immutable content Dialogo answers from. A reload builds a new instance;
 * turns in flight keep the one they started with.
 *
 * @example
 * const kb = new KnowledgeBase(topics, synonyms);
 * kb.get('carta-identita')?.answer.it;
 */
export class KnowledgeBase {
  private readonly byId: ReadonlyMap<string, Topic>;

  constructor(
    topics: readonly Topic[],
    readonly synonyms: Synonyms,
    readonly loadedAt: Date = new Date(),
  ) {
    const byId = new Map<string, Topic>();
    for (const topic of topics) {
      if (byId.has(topic.id)) throw new Error(`duplicate topic id "${topic.id}"`);
      byId.set(topic.id, topic);
    }
    this.byId = byId;
  }

  get size(): number {
    return this.byId.size;
  }

  get topics(): Topic[] {
    return [...this.byId.values()];
  }

  get(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  title(id: string, language: Language): string | undefined {
    return this.byId.get(id)?.title[language];
  }
}
