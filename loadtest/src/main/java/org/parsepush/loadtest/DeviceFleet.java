package org.parsepush.loadtest;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.device.SourceAddresses;

/**
 * A child process holding a share of the ppns-connections scenario's devices, so that only
 * the gateway comes near the per-process limit on open files (each connection is one).
 *
 * <p>Arguments: {@code host port caFile appId firstIndex count sourceAddresses inFlight}.
 * It prints {@code ready}, waits for {@code go} on standard input, then connects devices
 * {@code p-device-<firstIndex>} onwards and prints {@code progress <admitted> <failed>
 * <received>} every 100 ms. It closes every connection and exits when standard input closes.
 */
public final class DeviceFleet {

    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger received = new AtomicInteger();
    private final Queue<PpnsDeviceClient> devices = new ConcurrentLinkedQueue<>();

    private DeviceFleet() {
    }

    public static void main(String[] args) throws Exception {
        // OpenSSL where it loads: the devices' handshakes share the machine with the gateway's.
        DeviceEndpoint endpoint = new DeviceEndpoint(args[0], Integer.parseInt(args[1]), DeviceTls.trusting(Path.of(args[2]),
                OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK));
        String appId = args[3];
        int first = Integer.parseInt(args[4]);
        int count = Integer.parseInt(args[5]);
        int sourceCount = Integer.parseInt(args[6]);
        SourceAddresses sources = sourceCount == 0 ? SourceAddresses.systemChoice() : SourceAddresses.loopback(sourceCount);
        Semaphore inFlight = new Semaphore(Integer.parseInt(args[7]));

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(2);
        DeviceFleet fleet = new DeviceFleet();
        System.out.println("ready");
        if (!"go".equals(commands.readLine())) {
            return;
        }
        Thread reporter = fleet.startReporting();
        for (int i = first; i < first + count; i++) {
            inFlight.acquire();
            fleet.connect(group, endpoint, sources, "p-device-" + i, appId, inFlight);
        }
        while (commands.readLine() != null) {
            // Hold the connections until the scenario is done with them.
        }
        reporter.interrupt();
        fleet.devices.forEach(PpnsDeviceClient::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        System.exit(0);
    }

    /** One device: admitted once the ping after its handshake is answered, failed if closed before. */
    private void connect(EventLoopGroup group, DeviceEndpoint endpoint, SourceAddresses sources, String installationId,
                         String appId, Semaphore inFlight) {
        AtomicBoolean settled = new AtomicBoolean();
        Runnable fail = () -> {
            if (settled.compareAndSet(false, true)) {
                failed.incrementAndGet();
                inFlight.release();
            }
        };
        PpnsDeviceClient.connect(group, endpoint, sources.next(), line -> {
            if (line.equals("{}")) {
                if (settled.compareAndSet(false, true)) {
                    admitted.incrementAndGet();
                    inFlight.release();
                }
            } else if (line.contains("\"push_id\"")) {
                received.incrementAndGet();
            }
        }).whenComplete((device, error) -> {
            if (error != null) {
                fail.run();
                return;
            }
            devices.add(device);
            device.closed().thenRun(fail);
            device.handshake(installationId, appId, null);
        });
    }

    private Thread startReporting() {
        Thread reporter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    System.out.println("progress " + admitted.get() + " " + failed.get() + " " + received.get());
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "fleet-progress");
        reporter.setDaemon(true);
        reporter.start();
        return reporter;
    }

    /** The command that starts a fleet, with this JVM's class path. */
    static List<String> command(List<String> arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(
                ChildProcesses.jdkTool("java"), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), DeviceFleet.class.getName()));
        command.addAll(arguments);
        return command;
    }
}
