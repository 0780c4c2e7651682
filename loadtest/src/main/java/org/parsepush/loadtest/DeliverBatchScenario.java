package org.parsepush.loadtest;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.parsepush.proto.v1.DeliverBatchRequest;
import org.parsepush.proto.v1.Device;
import org.parsepush.proto.v1.DeviceOutcome;
import org.parsepush.proto.v1.OutcomeKind;

/**
 * The fan-out without the audience step: the load generator hands the gateway its devices in
 * {@code DeliverBatch} calls, as the Parse push adapter does, so nothing is read from the
 * database. Next to {@code fanout} it shows what the stored audience costs.
 */
final class DeliverBatchScenario {

    static final int BATCH = 1000;
    /** Calls in flight: enough to keep a topic's APNs window (1,500) full while a batch is answered. */
    static final int CALLS_IN_FLIGHT = 4;
    private static final String DATA = "{\"alert\":\"Fan-out benchmark\",\"badge\":1,\"campaign\":\"bench\"}";

    private DeliverBatchScenario() {
    }

    static void run(Options options) throws Exception {
        double[] given = options.shares();
        if (given[0] + given[1] == 0) {
            throw new IllegalArgumentException("deliver-batch sends to iOS and Android devices only; --mix "
                    + options.mix() + " has none");
        }
        // PPNS devices are left out: the gateway would queue the offline ones in the database.
        double[] shares = {given[0] / (given[0] + given[1]), given[1] / (given[0] + given[1]), 0};
        try (Bench bench = Bench.start(options, "delivery: {batchSize: 500}")) {
            Tally warmUp = new Tally();
            for (int push = 0; push < options.warmUpPushes(); push++) {
                warmUp = deliver(bench, options.devices(), options.warmUp(), shares);
            }

            CpuWindow cpu = CpuWindow.open(bench.gateway);
            long gcMark = bench.gateway.gcLogMark();
            Tally measured = deliver(bench, 0, options.devices(), shares);
            cpu.close();

            Report report = new Report("deliver-batch")
                    .put("devices", options.devices(), "")
                    .note("mix iOS/Android %", Math.round(100 * shares[0]) + "/" + Math.round(100 * shares[1])
                            + (given[2] > 0 ? " (embedded devices left out of --mix " + options.mix() + ")" : ""))
                    .note("calls", CALLS_IN_FLIGHT + " in flight, " + BATCH + " devices each")
                    .put(Bench.DATABASE_DELAY, options.dbDelayMillis(), "ms")
                    .put("warm-up devices (unmeasured)", options.warmUp(), "")
                    .put("warm-up rounds to them", options.warmUpPushes(), "")
                    .put("warm-up devices per second, last round", warmUp.perSecond(), "/s")
                    .put("seconds from the first call to the last answer", measured.seconds, "s")
                    .put("devices per second", measured.perSecond(), "/s")
                    .put("sent", measured.count(OutcomeKind.OUTCOME_KIND_SENT), "")
                    .put("failed", measured.count(OutcomeKind.OUTCOME_KIND_FAILED), "")
                    .put("gateway cpu per device", 1e6 * cpu.gatewaySeconds() / options.devices(), "µs");
            cpu.addTo(report, measured.seconds);
            bench.gateway.reportHeapAndPausesSince(gcMark, report);
            report.write(options.report());
        }
    }

    /** Devices {@code first} to {@code first + count - 1}, {@link #CALLS_IN_FLIGHT} calls at a time. */
    private static Tally deliver(Bench bench, int first, int count, double[] shares) throws Exception {
        Tally tally = new Tally();
        if (count == 0) {
            return tally;
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(CALLS_IN_FLIGHT);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLS_IN_FLIGHT; c++) {
                done.add(callers.submit(() -> {
                    for (int from; (from = next.getAndAdd(BATCH)) < count; ) {
                        DeliverBatchRequest.Builder request = DeliverBatchRequest.newBuilder().setDataJson(DATA);
                        for (int i = from; i < Math.min(count, from + BATCH); i++) {
                            request.addDevices(device(first + i, count, shares));
                        }
                        tally.add(bench.api.deliverBatch(request.build()).getOutcomesList());
                    }
                    return null;
                }));
            }
            for (Future<?> call : done) {
                call.get();
            }
        } finally {
            callers.shutdownNow();
        }
        tally.seconds = FanoutScenario.seconds(System.nanoTime() - start);
        return tally;
    }

    /** The device {@link Bench#seed} would store as installation {@code i}. */
    private static Device device(int i, int count, double[] shares) {
        return Bench.kindOf(i, count, shares[0], shares[1]) == Bench.Kind.IOS
                ? Device.newBuilder().setDeviceType("ios").setDeviceToken(Bench.appleToken(i))
                        .setAppIdentifier(Bench.TOPIC).build()
                : Device.newBuilder().setDeviceType("android").setPushType("gcm").setDeviceToken(Bench.fcmToken(i))
                        .setGcmSenderId(Bench.SENDER_ID).build();
    }

    /** Outcomes by kind, and how long they took. */
    private static final class Tally {
        private final Map<OutcomeKind, Long> byKind = new EnumMap<>(OutcomeKind.class);
        double seconds;

        synchronized void add(List<DeviceOutcome> outcomes) {
            outcomes.forEach(outcome -> byKind.merge(outcome.getKind(), 1L, Long::sum));
        }

        synchronized long count(OutcomeKind kind) {
            return byKind.getOrDefault(kind, 0L);
        }

        synchronized double perSecond() {
            long all = byKind.values().stream().mapToLong(Long::longValue).sum();
            return seconds == 0 ? 0 : all / seconds;
        }
    }
}
