import { LUISRuntimeClient } from '@azure/cognitiveservices-luis-runtime';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { z } from 'zod';
import { RemoteRecognizerError } from './clu-recognizer';
import type { RemoteIntentClient } from './fallback-recognizer';

/** The part of a LUIS v3 prediction Dialogo reads. */
const luisPredictionSchema = z.object({
  prediction: z.object({
    topIntent: z.string().optional(),
    intents: z.record(z.string(), z.object({ score: z.number().optional() }).passthrough()),
  }),
});

export interface LuisSettings {
  readonly endpoint: string;
  readonly appId: string;
  readonly key: string;
  readonly slot: 'production' | 'staging';
}

/**
 * LUIS v3 prediction through `@azure/cognitiveservices-luis-runtime`, as the city's design
 * card asks. LUIS itself was retired on 31 March 2026: this client serves LUIS-compatible
 * endpoints (the same v3 prediction API); new deployments should use CLU.
 *
 * @example
 * const luis = new LuisClient({ endpoint, appId, key, slot: 'production' });
 */
export class LuisClient implements RemoteIntentClient {
  readonly name = 'luis';
  private readonly client: LUISRuntimeClient;

  constructor(private readonly settings: LuisSettings) {
    this.client = new LUISRuntimeClient(new ApiKeyCredentials({ inHeader: { 'Ocp-Apim-Subscription-Key': settings.key } }), settings.endpoint);
  }

  async intents(text: string, signal: AbortSignal): Promise<{ name: string; score: number }[]> {
    let response: unknown;
    try {
      response = await this.client.prediction.getSlotPrediction(
        this.settings.appId,
        this.settings.slot,
        { query: text },
        { showAllIntents: true, abortSignal: signal as never },
      );
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      throw new RemoteRecognizerError('luis', status ? `HTTP ${status}` : (error as Error).message, status);
    }
    const parsed = luisPredictionSchema.safeParse(response);
    if (!parsed.success) throw new RemoteRecognizerError('luis', `unexpected response: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return Object.entries(parsed.data.prediction.intents).map(([name, v]) => ({ name, score: v.score ?? 0 }));
  }
}
