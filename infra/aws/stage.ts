import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** Everything that differs between a throwaway stack and the one a team's data lives in. */
export interface StageSettings {
  name: StageName;
  /** What `cdk destroy` does to stateful resources (table, user pool, bucket, search domain). */
  removalPolicy: RemovalPolicy;
  /** DynamoDB and Cognito refuse deletion until someone turns this off by hand. */
  deletionProtection: boolean;
  /** Point-in-time recovery is on in every stage (it costs the same per GB); only the window differs. */
  pointInTimeRecoveryDays: number;
  logRetention: RetentionDays;
  /** Powertools log level of every function. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Stack traces mapped to the TypeScript sources (`--enable-source-maps`). Parsing the map adds
   * ~10 ms of CPU to every cold start (bench/bundles.ts), so prod leaves it off; the .map files
   * ship either way, to map a prod trace by hand.
   */
  sourceMappedStackTraces: boolean;
  search: {
    instanceType: string;
    dataNodes: number;
    /** Spread the data nodes over this many availability zones (1 = no zone awareness). */
    availabilityZones: 1 | 2 | 3;
    volumeGb: number;
  };
  /** Whether alarms notify the stack's SNS topic (prod) or only show in the console (dev). */
  alarmNotifications: boolean;
  /** Steady-state and burst requests per second the HTTP API accepts before answering 429. */
  apiThrottle: { rateLimit: number; burstLimit: number };
}

export const STAGE_SETTINGS: Record<StageName, StageSettings> = {
  dev: {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecoveryDays: 7,
    logRetention: RetentionDays.ONE_WEEK,
    logLevel: 'DEBUG',
    sourceMappedStackTraces: true,
    search: { instanceType: 't3.small.search', dataNodes: 1, availabilityZones: 1, volumeGb: 10 },
    alarmNotifications: false,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
  },
  prod: {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    pointInTimeRecoveryDays: 35,
    logRetention: RetentionDays.THREE_MONTHS,
    logLevel: 'INFO',
    sourceMappedStackTraces: false,
    search: { instanceType: 't3.medium.search', dataNodes: 2, availabilityZones: 2, volumeGb: 20 },
    alarmNotifications: true,
    apiThrottle: { rateLimit: 200, burstLimit: 400 },
  },
};

export function stageSettings(name: unknown): StageSettings {
  const stage = name ?? 'dev';
  if (!STAGES.includes(stage as StageName)) {
    throw new Error(`Unknown stage ${JSON.stringify(stage)}: pass -c stage=${STAGES.join('|')}.`);
  }
  return STAGE_SETTINGS[stage as StageName];
}
