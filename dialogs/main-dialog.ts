import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { FaqDialog, type FaqDialogOptions } from './faq-dialog';

export const MAIN_DIALOG = 'mainDialog';

/**
 * The root dialog. Today it hosts the FAQ dialog; the handoff, feedback and ticket dialogs
 * of later work join it here, so the bot keeps running a single root.
 *
 * @example
 * const dialog = new MainDialog({ runtime: () => holder.current(), contact });
 * await dialog.run(context, conversationState.createProperty('DialogState'));
 */
export class MainDialog extends ComponentDialog {
  constructor(options: FaqDialogOptions) {
    super(MAIN_DIALOG);
    this.addDialog(new FaqDialog(options));
  }

  /** Runs one turn: continues the active dialog or begins the FAQ dialog. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dc = await dialogSet.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }
}
