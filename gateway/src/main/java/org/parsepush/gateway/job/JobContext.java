package org.parsepush.gateway.job;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.parsepush.gateway.config.DeliverySettings;
import org.parsepush.gateway.config.OutcomeSettings;
import org.parsepush.gateway.delivery.Delivery;
import org.parsepush.gateway.report.PushMetrics;

/**
 * What every job of a gateway shares.
 *
 * @param delivery  sends batches with retries and in-flight bounds
 * @param settings  batching and flush settings
 * @param outcomes  what the outcome log keeps
 * @param metrics   device outcome counters
 * @param clock     the one clock for schedules, expiry and leases
 * @param owner     this replica's name in leases
 * @param lease     how long a lease lasts without renewal
 * @param committer runs checkpoint commits off the provider threads
 */
record JobContext(Delivery delivery, DeliverySettings settings, OutcomeSettings outcomes, PushMetrics metrics,
                  Clock clock, String owner, Duration lease, Executor committer) {
}
