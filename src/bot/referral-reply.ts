import type { Referral } from '../knowledge/referral-schema';
import type { Language } from '../knowledge/topic-schema';

/**
 * The text a citizen reads when their question belongs to another administration: the short
 * answer (whose first sentence names who handles it and says the City does not), then one line
 * with who handles it and their official page. The dialog sends it with outcome `referral`.
 * Who and link stand together so that a citizen who only skims sees where to go.
 *
 * @example
 * referralReply(kb.referral('passaporto')!, 'it');
 * // 'Il passaporto lo rilascia la Questura (Polizia di Stato), non il Comune. ...\n\n' +
 * // 'Questura di Milano (Polizia di Stato): https://www.passaportonline.poliziadistato.it'
 */
export function referralReply(referral: Pick<Referral, 'answer' | 'who' | 'link'>, language: Language): string {
  return `${referral.answer[language].trim()}\n\n${referral.who[language]}: ${referral.link}`;
}
