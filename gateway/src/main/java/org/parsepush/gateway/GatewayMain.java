package org.parsepush.gateway;

import ch.qos.logback.classic.LoggerContext;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.parsepush.gateway.api.ApiKeyTool;
import org.parsepush.gateway.config.ConfigException;
import org.parsepush.gateway.config.ConfigLoader;
import org.parsepush.gateway.config.GatewayConfig;
import org.parsepush.gateway.config.PortInUseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the gateway: {@code java -jar parse-push-gateway.jar [--config gateway.yaml]}.
 * Without a configuration file it serves a development app on loopback with an embedded
 * database. SIGTERM stops it gracefully. {@code hash-key} makes API keys instead
 * ({@link ApiKeyTool}).
 */
public final class GatewayMain {

    private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);
    /** Exit status for a configuration the gateway cannot start with. */
    static final int EXIT_BAD_CONFIG = 2;
    /** Netty's system property: one buffer in this many is traced to report leaks. */
    static final String LEAK_SAMPLING = "io.netty.leakDetection.samplingInterval";
    /** The gateway's choice when the operator gives none (Netty's own default is 128). */
    static final String GATEWAY_LEAK_SAMPLING = "1024";

    private GatewayMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("hash-key")) {
            System.exit(ApiKeyTool.run(args, System.in, System.out, System.err));
        }
        traceFewerBuffers(System.getProperties());
        log.info("Netty leak detection: {}, one buffer in {} traced", ResourceLeakDetector.getLevel().name()
                .toLowerCase(Locale.ROOT), System.getProperty(LEAK_SAMPLING));
        Map<String, String> env = System.getenv();
        Gateway gateway;
        try {
            Optional<Path> file = ConfigLoader.configFile(args, env);
            GatewayConfig config = new ConfigLoader().load(file, env);
            if (file.isEmpty()) {
                log.warn("no configuration file (--config or GATEWAY_CONFIG): serving the development app '{}'"
                        + " with the master key from the README, on loopback only", config.apps().get(0).appId());
            }
            gateway = Gateway.start(config);
        } catch (ConfigException | PortInUseException e) {
            log.error("cannot start: {}", e.getMessage());
            exit(EXIT_BAD_CONFIG);
            return;
        } catch (Exception e) {
            log.error("cannot start", e);
            exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        }, "gateway-shutdown"));
    }

    /**
     * Netty reports leaked buffers by recording a stack trace, at allocation and at release, for
     * a sample of them: one buffer in {@code io.netty.leakDetection.samplingInterval}. At its
     * default of one in 128 those traces took 5 % of the APNs connection thread in a fan-out
     * profile (each walks some fifty frames, and a notification allocates several buffers); at
     * one in 1,024, 1.3 %. A leak on a path that runs per notification is still reported within
     * moments. Runs before any Netty class is loaded (Netty reads the property once); an
     * operator's {@code -D} is kept.
     */
    static void traceFewerBuffers(Properties system) {
        system.putIfAbsent(LEAK_SAMPLING, GATEWAY_LEAK_SAMPLING);
    }

    private static void exit(int status) {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        System.exit(status);
    }
}
