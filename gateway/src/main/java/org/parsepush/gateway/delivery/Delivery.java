package org.parsepush.gateway.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.parsepush.gateway.audience.Installation;

/**
 * Sends batches to providers with the two policies every provider shares: a bound on the
 * devices in flight per {@link Lane}, and bounded retries with backoff. {@link #submit}
 * blocks while the lane is full, which slows the audience cursor down to the provider's
 * pace: memory stays constant whatever the audience size.
 */
public final class Delivery {

    private final RetryPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;

    public Delivery(RetryPolicy policy, ScheduledExecutorService scheduler, Clock clock) {
        this.policy = policy;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /**
     * Waits for room on the lane, then sends; the future completes with one outcome per
     * device, in order, once every device has a final answer (after retries).
     */
    public <M> CompletableFuture<List<Outcome>> submit(Prepared<M> prepared, Lane lane, List<Installation> devices)
            throws InterruptedException {
        int permits = Math.min(devices.size(), lane.maxInFlight());
        lane.inFlight.acquire(permits);
        Batch<M> batch = new Batch<>(prepared, lane, devices);
        batch.result.whenComplete((outcomes, error) -> lane.inFlight.release(permits));
        batch.attempt(allIndexes(devices.size()), 1);
        return batch.result;
    }

    private static int[] allIndexes(int size) {
        int[] indexes = new int[size];
        Arrays.setAll(indexes, i -> i);
        return indexes;
    }

    /** One batch on its way: outcomes fill in as tries come back. */
    private final class Batch<M> {
        private final Prepared<M> prepared;
        private final Lane lane;
        private final List<Installation> devices;
        private final Outcome[] outcomes;
        final CompletableFuture<List<Outcome>> result = new CompletableFuture<>();

        Batch(Prepared<M> prepared, Lane lane, List<Installation> devices) {
            this.prepared = prepared;
            this.lane = lane;
            this.devices = devices;
            this.outcomes = new Outcome[devices.size()];
        }

        void attempt(int[] indexes, int attemptNumber) {
            List<Installation> subset = new ArrayList<>(indexes.length);
            for (int index : indexes) {
                subset.add(devices.get(index));
            }
            CompletableFuture<List<Attempt>> sent;
            try {
                sent = prepared.send(lane, subset);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.orTimeout(policy.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((attempts, error) -> {
                        try {
                            settle(indexes, attemptNumber, attempts, error);
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    });
        }

        private void settle(int[] indexes, int attemptNumber, List<Attempt> attempts, Throwable error) {
            int[] retry = new int[indexes.length];
            int retries = 0;
            Duration hint = null;
            for (int i = 0; i < indexes.length; i++) {
                Attempt attempt = error != null ? asRetry(error) : attempts.get(i);
                int index = indexes[i];
                Installation device = devices.get(index);
                if (attempt instanceof Attempt.Sent) {
                    outcomes[index] = Outcome.sent(device, prepared.provider().name());
                } else if (attempt instanceof Attempt.Queued) {
                    outcomes[index] = Outcome.queued(device, prepared.provider().name());
                } else if (attempt instanceof Attempt.Failed failed) {
                    outcomes[index] = Outcome.failed(device, prepared.provider().name(), failed.reason(),
                            failed.detail(), failed.tokenDead());
                } else {
                    Attempt.Retry again = (Attempt.Retry) attempt;
                    if (attemptNumber >= policy.maxAttempts() || prepared.push().expiredAt(clock.instant())) {
                        outcomes[index] = giveUp(device, again, attemptNumber);
                    } else {
                        retry[retries++] = index;
                        if (again.after() != null && (hint == null || again.after().compareTo(hint) > 0)) {
                            hint = again.after();
                        }
                    }
                }
            }
            if (retries == 0) {
                result.complete(List.of(outcomes));
                return;
            }
            int[] next = Arrays.copyOf(retry, retries);
            Duration delay = policy.delayBefore(attemptNumber + 1, hint);
            scheduler.schedule(() -> attempt(next, attemptNumber + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        private Outcome giveUp(Installation device, Attempt.Retry last, int attempts) {
            if (prepared.push().expiredAt(clock.instant())) {
                return Outcome.failed(device, prepared.provider().name(), Reason.EXPIRED,
                        "expired while retrying: " + last.detail(), false);
            }
            return Outcome.failed(device, prepared.provider().name(), last.reason(),
                    last.detail() + " (gave up after " + attempts + " attempts)", false);
        }

        private Attempt asRetry(Throwable error) {
            Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                    ? error.getCause() : error;
            String detail = cause instanceof java.util.concurrent.TimeoutException
                    ? "no answer within " + policy.requestTimeout().toSeconds() + " s"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return Attempt.retry(Reason.PROVIDER_UNAVAILABLE, detail, null);
        }
    }
}
