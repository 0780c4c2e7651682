package org.parsepush.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    private TransactionalScenario() {
    }

    static void run(Options options) throws Exception {
        try (Bench bench = Bench.start(options, "delivery: {maxConcurrentPushes: 16}")) {
            warmUp(bench);
            // Auto-resizing: an overloaded gateway's latencies have no upper bound worth guessing
            // (a fixed 60 s range ended runs where one push took longer).
            Histogram accept = new ConcurrentHistogram(3);
            Histogram delivery = new ConcurrentHistogram(3);
            Map due = new Map();
            AtomicLong failures = new AtomicLong();
            long total = (long) options.rate() * options.seconds();
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.rate();
            ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
            long start = System.nanoTime();
            AtomicLong sent = new AtomicLong();
            clock.scheduleAtFixedRate(() -> {
                long n = sent.getAndIncrement();
                if (n >= total) {
                    return;
                }
                long intended = start + n * periodNanos;
                var answer = bench.asyncApi.withDeadlineAfter(30, TimeUnit.SECONDS).sendPush(request(n));
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
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            long end = start + TimeUnit.SECONDS.toNanos(options.seconds());
            while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(15)
                    && (sent.get() < total || bench.fcm.messages() < total - failures.get() - 100)) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            clock.shutdownNow();
            TimeUnit.SECONDS.sleep(2);
            long undelivered = 0;
            for (var entry : due.entrySet()) {
                Long arrived = bench.fcm.arrivalNanos(entry.getKey());
                if (arrived == null) {
                    undelivered++;
                } else {
                    delivery.recordValue(Math.max(0, (arrived - entry.getValue()) / 1000));
                }
            }
            new Report("transactional")
                    .put("offered pushes per second", options.rate(), "/s")
                    .put("seconds offered", options.seconds(), "s")
                    .put("pushes accepted", accept.getTotalCount(), "")
                    .put("calls failed", failures.get(), "")
                    .put("accepted but not delivered in time", undelivered, "")
                    .put("accept p50", accept.getValueAtPercentile(50) / 1000.0, "ms")
                    .put("accept p99", accept.getValueAtPercentile(99) / 1000.0, "ms")
                    .put("accept max", accept.getMaxValue() / 1000.0, "ms")
                    .put("delivery p50", delivery.getValueAtPercentile(50) / 1000.0, "ms")
                    .put("delivery p99", delivery.getValueAtPercentile(99) / 1000.0, "ms")
                    .put("delivery max", delivery.getMaxValue() / 1000.0, "ms")
                    .write(options.report());
        }
    }

    private static SendPushRequest request(long n) {
        return SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setDevices(Devices.newBuilder().addDevices(Device.newBuilder()
                        .setDeviceType("android").setDeviceToken("fcm-tx-" + n).setGcmSenderId(Bench.SENDER_ID))))
                .setDataJson("{\"alert\":\"Your order has shipped\",\"order\":" + n + "}").build();
    }

    /** The JIT and the connections warm up before anything is measured. */
    private static void warmUp(Bench bench) throws InterruptedException {
        long before = bench.fcm.messages();
        for (int i = 0; i < 200; i++) {
            bench.api.sendPush(request(-1 - i));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bench.fcm.messages() - before < 200 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Push id to the time it was due. */
    private static final class Map extends ConcurrentHashMap<String, Long> {
    }
}
