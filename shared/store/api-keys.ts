import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../domain/ids.ts';
import { NotFoundError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { hashApiKeySecret, hintOf, type ApiKey } from '../domain/api-keys.ts';
import type { ApiKeyInput } from '../domain/api-key-input.ts';
import type { Clock } from '../domain/clock.ts';
import { ITEM_TYPES, keys } from './keys.ts';
import { entityOf } from './items.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { isConditionFailure } from './transact.ts';
import type { Store } from './client.ts';

export class ApiKeyRepository {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Registers a key for `secret`; registering the same secret again changes nothing. */
  async register(secret: string, input: ApiKeyInput, actor: string): Promise<ApiKey> {
    const hash = hashApiKeySecret(secret);
    const key: ApiKey = {
      id: newId(this.clock.now().getTime()),
      name: input.name,
      role: input.role,
      hint: hintOf(secret),
      createdAt: this.clock.now().toISOString(),
      createdBy: actor,
    };
    try {
      await this.store.db.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...key, ...keys.apiKey(hash), ...keys.apiKeyById(key.id), entityType: ITEM_TYPES.apiKey },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return key;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.findBySecret(secret))!;
    }
  }

  async findBySecret(secret: string): Promise<ApiKey | undefined> {
    const { Item } = await this.store.db.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.apiKey(hashApiKeySecret(secret)) }),
    );
    return Item ? entityOf<ApiKey>(Item) : undefined;
  }

  async list(page: PageRequest): Promise<Page<ApiKey>> {
    return queryPage<ApiKey>(this.store, { ...page, index: 'gsi1', partition: keys.apiKeysPartition(), newestFirst: true });
  }

  async revoke(id: string): Promise<ApiKey> {
    const item = await this.itemById(id);
    if (!item) throw new NotFoundError('API key', id);
    const revokedAt = (item.revokedAt as string | undefined) ?? this.clock.now().toISOString();
    await this.store.db.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
        ExpressionAttributeValues: { ':at': revokedAt },
      }),
    );
    return { ...entityOf<ApiKey>(item), revokedAt };
  }

  /** Records a use, at most once per LIMITS.apiKeyLastUsedResolutionMs, so reads stay reads. */
  async touch(secret: string, key: ApiKey): Promise<void> {
    const now = this.clock.now();
    if (key.lastUsedAt && now.getTime() - Date.parse(key.lastUsedAt) < LIMITS.apiKeyLastUsedResolutionMs) return;
    const threshold = new Date(now.getTime() - LIMITS.apiKeyLastUsedResolutionMs).toISOString();
    try {
      await this.store.db.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.apiKey(hashApiKeySecret(secret)),
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :threshold)',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':threshold': threshold },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async itemById(id: string): Promise<Record<string, unknown> | undefined> {
    const { Items } = await this.store.db.send(
      new QueryCommand({
        TableName: this.store.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :id',
        ExpressionAttributeValues: { ':pk': keys.apiKeysPartition(), ':id': id },
      }),
    );
    return Items?.[0];
  }
}
