import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { functions, type FunctionName } from '../topology.ts';

/** A Lambda handler as the local runtime calls it: one event in, one result out. */
export type LocalHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

/** The context object Lambda passes to every invocation, with the function's real settings. */
export function lambdaContext(name: FunctionName): Context {
  const spec = functions[name];
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `kith-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:kith-local-${name}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/kith-local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
