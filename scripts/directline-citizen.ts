// The benchmarks' Direct Line citizen (bench:directline, bench:memory): plain HTTP (fetch) and the
// `ws` package, as directlinejs does with webSocket: true. A citizen generates a token, starts a
// conversation, opens its stream, may wait for the welcome, then asks questions one at a time, each
// answered when the bot's reply to it (replyToId) arrives on the stream.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/** How long a step may take before the benchmark fails with the citizen's label. */
export const TURN_TIMEOUT_MS = 60_000;

interface StreamActivity {
  type?: string;
  id?: string;
  replyToId?: string;
  from?: { id?: string; role?: string };
  channelData?: { clientActivityId?: string };
}

/** One citizen: a token, a conversation, its stream, and questions asked one after the other. */
export class Citizen {
  private ws: WebSocket | undefined;
  private token = '';
  private conversationId = '';
  private userId = '';
  private waiting: { clientId: string; serverId?: string; resolve: () => void } | undefined;
  private welcomed!: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly label: string,
    /** The Direct Line secret, where the server asks for one to generate tokens. */
    private readonly secret?: string,
  ) {}

  async start(expectWelcome: boolean): Promise<void> {
    const generated = await post(`${this.base}/tokens/generate`, this.secret, {});
    this.token = String(generated.token);
    const started = await post(`${this.base}/conversations`, this.token, {});
    this.conversationId = String(started.conversationId);
    const ws = new WebSocket(String(started.streamUrl));
    this.ws = ws;
    let welcome!: () => void;
    this.welcomed = new Promise<void>((resolve) => (welcome = resolve));
    ws.on('message', (data) => {
      const set = JSON.parse(String(data)) as { activities?: StreamActivity[] };
      for (const activity of set.activities ?? []) {
        if (activity.from?.role === 'user' || (this.userId && activity.from?.id === this.userId)) {
          this.userId = activity.from?.id ?? this.userId;
          if (this.waiting && activity.channelData?.clientActivityId === this.waiting.clientId) this.waiting.serverId = activity.id;
        } else if (activity.type === 'message') {
          // The welcome answers the conversationUpdate, which botbuilder does not reply to on Direct Line: no replyToId.
          if (!activity.replyToId) welcome();
          else if (this.waiting?.serverId && activity.replyToId === this.waiting.serverId) {
            const { resolve } = this.waiting;
            this.waiting = undefined;
            resolve();
          }
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    if (expectWelcome) await withTimeout(this.welcomed, `${this.label}: no welcome`);
  }

  /** Asks `text`; resolves with the milliseconds from the POST until the reply arrived on the stream. */
  async ask(text: string, n: number): Promise<number> {
    const clientId = `${this.label}-${n}`;
    const started = performance.now();
    let repliedAt = 0;
    const replied = new Promise<void>((resolve) => {
      this.waiting = { clientId, resolve: () => ((repliedAt = performance.now()), resolve()) };
    });
    const posted = post(`${this.base}/conversations/${this.conversationId}/activities`, this.token, {
      type: 'message',
      text,
      locale: 'it-IT',
      channelData: { clientActivityId: clientId },
    });
    await Promise.all([withTimeout(replied, `${this.label}: no reply to turn ${n}`), posted]);
    return repliedAt - started;
  }

  close(): void {
    this.ws?.close();
  }
}

export async function post(url: string, token: string | undefined, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(message)), TURN_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

