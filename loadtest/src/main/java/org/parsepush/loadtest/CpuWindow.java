package org.parsepush.loadtest;

import java.io.IOException;

/**
 * The CPU both processes used over one measured stretch: the gateway's, in all and by
 * thread, and the load generator's own (the database and the provider stand-ins). On two
 * shared cores a figure means little without both: what one process uses, the other lacks.
 */
final class CpuWindow {

    private final GatewayUnderTest gateway;
    private final double gatewayBefore;
    private final ThreadCpu gatewayThreadsBefore;
    private final OwnCpu ownBefore;
    private double gatewaySeconds;
    private ThreadCpu gatewayThreadsAfter;
    private OwnCpu ownAfter;

    private CpuWindow(GatewayUnderTest gateway) throws IOException {
        this.gateway = gateway;
        this.gatewayBefore = gateway.cpuSeconds();
        this.gatewayThreadsBefore = gateway.threads();
        this.ownBefore = OwnCpu.now();
    }

    /** Starts measuring now. */
    static CpuWindow open(GatewayUnderTest gateway) throws IOException {
        return new CpuWindow(gateway);
    }

    /** Stops measuring; the figures below are from the opening to now. */
    CpuWindow close() throws IOException {
        gatewaySeconds = gateway.cpuSeconds() - gatewayBefore;
        gatewayThreadsAfter = gateway.threads();
        ownAfter = OwnCpu.now();
        return this;
    }

    double gatewaySeconds() {
        return gatewaySeconds;
    }

    /** The gateway's CPU seconds but for its JIT compilers' threads. */
    double gatewaySecondsWithoutCompilers() {
        return gatewaySeconds - gatewayThreadsAfter.compilerSecondsSince(gatewayThreadsBefore);
    }

    double ownSeconds() {
        return ownAfter.secondsSince(ownBefore);
    }

    /** Both processes' use of the cores over {@code elapsed} seconds, and their busiest threads. */
    Report addTo(Report report, double elapsed) {
        return report.put("gateway cpu seconds", gatewaySeconds, "s")
                .put("gateway cpu use (of 1 core)", 100 * gatewaySeconds / elapsed, "%")
                .note("gateway busiest threads", gatewayThreadsAfter.busiestSince(gatewayThreadsBefore, 6))
                .put("load generator cpu use (of 1 core)", 100 * ownSeconds() / elapsed, "%")
                .note("load generator busiest threads", ownAfter.busiestSince(ownBefore, 4))
                .note("load generator gc and jit", ownAfter.gcAndJitSince(ownBefore));
    }
}
