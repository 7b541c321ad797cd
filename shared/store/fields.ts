import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import type { FieldDefinition, FieldDefinitionInput } from '../domain/custom-fields.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { transactWrite } from './transact.ts';
import { versionedPut } from './versioned.ts';
import { entityOf } from './items.ts';
import type { Store } from './client.ts';

/**
 * Custom field definitions of contacts. Every contact write validates against them, so a
 * process keeps them for a few seconds (LIMITS.fieldDefinitionCacheMs) and forgets them on
 * its own writes.
 */
export class FieldDefinitionRepository {
  private cache: { at: number; definitions: Map<string, FieldDefinition> } | undefined;

  private readonly store: Store;

  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;

    this.clock = clock;
  }

  async all(): Promise<Map<string, FieldDefinition>> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < LIMITS.fieldDefinitionCacheMs) return this.cache.definitions;
    const definitions = new Map<string, FieldDefinition>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.fieldDefinitionsPartition('contact') },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const definition = entityOf<FieldDefinition>(item);
        definitions.set(definition.key, definition);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.cache = { at: now, definitions };
    return definitions;
  }

  async get(key: string): Promise<FieldDefinition | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.fieldDefinition('contact', key), ConsistentRead: true }),
    );
    return Item ? entityOf<FieldDefinition>(Item) : undefined;
  }

  async require(key: string): Promise<FieldDefinition> {
    const definition = await this.get(key);
    if (!definition) throw new NotFoundError('field', key);
    return definition;
  }

  async create(input: FieldDefinitionInput, actor: string): Promise<FieldDefinition> {
    const now = this.clock.now().toISOString();
    const definition: FieldDefinition = { ...input, version: 1, createdAt: now, updatedAt: now };
    const write = versionedPut(
      this.store.tableName,
      keys.fieldDefinition('contact', input.key),
      this.item(definition, actor),
      0,
      'field',
      input.key,
    );
    write.onConditionFailed = () => new ConflictError(`A field with the key ${input.key} already exists.`, input.key, 'key');
    await transactWrite(this.store, [write]);
    this.cache = undefined;
    return definition;
  }

  async replace(current: FieldDefinition, next: FieldDefinitionInput, actor: string): Promise<FieldDefinition> {
    const definition: FieldDefinition = {
      ...next,
      createdAt: current.createdAt,
      version: current.version + 1,
      updatedAt: this.clock.now().toISOString(),
    };
    await transactWrite(this.store, [
      versionedPut(
        this.store.tableName,
        keys.fieldDefinition('contact', current.key),
        this.item(definition, actor),
        current.version,
        'field',
        current.key,
      ),
    ]);
    this.cache = undefined;
    return definition;
  }

  async delete(key: string): Promise<void> {
    await this.store.db.send(new DeleteCommand({ TableName: this.store.tableName, Key: keys.fieldDefinition('contact', key) }));
    this.cache = undefined;
  }

  private item(definition: FieldDefinition, actor: string) {
    return { ...definition, id: definition.key, entityType: ITEM_TYPES.field, updatedBy: actor };
  }
}
