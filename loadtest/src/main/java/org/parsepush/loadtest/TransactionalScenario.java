package org.parsepush.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.parsepush.proto.v1.Device;
import org.parsepush.proto.v1.Devices;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.SendPushResponse;
import org.parsepush.proto.v1.Target;

/**
 * Many small pushes to one explicit device each, offered at a fixed rate whatever the
 * gateway does (open loop: latency counts from when a push was due, so a slow server cannot
 * hide its queueing). Accept latency is the SendPush answer; delivery latency is the arrival
 * of the push at the local FCM endpoint.
 */
final class TransactionalScenario {

    /** Sent one at a time before anything else, even without {@code --warm-up}. */
    private static final int FIRST_PUSHES = 200;
    private static final int WARM_UP_IN_FLIGHT = 32;

    private TransactionalScenario() {
    }

    /** Turns the look for pushes Parse Server scheduled back on (see {@link #GATEWAY_SETTINGS}). */
    private static final String PARSE_SCHEDULED_LOOK = "GATEWAY_JOBS__PARSE_SCHEDULED_POLL_MILLIS";
    /**
     * The look for pushes Parse Server scheduled is off: it reads a partial index on
     * {@code _PushStatus} that mongo-java-server does not keep, so here every look scanned the
     * warm-up's statuses and held up the pushes' own status writes behind it (accept p99 71-108 ms
     * against 9-21 ms without, alternating at 500/s).
     */
    private static final String GATEWAY_SETTINGS = """
            delivery: {maxConcurrentPushes: 16}
            jobs: {parseScheduledPollMillis: 0}""";

    static void run(Options options) throws Exception {
        try (Bench bench = Bench.start(options, GATEWAY_SETTINGS)) {
            // The connections and the first compilations, one push at a time, then the warm-up proper.
            ClosedLoop.send(bench, FIRST_PUSHES, 1, "fcm-tx-first-");
            ClosedLoop warm = ClosedLoop.send(bench, options.warmUp(), WARM_UP_IN_FLIGHT, "fcm-tx-warm-");
            CpuWindow cpu = CpuWindow.open(bench.gateway);
            long gcMark = bench.gateway.gcLogMark();
            long start = System.nanoTime();
            OpenLoop run = OpenLoop.offer(bench, options.rate(), options.seconds(), "fcm-tx-");
            double elapsed = (System.nanoTime() - start) / 1e9;
            cpu.close();
            Histogram delivery = new ConcurrentHistogram(3);
            long undelivered = 0;
            for (var entry : run.due.entrySet()) {
                Long arrived = bench.fcm.arrivalNanos(entry.getKey());
                if (arrived == null) {
                    undelivered++;
                } else {
                    delivery.recordValue(Math.max(0, (arrived - entry.getValue()) / 1000));
                }
            }
            Histogram accept = run.accept;
            // CPU is measured over the offered run and the drain after it, so idle seconds weigh in a little.
            double pushes = Math.max(1, accept.getTotalCount());
            double bothMillis = (cpu.gatewaySeconds() + cpu.ownSeconds()) * 1000;
            int cores = Runtime.getRuntime().availableProcessors();
            Report report = new Report("transactional")
                    .put("offered pushes per second", options.rate(), "/s")
                    .note("look for pushes Parse Server scheduled", parseScheduledLook())
                    .put("seconds offered", options.seconds(), "s")
                    .put(Bench.DATABASE_DELAY, options.dbDelayMillis(), "ms")
                    .put("warm-up pushes delivered (unmeasured, at most " + WARM_UP_IN_FLIGHT + " in flight)",
                            warm.delivered, "")
                    .put("warm-up pushes delivered per second", warm.deliveredPerSecond(), "/s")
                    .put("pushes accepted", accept.getTotalCount(), "")
                    .put("calls failed", run.failures.get(), "")
                    .put("accepted but not delivered in time", undelivered, "")
                    .put("accept p50", accept.getValueAtPercentile(50) / 1000.0, "ms")
                    .put("accept p99", accept.getValueAtPercentile(99) / 1000.0, "ms")
                    .put("accept p99.9", accept.getValueAtPercentile(99.9) / 1000.0, "ms")
                    .put("accept max", accept.getMaxValue() / 1000.0, "ms")
                    .put("delivery p50", delivery.getValueAtPercentile(50) / 1000.0, "ms")
                    .put("delivery p99", delivery.getValueAtPercentile(99) / 1000.0, "ms")
                    .put("delivery p99.9", delivery.getValueAtPercentile(99.9) / 1000.0, "ms")
                    .put("delivery max", delivery.getMaxValue() / 1000.0, "ms")
                    .put("gateway cpu per accepted push", 1000 * cpu.gatewaySeconds() / pushes, "ms")
                    // A gateway up for minutes is still compiling the small-push path (a method run once
                    // per database round takes long to reach C2); this is the cost once it is done.
                    .put("gateway cpu per accepted push, JIT compilers left out",
                            1000 * cpu.gatewaySecondsWithoutCompilers() / pushes, "ms")
                    .put("load generator cpu per accepted push", 1000 * cpu.ownSeconds() / pushes, "ms")
                    // What both processes' costs leave room for, were the cores theirs alone.
                    .put("pushes per second these costs allow on " + cores + " cores",
                            cores * 1000 / (bothMillis / pushes), "/s");
            bench.gateway.reportHeapAndPausesSince(gcMark, report);
            cpu.addTo(report, elapsed).write(options.report());
        }
    }

