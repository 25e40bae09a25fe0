import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { DirectLineAdapter } from '../channels/directline/directline-adapter';
import type { MessengerAdapter } from '../channels/messenger/messenger-adapter';
import { MESSENGER_SERVICE_URL } from '../channels/messenger/messenger-adapter';
import type { CitizenGateway, CitizenNotice } from '../handoff/handoff-service';
import type { HandoffSession } from '../storage/ports';
import { handoffActivity } from './handoff-gate';
import { describeOutcome, describeWait, fill, HANDOFF } from './handoff-messages';

/**
 * Tells citizens what happens to their handoff, on the channel they wrote from: Dialogo's Direct
 * Line, Dialogo's Messenger webhook (operator messages with Messenger's window rules), or any
 * Bot Framework channel through the CloudAdapter and the stored conversation reference.
 *
 * @example
 * handoff.setGateway(new ChannelGateway({ directLine, messenger, cloud: adapter, appId }));
 */
export class ChannelGateway implements CitizenGateway {
  constructor(
    private readonly channels: {
      readonly directLine: DirectLineAdapter;
      readonly messenger: MessengerAdapter | undefined;
      readonly cloud: CloudAdapter;
      readonly appId: string;
    },
  ) {}

  async notify(session: HandoffSession, notice: CitizenNotice, author: 'bot' | 'operator'): Promise<void> {
    const activity = renderNotice(session, notice);
    const reference = session.reference as Partial<ConversationReference>;
    if (session.channel === 'directline') {
      await this.channels.directLine.sendToConversation(session.conversationId, activity);
      return;
    }
    if (session.channel === 'facebook' && this.channels.messenger && reference.serviceUrl === MESSENGER_SERVICE_URL) {
      await this.channels.messenger.sendToConversation(session.conversationId, activity, author);
      return;
    }
    await this.channels.cloud.continueConversationAsync(this.channels.appId, reference, async (context) => {
      await context.sendActivity(activity);
    });
  }
}

/** A notice as the message the citizen reads, in their language. */
export function renderNotice(session: HandoffSession, notice: CitizenNotice): Partial<Activity> {
  const language = session.language;
  switch (notice.kind) {
    case 'position':
      return handoffActivity(language, session, fill(HANDOFF.position[language], { position: notice.position, eta: describeWait(notice.etaSeconds, language) }), {
        state: 'queued',
        position: notice.position,
        etaSeconds: notice.etaSeconds,
      }, [HANDOFF.leaveButton]);
    case 'connected':
      return handoffActivity(language, session, fill(HANDOFF.connected[language], { operator: notice.operator ?? HANDOFF.anOperator[language] }), { state: 'connected', position: null, etaSeconds: null });
    case 'operator-message':
      return handoffActivity(language, session, `${notice.operator ?? HANDOFF.operatorAuthor[language]} (020202): ${notice.text}`, { state: 'connected', position: null, etaSeconds: null });
    case 'closed':
      return handoffActivity(language, session, fill(HANDOFF.closedOutcome[language], { outcome: describeOutcome(notice.outcome, language) }), { state: 'closed', position: null, etaSeconds: null });
    case 'operator-changed':
      return handoffActivity(language, session, fill(HANDOFF.operatorChanged[language], { operator: notice.operator ?? HANDOFF.anOperator[language] }), { state: 'connected', position: null, etaSeconds: null });
    case 'wait-too-long':
      return handoffActivity(language, session, HANDOFF.waitTooLong[language], { state: 'queued', position: null, etaSeconds: null }, [HANDOFF.writtenRequestButton, HANDOFF.keepWaitingButton]);
  }
}
