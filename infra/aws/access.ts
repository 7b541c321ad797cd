import { Validations, type CfnResource } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { FunctionAccess } from '../topology.ts';
import { TABLE } from '../../shared/store/table.ts';
import type { KithFunction } from './functions.ts';
import type { SearchDomain, SearchPermission } from './search.ts';
import { nagArn } from './nag.ts';

/** The environment variable each kind of access sets; the adapters in shared/ read these names. */
export const ENVIRONMENT = {
  table: ['TABLE_NAME'],
  bus: ['EVENT_BUS_NAME'],
  search: ['OPENSEARCH_URL'],
  bucket: ['BUCKET_NAME'],
  userPool: ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID'],
  suppressionSalt: ['SUPPRESSION_SALT_SECRET_ARN'],
} as const satisfies { [K in keyof FunctionAccess]-?: readonly string[] };

/** The resources a function may be given access to; optional ones exist only when some entry declares them. */
export interface AccessibleResources {
  table: Table;
  bus: EventBus;
  search?: SearchDomain;
  bucket?: Bucket;
  identity: { userPool: UserPool; client: UserPoolClient };
  suppressionSalt?: Secret;
}

const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** `read` may get and search, never index or delete: searches are POSTs, so POST only on these paths. */
const SEARCH_READ_PATHS = ['_search', '*/_search', '_msearch', '*/_msearch', '*/_count', '_mget', '*/_mget', '_search/scroll'];
const SEARCH_WRITE = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'];

const BUCKET_READ = ['s3:GetObject'];
const BUCKET_WRITE = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

type Grant<K extends keyof FunctionAccess> = (
  fn: KithFunction,
  level: NonNullable<FunctionAccess[K]>,
  resources: AccessibleResources,
) => void;

/** One grant per kind of access; a new kind in FunctionAccess does not compile until it has one. */
const GRANTS: { [K in keyof FunctionAccess]-?: Grant<K> } = {
  table(fn, level, { table }) {
    const indexArns = Object.values(TABLE.indexes).map((index) => `${table.tableArn}/index/${index.name}`);
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_READ, resources: [table.tableArn, ...indexArns] }));
    if (level === 'readwrite') {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_WRITE, resources: [table.tableArn] }));
    }
    fn.setEnvironment(ENVIRONMENT.table[0], table.tableName);
  },

  bus(fn, enabled, { bus }) {
    if (!enabled) return;
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    fn.setEnvironment(ENVIRONMENT.bus[0], bus.eventBusName);
  },

  search(fn, level, { search }) {
    if (!search) throw new Error('A function declares search access but the stack has no search domain.');
    const permissions: SearchPermission[] =
      level === 'readwrite'
        ? [{ actions: SEARCH_WRITE, paths: ['*'] }]
        : [
            { actions: ['es:ESHttpGet', 'es:ESHttpHead'], paths: ['*'] },
            { actions: ['es:ESHttpPost'], paths: SEARCH_READ_PATHS },
          ];
    for (const permission of permissions) {
      const resources = permission.paths.map((path) => `${search.arn}/${path}`);
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: permission.actions, resources }));
      search.allow(fn.role, permission);
      for (const path of permission.paths.filter((path) => path.includes('*'))) {
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagArn(search.domain)}/${path}]`,
          reason:
            'OpenSearch authorizes by request path; index names are chosen at run time (aliases swapped by reindexing), so the path ends in a wildcard scoped to this one domain.',
        });
      }
    }
    fn.setEnvironment(ENVIRONMENT.search[0], search.url);
  },

  bucket(fn, level, { bucket }) {
    if (!bucket) throw new Error('A function declares bucket access but the stack has no bucket.');
    const objects = bucket.arnForObjects('*');
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: level === 'readwrite' ? [...BUCKET_READ, ...BUCKET_WRITE] : BUCKET_READ,
        resources: [objects],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(bucket.node.defaultChild as CfnResource)}/*]`,
      reason: 'Import and export objects are named at run time (one per job); the wildcard is scoped to this one bucket.',
    });
    fn.setEnvironment(ENVIRONMENT.bucket[0], bucket.bucketName);
  },

  userPool(fn, _level, { identity }) {
    // Verifying a Cognito JWT needs the pool's public keys (fetched over HTTPS), no IAM permission.
    const [poolVariable, clientVariable] = ENVIRONMENT.userPool;
    fn.setEnvironment(poolVariable, identity.userPool.userPoolId);
    fn.setEnvironment(clientVariable, identity.client.userPoolClientId);
  },

  suppressionSalt(fn, _level, { suppressionSalt }) {
    if (!suppressionSalt) throw new Error('A function declares the suppression salt but the stack has no such secret.');
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [suppressionSalt.secretArn] }),
    );
    fn.setEnvironment(ENVIRONMENT.suppressionSalt[0], suppressionSalt.secretArn);
  },
};

/** Grants `fn` exactly what its topology entry declares, and names it in the environment. */
export function grantAccess(fn: KithFunction, access: FunctionAccess, resources: AccessibleResources): void {
  for (const [kind, level] of Object.entries(access)) {
    if (level === undefined || level === false) continue;
    const grant = GRANTS[kind as keyof FunctionAccess] as
      ((...args: [KithFunction, unknown, AccessibleResources]) => void) | undefined;
    if (!grant) throw new Error(`Unknown access kind "${kind}": teach infra/aws/access.ts how to grant it.`);
    grant(fn, level, resources);
  }
}
