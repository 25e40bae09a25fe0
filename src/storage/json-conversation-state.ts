import { ConversationState, type TurnContext } from 'botbuilder';

/** What BotState keeps on the turn for its state: the object and what it was when read or written. */
interface CachedState {
  state: Record<string, unknown>;
  hash: string;
}

/**
 * botbuilder's ConversationState, with a cheaper check of whether the state changed in the turn.
 *
 * BotState decides with `calculateChangeHash`: a SHA-256 of the state serialised by botbuilder's
 * own `stringify`, which runs a replacer on every value. It computes it three times a turn:
 * after reading, before writing (to compare), and after writing. Under the Direct Line
 * benchmark that was 4.7 % of the server's time (docs/benchmarks.md). Here the check is the
 * state's JSON text itself, compared as text: equal texts mean the same state for a store that
 * keeps JSON, as every Dialogo store does. It is computed twice a turn, and the second text is
 * kept as the new reference.
 *
 * Otherwise it behaves as BotState: the same turn cache, so property accessors, `get`, `clear` and
 * `delete` work unchanged; the eTag is left out of the comparison; a state that cannot be
 * serialised as JSON counts as changed, and the store's write reports the error.
 *
 * @example
 * const conversationState = new JsonConversationState(storage);
 * await conversationState.saveChanges(context); // writes only when the state changed
 */
export class JsonConversationState extends ConversationState {
  override async load(context: TurnContext, force = false): Promise<any> {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    if (!force && cached?.state) return cached.state;
    const key = await this.storageKey(context);
    const items = await this.storage.read([key]);
    const state = (items[key] ?? {}) as Record<string, unknown>;
    context.turnState.set(this.cacheKey, { state, hash: jsonOf(state) } satisfies CachedState);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    const text = cached ? jsonOf(cached.state) : '';
    if (!force && (!cached || (text !== '' && text === cached.hash))) return;
    const key = await this.storageKey(context);
    cached ??= { state: {}, hash: '' };
    cached.state.eTag = '*';
    await this.storage.write({ [key]: cached.state });
    cached.hash = text || jsonOf(cached.state);
    context.turnState.set(this.cacheKey, cached);
  }

  /** BotState's own turn-cache key (a private symbol there), so that its other methods see the same state. */
  private get cacheKey(): symbol {
    return (this as unknown as { stateKey: symbol }).stateKey;
  }
}

/** The state's JSON without its eTag; '' when it cannot be serialised (then it always counts as changed). */
function jsonOf(state: Record<string, unknown>): string {
  const { eTag: _eTag, ...rest } = state;
  try {
    return JSON.stringify(rest);
  } catch {
    return '';
  }
}
