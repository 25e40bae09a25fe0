import { z } from 'zod';
import type { RemoteIntentClient } from './fallback-recognizer';

/** CLU's runtime API version used here (Azure AI Language, conversational language understanding). */
export const CLU_API_VERSION = '2023-04-01';

/** The part of CLU's `ConversationResult` Dialogo reads; anything else in the body is ignored. */
const cluResponseSchema = z.object({
  kind: z.literal('ConversationResult'),
  result: z.object({
    prediction: z.object({
      topIntent: z.string().nullable().optional(),
      projectKind: z.string().optional(),
      intents: z.array(z.object({ category: z.string(), confidenceScore: z.number() })),
    }),
  }),
});

export interface CluSettings {
  readonly endpoint: string;
  readonly key: string;
  readonly project: string;
  readonly deployment: string;
}

/** A failed call to a remote recognizer, with what the service said. */
export class RemoteRecognizerError extends Error {
  constructor(
    readonly service: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${service}: ${message}`);
    this.name = 'RemoteRecognizerError';
  }
}

/**
 * Calls CLU's `:analyze-conversations` runtime endpoint. Used through {@link FallbackRecognizer},
 * which answers locally when CLU fails or is slow.
 *
 * @example
 * const clu = new CluClient({ endpoint, key, project: 'dialogo', deployment: 'production' });
 * const intents = await clu.intents('quanto costa la cie', signal);
 */
export class CluClient implements RemoteIntentClient {
  readonly name = 'clu';
  constructor(private readonly settings: CluSettings) {}

  async intents(text: string, signal: AbortSignal): Promise<{ name: string; score: number }[]> {
    const url = new URL(`/language/:analyze-conversations?api-version=${CLU_API_VERSION}`, this.settings.endpoint);
    const response = await fetch(url, {
      method: 'POST',
      signal,
      headers: { 'Ocp-Apim-Subscription-Key': this.settings.key, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        kind: 'Conversation',
        analysisInput: { conversationItem: { id: '1', participantId: 'citizen', text } },
        parameters: { projectName: this.settings.project, deploymentName: this.settings.deployment, stringIndexType: 'TextElement_V8' },
      }),
    });
    if (!response.ok) throw new RemoteRecognizerError('clu', `HTTP ${response.status}`, response.status);
    const parsed = cluResponseSchema.safeParse(await response.json());
    if (!parsed.success) throw new RemoteRecognizerError('clu', `unexpected response: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data.result.prediction.intents.map((i) => ({ name: i.category, score: i.confidenceScore }));
  }
}