    private static String parseScheduledLook() {
        String every = System.getenv(PARSE_SCHEDULED_LOOK);
        return every == null || every.equals("0") ? "off" : "every " + every + " ms (" + PARSE_SCHEDULED_LOOK + ")";
    }

    /**
     * Unmeasured pushes sent as fast as the gateway delivers them, a bounded number at a time:
     * the code on the small-push path gets hot within seconds instead of minutes at a modest
     * rate (at 200/s the compilers were still busy after a minute of open-loop warm-up), and
     * the gateway is never pushed past what it takes. A push counts as in flight until the FCM
     * stand-in has it, not only until it is accepted: a gateway that accepts faster than it
     * delivers (its database far away) would otherwise pile up pushes in its queues during
     * the warm-up and start the measured run with that backlog.
     */
    private static final class ClosedLoop {
        final long delivered;
        final long nanos;

        private ClosedLoop(long delivered, long nanos) {
            this.delivered = delivered;
            this.nanos = nanos;
        }

        /**
         * Sends {@code pushes}, at most {@code inFlightAtMost} accepted or not yet delivered at
         * a time, and waits (at most 30 s) until the FCM stand-in has them all.
         *
         * @throws IllegalStateException if a push was refused: nothing measured after that would mean anything
         */
        static ClosedLoop send(Bench bench, int pushes, int inFlightAtMost, String tokenPrefix)
                throws InterruptedException {
            long before = bench.fcm.messages();
            long start = System.nanoTime();
            Semaphore inFlight = new Semaphore(inFlightAtMost);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int n = 0; n < pushes; n++) {
                inFlight.acquire();
                long mustHaveArrived = before + n - inFlightAtMost + 1;
                if (!awaitDelivered(bench, mustHaveArrived)) {
                    throw new IllegalStateException("warm-up pushes accepted but not delivered within 30 s: "
                            + (mustHaveArrived - bench.fcm.messages()) + " missing");
                }
                var answer = bench.asyncApi.withDeadlineAfter(30, TimeUnit.SECONDS).sendPush(request(tokenPrefix, n));
                Futures.addCallback(answer, new FutureCallback<SendPushResponse>() {
                    @Override
                    public void onSuccess(SendPushResponse response) {
                        inFlight.release();
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        failure.compareAndSet(null, error);
                        inFlight.release();
                    }
                }, MoreExecutors.directExecutor());
            }
            inFlight.acquire(inFlightAtMost);
            if (failure.get() != null) {
                throw new IllegalStateException("a warm-up push failed: " + failure.get(), failure.get());
            }
            awaitDelivered(bench, before + pushes);
            return new ClosedLoop(bench.fcm.messages() - before, System.nanoTime() - start);
        }

        /** Waits (at most 30 s) until the FCM stand-in has {@code count} messages in all; false when it has not. */
        private static boolean awaitDelivered(Bench bench, long count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (bench.fcm.messages() < count) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                LockSupport.parkNanos(100_000);
            }
            return true;
        }

        double deliveredPerSecond() {
            return delivered * 1e9 / nanos;
        }
    }

    /** One open-loop run: its accept latencies, and when each accepted push was due. */
    private static final class OpenLoop {
        // Auto-resizing: an overloaded gateway's latencies have no upper bound worth guessing
        // (a fixed 60 s range ended runs where one push took longer).
        final Histogram accept = new ConcurrentHistogram(3);
        final Map due = new Map();
        final AtomicLong failures = new AtomicLong();

        /**
         * Offers {@code rate} pushes a second for {@code seconds}, each to its own device, then
         * waits (at most 15 s) until the FCM stand-in has them all.
         */
        static OpenLoop offer(Bench bench, int rate, int seconds, String tokenPrefix) throws InterruptedException {
            OpenLoop run = new OpenLoop();
            long total = (long) rate * seconds;
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
            long arrivedBefore = bench.fcm.messages();
            ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
            long start = System.nanoTime();
            AtomicLong sent = new AtomicLong();
            clock.scheduleAtFixedRate(() -> {
                long n = sent.getAndIncrement();
                if (n < total) {
                    run.send(bench, request(tokenPrefix, n), start + n * periodNanos);
                }
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(15) && (sent.get() < total
                    || bench.fcm.messages() - arrivedBefore < total - run.failures.get() - 100)) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            clock.shutdownNow();
            TimeUnit.SECONDS.sleep(2);
            return run;
        }

        private void send(Bench bench, SendPushRequest request, long intended) {
            var answer = bench.asyncApi.withDeadlineAfter(30, TimeUnit.SECONDS).sendPush(request);
            Futures.addCallback(answer, new FutureCallback<SendPushResponse>() {
                @Override
                public void onSuccess(SendPushResponse response) {
                    accept.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                    due.put(response.getPushId(), intended);
                }

                @Override
                public void onFailure(Throwable error) {
                    failures.incrementAndGet();
                }
            }, MoreExecutors.directExecutor());
        }
    }

    private static SendPushRequest request(String tokenPrefix, long n) {
        return SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setDevices(Devices.newBuilder().addDevices(Device.newBuilder()
                        .setDeviceType("android").setDeviceToken(tokenPrefix + n).setGcmSenderId(Bench.SENDER_ID))))
                .setDataJson("{\"alert\":\"Your order has shipped\",\"order\":" + n + "}").build();
    }

    /** Push id to the time it was due. */
    private static final class Map extends ConcurrentHashMap<String, Long> {
    }
}
