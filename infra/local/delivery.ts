import { describeError, type DeadLetterStore, type DeliveryTarget } from '../../shared/events/dead-letters.ts';
import type { KithEvent, ScheduledInvocation } from '../../shared/events/types.ts';

export type DeliveryPayload = KithEvent | ScheduledInvocation;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type DeliveryOutcome = { delivered: true; attempts: number } | { delivered: false; attempts: number; error: unknown };

/** A delivery that failed on its last attempt, as `redeliver` reports it. */
export class DeliveryFailedError extends Error {
  readonly attempts: number;

  constructor(cause: unknown, attempts: number) {
    super(describeError(cause).message, { cause });
    this.name = describeError(cause).name;
    this.attempts = attempts;
  }
}

export interface DelivererOptions {
  /** Calls the function the way Lambda's async invoke would. */
  invoke(functionName: string, payload: DeliveryPayload): Promise<unknown>;
  deadLetters: DeadLetterStore;
  retry: RetryPolicy;
  /** Deliveries running at once, over all functions. */
  concurrency: number;
  onDelivered?: (target: DeliveryTarget, payload: DeliveryPayload) => void;
  onFailedAttempt?: (target: DeliveryTarget, error: unknown, attempt: number) => void;
  now?: () => Date;
}

interface Job {
  target: DeliveryTarget;
  payload: DeliveryPayload;
  attempts: number;
  lastError?: unknown;
  /** Redrives keep their letter on failure instead of writing a new one. */
  deadLetterOnFailure: boolean;
  settle(outcome: DeliveryOutcome): void;
}

/**
 * Lambda's asynchronous invocation, in process: every delivery runs with bounded concurrency,
 * is retried with exponential backoff and jitter, and lands in the dead-letter store after its
 * last attempt. Nothing is dropped: stopping dead-letters whatever has not run yet.
 */
export class Deliverer {
  private readonly options: DelivererOptions;
  private readonly queue: Job[] = [];
  private readonly waitingRetries = new Map<NodeJS.Timeout, Job>();
  private readonly idleWaiters: (() => void)[] = [];
  private active = 0;
  private stopping = false;

  constructor(options: DelivererOptions) {
    this.options = options;
  }

  /** Queues one delivery; the promise settles when it was delivered or dead-lettered, never rejects. */
  deliver(target: DeliveryTarget, payload: DeliveryPayload): Promise<DeliveryOutcome> {
    return this.submit(target, payload, true);
  }

  /** One more round of attempts for a dead letter; throws DeliveryFailedError if it fails again. */
  async redeliver(target: DeliveryTarget, payload: DeliveryPayload): Promise<void> {
    const outcome = await this.submit(target, payload, false);
    if (!outcome.delivered) throw new DeliveryFailedError(outcome.error, outcome.attempts);
  }

  /** Deliveries queued, running or waiting to retry. */
  get backlog(): number {
    return this.queue.length + this.active + this.waitingRetries.size;
  }

  /** Resolves once nothing is queued, running or waiting to retry. */
  idle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for running deliveries, then dead-letters everything that has not run. */
  async stop(): Promise<void> {
    this.stopping = true;
    const pending = [...this.queue.splice(0), ...this.waitingRetries.values()];
    for (const timer of this.waitingRetries.keys()) clearTimeout(timer);
    this.waitingRetries.clear();
    await Promise.all(
      pending.map((job) => this.fail(job, job.lastError ?? new Error('The local runtime stopped before this delivery ran.'))),
    );
    this.notifyIfIdle();
    await this.idle();
  }

  private submit(target: DeliveryTarget, payload: DeliveryPayload, deadLetterOnFailure: boolean): Promise<DeliveryOutcome> {
    return new Promise((settle) => {
      const job: Job = { target, payload, attempts: 0, deadLetterOnFailure, settle };
      if (this.stopping) {
        void this.fail(job, new Error('The local runtime is stopping.'));
        return;
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active++;
      void this.attempt(job).finally(() => {
        this.active--;
        this.pump();
        this.notifyIfIdle();
      });
    }
    this.notifyIfIdle();
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    try {
      // Each attempt gets its own copy, as each Lambda invocation deserializes its own event.
      await this.options.invoke(job.target.function, structuredClone(job.payload));
      this.options.onDelivered?.(job.target, job.payload);
      job.settle({ delivered: true, attempts: job.attempts });
    } catch (error) {
      job.lastError = error;
      this.options.onFailedAttempt?.(job.target, error, job.attempts);
      if (job.attempts < this.options.retry.maxAttempts && !this.stopping) this.retryLater(job);
      else await this.fail(job, error);
    }
  }

  private retryLater(job: Job): void {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (job.attempts - 1)) * (0.5 + Math.random() / 2);
    const timer = setTimeout(() => {
      this.waitingRetries.delete(timer);
      this.queue.push(job);
      this.pump();
    }, delay);
    this.waitingRetries.set(timer, job);
  }

  private async fail(job: Job, error: unknown): Promise<void> {
    if (job.deadLetterOnFailure) {
      try {
        await this.options.deadLetters.add({
          target: job.target,
          payload: job.payload,
          error: describeError(error),
          attempts: job.attempts,
          failedAt: (this.options.now?.() ?? new Date()).toISOString(),
        });
      } catch (storeError) {
        console.error(`Kith could not keep a dead letter for ${job.target.name}: ${describeError(storeError).message}`);
      }
    }
    job.settle({ delivered: false, attempts: job.attempts, error });
  }

  private notifyIfIdle(): void {
    if (this.backlog > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
