import type { Collection, Db, WithId } from 'mongodb';
import { AlreadyExistsError, type OperatorAccount, type OperatorStore } from '../ports';
import { parseOperatorAccount } from '../record-schemas';

type OperatorDoc = Omit<OperatorAccount, 'createdAt' | 'disabled' | 'displayName' | 'signedOutAt' | 'signedOutSessions'> & { createdAt: Date; disabled: boolean; displayName?: string | null; signedOutAt?: Date | null; signedOutSessions?: number[] | null };

const DUPLICATE_KEY = 11000;

function toDoc(account: OperatorAccount): OperatorDoc {
  const a = parseOperatorAccount(account, `operator account "${account.name}" to store`);
  return { name: a.name, role: a.role, passwordHash: a.passwordHash, createdAt: new Date(a.createdAt), maxConcurrent: a.maxConcurrent, disabled: a.disabled === true, displayName: a.displayName ?? null, signedOutAt: a.signedOutAt ? new Date(a.signedOutAt) : null, signedOutSessions: a.signedOutSessions ? [...a.signedOutSessions] : null };
}

function fromDoc({ _id, createdAt, signedOutAt, ...rest }: WithId<OperatorDoc>): OperatorAccount {
  return parseOperatorAccount({ ...rest, createdAt: createdAt.toISOString(), signedOutAt: signedOutAt ? signedOutAt.toISOString() : null }, `mongodb operators document "${rest.name}"`);
}

/**
 * Operator accounts in the `operators` collection, one document per name (unique index).
 *
 * @example
 * const operators = await mongoOperatorStore(db);
 * await operators.get('giulia.rossi');
 */
export async function mongoOperatorStore(db: Db): Promise<OperatorStore> {
  const operators: Collection<OperatorDoc> = db.collection<OperatorDoc>('operators');
  await operators.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });

  return {
    async create(account) {
      try {
        await operators.insertOne(toDoc(account));
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === DUPLICATE_KEY) throw new AlreadyExistsError('operator', account.name);
        throw error;
      }
    },
    async upsert(account) {
      await operators.replaceOne({ name: account.name }, toDoc(account), { upsert: true });
    },
    async get(name) {
      const doc = await operators.findOne({ name });
      return doc ? fromDoc(doc) : undefined;
    },
    async list() {
      return (await operators.find({}).sort({ name: 1 }).toArray()).map(fromDoc);
    },
    async remove(name) {
      return (await operators.deleteOne({ name })).deletedCount === 1;
    },
  };
}
