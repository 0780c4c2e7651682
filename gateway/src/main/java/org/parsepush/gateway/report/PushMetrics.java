package org.parsepush.gateway.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.parsepush.gateway.delivery.Outcome;

/** Device outcomes as Micrometer counters: {@code gateway_push_devices_total{app,provider,outcome,reason}}. */
public final class PushMetrics {

    private final MeterRegistry registry;

    public PushMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts a finished push and how long it ran, from acceptance to its end. */
    public void jobFinished(String appId, PushState state, java.time.Duration sinceAccepted) {
        io.micrometer.core.instrument.Timer.builder("gateway.push.job.duration")
                .description("Pushes by final state, and their time from acceptance to the end")
                .tags("app", appId, "state", state.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry)
                .record(sinceAccepted);
    }

    /** Counts a batch of outcomes, one registry update per distinct tag set. */
    public void record(String appId, List<Outcome> outcomes) {
        // Tallied per distinct (provider, kind, reason) first: the tag strings are built once per batch, not per device.
        Map<Tally, Integer> tallies = new HashMap<>();
        for (Outcome outcome : outcomes) {
            tallies.merge(new Tally(outcome.provider(), outcome.kind(), outcome.reason()), 1, Integer::sum);
        }
        tallies.forEach((tally, count) -> Counter.builder("gateway.push.devices")
                .description("Devices by provider, outcome and reason")
                .tags("app", appId, "provider", tally.provider() == null ? "none" : tally.provider(),
                        "outcome", tally.kind().name().toLowerCase(java.util.Locale.ROOT),
                        "reason", tally.reason() == null ? "none" : tally.reason().code())
                .register(registry)
                .increment(count));
    }

    private record Tally(String provider, Outcome.Kind kind, org.parsepush.gateway.delivery.Reason reason) {
    }
}
