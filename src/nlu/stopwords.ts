import type { Language } from '../knowledge/topic-schema';

/**
 * Words that carry no topic. Question words (come, dove, quanto, quando, non, how, where...)
 * are deliberately absent: "dove" and "quanto costa" separate sub-questions, and "non"
 * turns "funziona" into a complaint.
 */
const ITALIAN = `a ad al alla alle allo agli ai all d da dal dalla dalle dallo dagli dai dall di del della delle dello degli
dei dell e ed il i l la le lo gli in nel nella nelle nello negli nei nell per su sul sulla sulle sullo sugli sui sull con col
coi tra fra un uno una un o oppure ma anche se che ci si mi ti vi ne lo li io tu lui lei noi voi loro mio mia miei mie tuo tua
suo sua nostro nostra vostro vostra è e essere sono sei siamo siete era erano ho hai ha abbiamo avete hanno avere avrei vorrei
volevo voglio vorremmo posso puoi può possiamo potete possono potrei potrebbe devo deve devono va vanno dovrei bisogna serve servono
c ce c è questo questa questi queste quello quella quelli quelle ciao salve buongiorno buonasera grazie per favore cortesemente
gentilmente sapere chiedere chiedo domanda informazioni informazione info vorrei sapere mi piacerebbe dire dirmi saprebbe
sapreste potreste potrebbe qualcuno fare faccio fa fanno fatto cosa devo più molto poco tutto tutti tutta tutte già ancora
poi quindi allora ecco dunque comunque bene salve gentili come mai riguardo merito quale
richiedere richiede richiedo richiedono richiesto richiesta richieste ottenere ottiene ottengo ottenerlo ottenerla prendere prende
avere trovare trovo trova sapere usare utilizzare effettuare eseguire procedere procedura procedure modalita modo maniera funziona
funzionare necessario necessaria occorre servirebbe possibile qualche ogni altro altra altri altre stesso stessa`;

const ENGLISH = `a an the of to in on at by for from with about into over under and or but if then so than as is are was were
be been being am do does did doing have has had having i me my mine you your yours he she it its we our they their them this
that these those there here can could would should shall will may might must please thanks thank hello hi hey dear know want
wanted wondering tell like need get got some any just also very much really ok okay obtain request apply applying
find way ways possible necessary procedure`;

// Question words kept on purpose (never stopwords), whatever the lists above say.
const KEPT = new Set(['come', 'dove', 'quanto', 'quanta', 'quanti', 'quante', 'quando', 'perche', 'chi', 'cosa', 'quali', 'non',
  'how', 'where', 'when', 'what', 'who', 'why', 'which', 'not', 'no']);

function build(list: string): ReadonlySet<string> {
  const words = list.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/\s+/).filter(Boolean);
  return new Set(words.filter((w) => !KEPT.has(w)));
}

export const STOPWORDS: Readonly<Record<Language, ReadonlySet<string>>> = { it: build(ITALIAN), en: build(ENGLISH) };

/** Function words used to tell Italian from English; unlike STOPWORDS, question words count here. */
export const LANGUAGE_MARKERS: Readonly<Record<Language, ReadonlySet<string>>> = {
  it: new Set(['il', 'lo', 'la', 'le', 'gli', 'di', 'del', 'della', 'dei', 'che', 'non', 'per', 'come', 'dove', 'quando', 'quanto',
    'posso', 'devo', 'vorrei', 'sono', 'mio', 'mia', 'una', 'un', 'nel', 'nella', 'con', 'cosa', 'perche', 'ho', 'si', 'mi', 'ciao',
    'buongiorno', 'grazie', 'salve', 'e', 'al', 'alla', 'da', 'chi', 'quale', 'qual', 'fare', 'faccio', 'serve', 'bisogna', 'ci']),
  en: new Set(['the', 'of', 'to', 'and', 'is', 'are', 'my', 'how', 'where', 'when', 'what', 'can', 'do', 'does', 'i', 'you', 'for',
    'with', 'which', 'who', 'why', 'need', 'want', 'get', 'please', 'hello', 'hi', 'thanks', 'thank', 'it', 'at', 'have',
    'should', 'much', 'an', 'this', 'that', 'there', 'would', 'could', 'your', 'we']),
};
