package org.parsepush.gateway;

import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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

    private GatewayMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("hash-key")) {
            System.exit(ApiKeyTool.run(args, System.in, System.out, System.err));
        }
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

    private static void exit(int status) {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        System.exit(status);
    }
}
