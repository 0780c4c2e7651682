package org.parsepush.ppns.simulator;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.device.SourceAddresses;
import org.parsepush.ppns.simulator.SimulatorOptions.UsageException;

/**
 * Stands in for PPNS devices when there are none at hand: to try a gateway by hand, or to
 * watch what a real device would receive. {@code --help} lists the options; pushes go to
 * standard output, one line each, and connection events to standard error.
 */
public final class DeviceSimulator implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<SimulatedDevice> devices;

    private DeviceSimulator(EventLoopGroup group, List<SimulatedDevice> devices) {
        this.group = group;
        this.devices = devices;
    }

    /** Runs until every device has stopped, or until the process is interrupted. */
    public static void main(String[] args) throws IOException {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(SimulatorOptions.USAGE);
            return;
        }
        SimulatorOptions options;
        try {
            options = SimulatorOptions.parse(args);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.err.print(SimulatorOptions.USAGE);
            System.exit(2);
            return;
        }
        DeviceSimulator simulator = start(options, System.out, System.err);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-stop"));
        simulator.stopped().join();
        simulator.close();
    }

    static DeviceSimulator start(SimulatorOptions options, PrintStream out, PrintStream err) throws IOException {
        DeviceEndpoint endpoint = new DeviceEndpoint(options.host(), options.port(), tls(options));
        EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(0);
        SourceAddresses sources = options.sourceAddresses() == 0 ? SourceAddresses.systemChoice()
                : SourceAddresses.loopback(options.sourceAddresses());
        List<SimulatedDevice> devices = new ArrayList<>();
        for (String installationId : options.installationIds()) {
            devices.add(new SimulatedDevice(installationId, options, endpoint, sources, group, out, err));
        }
        devices.forEach(SimulatedDevice::start);
        return new DeviceSimulator(group, devices);
    }

    private static DeviceTls tls(SimulatorOptions options) throws IOException {
        if (options.plainTcp()) {
            return null;
        }
        if (options.trustAll()) {
            return DeviceTls.trustingAnyone();
        }
        return options.ca() == null ? DeviceTls.systemTrust() : DeviceTls.trusting(options.ca());
    }

    /** Completes when every device has disconnected for good. */
    CompletableFuture<Void> stopped() {
        return CompletableFuture.allOf(devices.stream().map(SimulatedDevice::stopped).toArray(CompletableFuture[]::new));
    }

    /** Disconnects every device and stops the event loops. */
    @Override
    public void close() {
        devices.forEach(SimulatedDevice::stop);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
