package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;
import org.parsepush.proto.v1.Throttle;

/** A stopping replica: not ready while it drains, and its PPNS devices leave a few at a time. */
class DrainTest {

    @TempDir
    Path dir;

    @Test
    void readinessIsFalseWhileDrainingAndPpnsDevicesLeaveGradually() throws Exception {
        try (TestMongo mongo = TestMongo.start()) {
            mongo.embeddedDevices("d", "drain-device-", 20, "slow");
            TestGateway gateway = TestGateway.start(dir, "mongo: {uri: \"" + mongo.uri() + "\"}");
            EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(1);
            List<CompletableFuture<Instant>> closedAt = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    PpnsDeviceClient device = PpnsDeviceClient.connect(group,
                            DeviceEndpoint.plainTcp("127.0.0.1", gateway.gateway().ppnsPort()), line -> { })
                            .get(10, TimeUnit.SECONDS);
                    device.handshake("drain-device-" + i, TestGateway.APP_ID, null).get(5, TimeUnit.SECONDS);
                    closedAt.add(device.closed().thenApply(done -> Instant.now()));
                }
                // A slow push keeps the replica busy while it drains.
                gateway.send(SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                                .setChannels(Channels.newBuilder().addNames("slow")))
                        .setThrottle(Throttle.newBuilder().setDevicesPerSecond(2)).setDataJson("{\"alert\":\"x\"}").build());
                assertEquals(200, gateway.admin("/readyz").statusCode());

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                    try {
                        gateway.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                int notReady = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!stopping.isDone() && System.nanoTime() < deadline) {
                    try {
                        if (gateway.admin("/readyz").statusCode() == 503) {
                            notReady++;
                        }
                    } catch (RuntimeException stoppedAnswering) {
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                stopping.get(30, TimeUnit.SECONDS);
                assertTrue(notReady > 0, "readiness never said 503 while the replica drained");

                List<Instant> times = new ArrayList<>();
                for (CompletableFuture<Instant> closed : closedAt) {
                    times.add(closed.get(10, TimeUnit.SECONDS));
                }
                times.sort(Instant::compareTo);
                long spreadMillis = java.time.Duration.between(times.get(0), times.get(times.size() - 1)).toMillis();
                assertTrue(spreadMillis >= 300, "the devices were all dropped at once (" + spreadMillis + " ms)");
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }
}
