package org.parsepush.ppns.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The simulator's command line.
 *
 * @param installationIds one per simulated device
 * @param ca              trust only this CA (PEM); null for the JDK's public roots
 * @param last            {@code last} for each device's first handshake; null for none
 * @param reconnectDelay  wait before reconnecting after a disconnect; zero stops the device instead
 * @param sourceAddresses how many loopback source addresses to spread connections over; 0 lets the system choose
 */
record SimulatorOptions(String host, int port, String applicationId, List<String> installationIds, boolean plainTcp,
                        Path ca, boolean trustAll, String last, Duration pingInterval, Duration reconnectDelay,
                        int sourceAddresses) {

    static final String USAGE = """
            Usage: DeviceSimulator --port PORT --app-id APP_ID [options]

            Simulates PPNS devices (Parse embedded SDK, Linux flavour): each connects, sends its
            handshake, pings, prints every push it receives as "<installation id> <line>", and
            reconnects with the time of its last push as "last".

              --host HOST               server host (default 127.0.0.1)
              --port PORT               server port (required)
              --app-id APP_ID           Parse application id, sent as oauth_key (required)
              --installation-id ID      an installation id to use; repeat for several
                                        (default: random UUIDs, printed on stderr)
              --devices N               how many devices (default: as many ids as given, else 1)
              --plain                   plain TCP instead of TLS
              --ca FILE                 trust only this CA certificate (PEM) instead of the JDK's roots
              --trust-all               trust any certificate and host name (local development only)
              --last TIME               "last" for the first handshake (default: null)
              --ping-seconds S          seconds between pings (default 840, as the Linux SDK)
              --reconnect-seconds S     seconds before reconnecting; 0 stops a device when it
                                        is disconnected (default 5)
              --source-addresses N      connect from 127.0.0.2 .. 127.0.0.(N+1), round-robin, for
                                        more devices than one address has ports (about 28,000);
                                        only for a server on this machine (default: system's choice)
              --help                    print this and exit
            """;

    /** Thrown for a command line that cannot be run; the message says why. */
    static final class UsageException extends Exception {

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static SimulatorOptions parse(String... args) throws UsageException {
        Parser parser = new Parser(args);
        parser.parse();
        return parser.options();
    }

    private static final class Parser {

        private final String[] args;
        private int index;
        private String host = "127.0.0.1";
        private Integer port;
        private String applicationId;
        private final List<String> installationIds = new ArrayList<>();
        private Integer devices;
        private boolean plainTcp;
        private Path ca;
        private boolean trustAll;
        private String last;
        private long pingSeconds = 840;
        private long reconnectSeconds = 5;
        private int sourceAddresses;

        Parser(String[] args) {
            this.args = args;
        }

        void parse() throws UsageException {
            while (index < args.length) {
                String option = args[index++];
                switch (option) {
                    case "--host" -> host = value(option);
                    case "--port" -> port = (int) number(option, 1, 65535);
                    case "--app-id" -> applicationId = value(option);
                    case "--installation-id" -> installationIds.add(value(option));
                    case "--devices" -> devices = (int) number(option, 1, 1_000_000);
                    case "--plain" -> plainTcp = true;
                    case "--ca" -> ca = Path.of(value(option));
                    case "--trust-all" -> trustAll = true;
                    case "--last" -> last = value(option);
                    case "--ping-seconds" -> pingSeconds = number(option, 1, 86_400);
                    case "--reconnect-seconds" -> reconnectSeconds = number(option, 0, 86_400);
                    case "--source-addresses" -> sourceAddresses = (int) number(option, 1, 250);
                    default -> throw new UsageException("unknown option " + option);
                }
            }
        }

        SimulatorOptions options() throws UsageException {
            if (port == null || applicationId == null) {
                throw new UsageException("--port and --app-id are required");
            }
            if (plainTcp && (ca != null || trustAll)) {
                throw new UsageException("--plain excludes --ca and --trust-all");
            }
            if (ca != null && trustAll) {
                throw new UsageException("choose --ca or --trust-all, not both");
            }
            int count = devices != null ? devices : Math.max(1, installationIds.size());
            if (count < installationIds.size()) {
                throw new UsageException("--devices " + count + " is fewer than the installation ids given");
            }
            List<String> ids = new ArrayList<>(installationIds);
            while (ids.size() < count) {
                ids.add(UUID.randomUUID().toString());
            }
            return new SimulatorOptions(host, port, applicationId, List.copyOf(ids), plainTcp, ca, trustAll, last,
                    Duration.ofSeconds(pingSeconds), Duration.ofSeconds(reconnectSeconds), sourceAddresses);
        }

        private String value(String option) throws UsageException {
            if (index == args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[index++];
        }

        private long number(String option, long min, long max) throws UsageException {
            String text = value(option);
            try {
                long number = Long.parseLong(text);
                if (number < min || number > max) {
                    throw new UsageException(option + " must be between " + min + " and " + max);
                }
                return number;
            } catch (NumberFormatException e) {
                throw new UsageException(option + " needs a number, got " + text);
            }
        }
    }
}
