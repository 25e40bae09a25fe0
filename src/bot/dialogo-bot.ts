import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext, type UserState } from 'botbuilder';
import type { DialogState } from '../../dialogs/sdk';
import { languageOfLocale } from '../../dialogs/faq-dialog';
import type { MainDialog } from '../../dialogs/main-dialog';
import type { HandoffGate } from './handoff-gate';

/**
 * The bot: greets new members (with starter buttons), runs the main dialog on every message, and saves
 * conversation and user state at the end of each turn.
 *
 * @example
 * const bot = new DialogoBot(conversationState, userState, new MainDialog(options));
 * await adapter.process(req, res, (context) => bot.run(context));
 */
export class DialogoBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: MainDialog,
    /** With a handoff: queued and connected citizens are handled before the dialogs run. */
    private readonly gate?: HandoffGate,
  ) {
    super();
    if (!conversationState) throw new Error('DialogoBot needs a ConversationState');
    if (!userState) throw new Error('DialogoBot needs a UserState');
    if (!dialog) throw new Error('DialogoBot needs a MainDialog');
    this.dialogState = conversationState.createProperty<DialogState>('DialogState');

    this.onMessage(async (context, next) => {
      if (!(await this.gate?.onMessage(context))) await this.dialog.run(context, this.dialogState);
      await next();
    });

    this.onEvent(async (context, next) => {
      await this.gate?.onEvent(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const humans = (context.activity.membersAdded ?? []).filter((member) => member.id !== botId);
      if (humans.length > 0) {
        await context.sendActivity(this.dialog.welcome(languageOfLocale(context.activity.locale)));
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}
