package org.parsepush.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * K devices hold PPNS connections over TLS: how fast they are admitted, what each costs the
 * gateway in resident memory (heap, direct buffers and TLS state all count), and how long one
 * push takes to reach all of them.
 *
 * <p>The devices run in child processes ({@link DeviceFleet}, at most
 * {@value #DEVICES_PER_FLEET} each) so that only the gateway holds one file per connection
 * in one process. Resident memory is read after a full GC at both ends, so that garbage does
 * not count; what is live (heap, direct buffers, native TLS state) does. With
 * {@code LOADTEST_PPNS_DIAGNOSE=<file>} the gateway's class histogram and its native memory
 * growth since before the devices came (if {@code -XX:NativeMemoryTracking=summary} is in
 * {@code LOADTEST_GATEWAY_JVM_ARGS}) are written there while the devices are connected.
 */
final class PpnsConnectionsScenario {

    /**
     * Handshakes under way at once across all device processes: enough to keep the gateway
     * busy, few enough that none waits past the gateway's 10-second handshake timeout on
     * this shared machine (a queue of 500 did: the load generator timed its own devices out).
     */
    private static final int HANDSHAKES_IN_FLIGHT = 100;
    static final int DEVICES_PER_FLEET = 10_000;
    private static final int WARM_UP_DEVICES = 2_000;
    /**
     * One installation in this many is a device that never connects, as in any fleet: the
     * push writes their inboxes and asks the shared directory where they are. Without them
     * that path went unmeasured, and a directory refresh that held it up for 40 s at 18,900
     * connections showed only when some handshakes happened to time out.
     */
    static final int OFFLINE_ONE_IN = 20;

    private PpnsConnectionsScenario() {
    }

    static void run(Options options) throws Exception {
        Path certs = Files.createDirectories(Files.createTempDirectory("ppns-bench"));
        TestCertificates tls = TestCertificates.create(certs);
        String ppns = "ppns: {port: 0, certificateChainFile: \"%s\", privateKeyFile: \"%s\", maxPendingHandshakes: 2048}"
                .formatted(tls.certificateChain(), tls.privateKey());
        int count = options.connections();
        try (Bench bench = Bench.start(options, ppns)) {
            // The devices connect as p-device-0 .. count-1; the installations after them stay offline.
            bench.seed(count + count / OFFLINE_ONE_IN, 0, 0, "P");
            warmUp(options, bench, tls.caCertificate(), count);
            List<Fleet> fleets = startFleets(options, bench.gateway.ppnsPort(), tls.caCertificate(), count);
            try {
                measure(options, bench, fleets, count);
            } finally {
                fleets.forEach(Fleet::close);
            }
        }
    }

    /**
     * A first wave of devices connects and leaves before anything is measured, so that the
     * figures are those of holding connections, not of the gateway's first handshakes ever
     * (JIT-compiled code, classes, pools: a few MB that do not grow with the device count).
     */
    private static void warmUp(Options options, Bench bench, Path ca, int count) throws Exception {
        int size = Math.min(count, WARM_UP_DEVICES);
        List<Fleet> fleets = startFleets(options, bench.gateway.ppnsPort(), ca, size);
        try {
            fleets.forEach(Fleet::go);
            awaitTotal(fleets, fleet -> fleet.admitted + fleet.failed, size, Duration.ofMinutes(5));
        } finally {
            fleets.forEach(Fleet::close);
        }
        awaitZero(bench.gateway, "ppns_connections_open", Duration.ofMinutes(1));
    }

    private static void measure(Options options, Bench bench, List<Fleet> fleets, int count) throws Exception {
        TimeUnit.SECONDS.sleep(2);
        long residentBefore = residentAfterGc(bench.gateway);
        double heapBefore = bench.gateway.metric("jvm_memory_used_bytes", "area=\"heap\"");
        double committedBefore = bench.gateway.metric("jvm_memory_committed_bytes", "area=\"heap\"");
        if (diagnosis() != null) {
            bench.gateway.jcmd("VM.native_memory", "baseline");
        }
        long start = System.nanoTime();
        fleets.forEach(Fleet::go);
        awaitTotal(fleets, fleet -> fleet.admitted + fleet.failed, count, Duration.ofMinutes(10));
        long handshakesDone = System.nanoTime();
        double handshakeSeconds = FanoutScenario.seconds(handshakesDone - start);
        int admitted = total(fleets, fleet -> fleet.admitted);
        TimeUnit.SECONDS.sleep(3);
        long residentAfter = residentAfterGc(bench.gateway);
        double heapGrowth = bench.gateway.metric("jvm_memory_used_bytes", "area=\"heap\"") - heapBefore;
        double committedGrowth = bench.gateway.metric("jvm_memory_committed_bytes", "area=\"heap\"") - committedBefore;
        diagnose(bench.gateway);
        // Each new connection's live pushes wait until its replay is written; measure the push
        // to devices that are settled, and how long settling took, separately.
        awaitZero(bench.gateway, "gateway_ppns_arrivals_pending", Duration.ofMinutes(5));
        double settleSeconds = FanoutScenario.seconds(System.nanoTime() - handshakesDone);

        long pushStart = System.nanoTime();
        String pushId = bench.api.sendPush(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"embedded\"}"))
                .setDataJson("{\"alert\":\"to every device\"}").build()).getPushId();
        awaitTotal(fleets, fleet -> fleet.received, admitted, Duration.ofMinutes(5));
        double pushSeconds = FanoutScenario.seconds(System.nanoTime() - pushStart);
        PushStatus status = bench.awaitFinished(pushId, Duration.ofMinutes(5));

        Report report = new Report("ppns-connections")
                .put("connections (TLS)", admitted, "")
                .put("handshakes failed", count - admitted, "");
        for (String outcome : List.of("timeout", "over_capacity", "unavailable", "tls_failed", "abandoned")) {
            report.put("gateway handshakes " + outcome, bench.gateway.metric("ppns_handshakes_total",
                    "outcome=\"" + outcome + "\""), "");
        }
        report
                .put("handshakes per second", admitted / handshakeSeconds, "/s")
                .put("gateway resident memory growth", (residentAfter - residentBefore) / 1e6, "MB")
                .put("memory per connection", (double) (residentAfter - residentBefore) / admitted / 1024, "KB")
                .put("of which heap (committed) per connection", committedGrowth / admitted / 1024, "KB")
                .put("of which outside the heap per connection",
                        (residentAfter - residentBefore - committedGrowth) / admitted / 1024, "KB")
                .put("live heap per connection", heapGrowth / admitted / 1024, "KB")
                .put("seconds after the last handshake until every arrival was settled", settleSeconds, "s")
                .put("seconds for one push to reach all", pushSeconds, "s")
                .put("offline installations in the push (queued in their inbox)", status.getNumQueued(), "")
                .note("gateway heap cap", options.heap())
                .note("device processes", String.valueOf(fleets.size()))
                .note("source addresses", options.sourceAddresses() == 0 ? "system's choice"
                        : "127.0.0.2 .. 127.0.0." + (1 + options.sourceAddresses()))
                .write(options.report());
    }

    private static List<Fleet> startFleets(Options options, int port, Path ca, int count) throws Exception {
        int processes = Math.max(1, (count + DEVICES_PER_FLEET - 1) / DEVICES_PER_FLEET);
        List<Fleet> fleets = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            int first = (int) ((long) count * i / processes);
            int size = (int) ((long) count * (i + 1) / processes) - first;
            fleets.add(new Fleet(DeviceFleet.command(List.of("localhost", String.valueOf(port), ca.toString(),
                    Bench.APP_ID, String.valueOf(first), String.valueOf(size), String.valueOf(options.sourceAddresses()),
                    String.valueOf(Math.max(1, HANDSHAKES_IN_FLIGHT / processes))))));
        }
        for (Fleet fleet : fleets) {
            fleet.awaitReady();
        }
        return fleets;
    }

    /** Waits until the gateway's {@code metric} reads 0, at most {@code timeout}. */
    private static void awaitZero(GatewayUnderTest gateway, String metric, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (gateway.metric(metric, "") > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** Resident memory after a full collection, so that garbage does not count as cost. */
    private static long residentAfterGc(GatewayUnderTest gateway) throws IOException, InterruptedException {
        gateway.jcmd("GC.run");
        TimeUnit.SECONDS.sleep(1);
        return gateway.residentBytes();
    }

    /** Where to write the gateway's memory breakdown, or null. */
    private static Path diagnosis() {
        String file = System.getenv("LOADTEST_PPNS_DIAGNOSE");
        return file == null || file.isBlank() ? null : Path.of(file);
    }

    /** The live heap by class, and native memory grown since the baseline taken before the devices came. */
    private static void diagnose(GatewayUnderTest gateway) throws IOException, InterruptedException {
        if (diagnosis() != null) {
            Files.writeString(diagnosis(), gateway.jcmd("GC.class_histogram") + "\n"
                    + gateway.jcmd("VM.native_memory", "summary.diff"));
        }
    }

    private static int total(List<Fleet> fleets, ToIntFunction<Fleet> counter) {
        return fleets.stream().mapToInt(counter).sum();
    }

    private static void awaitTotal(List<Fleet> fleets, ToIntFunction<Fleet> counter, int target, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (total(fleets, counter) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + total(fleets, counter) + " of " + target + " within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** One device process and its latest progress report. */
    private static final class Fleet implements AutoCloseable {

        private final Process process;
        private final Writer commands;
        private final CountDownLatch ready = new CountDownLatch(1);
        volatile int admitted;
        volatile int failed;
        volatile int received;

        Fleet(List<String> command) throws IOException {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::readProgress, "fleet-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void readProgress() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals("ready")) {
                        ready.countDown();
                    } else if (line.startsWith("progress ")) {
                        String[] counts = line.split(" ");
                        admitted = Integer.parseInt(counts[1]);
                        failed = Integer.parseInt(counts[2]);
                        received = Integer.parseInt(counts[3]);
                    }
                }
            } catch (IOException e) {
                // The process ended.
            }
        }

        void awaitReady() throws InterruptedException {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a device process did not start");
            }
        }

        void go() {
            try {
                commands.write("go\n");
                commands.flush();
            } catch (IOException e) {
                throw new IllegalStateException("a device process is gone", e);
            }
        }

        @Override
        public void close() {
            try {
                commands.close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
