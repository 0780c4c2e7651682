package org.parsepush.gateway.api;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar parse-push-gateway.jar hash-key}: makes API keys and their hashes for an
 * app's key file, so operators never write hashing code themselves.
 *
 * <pre>
 * hash-key --id billing [--operations send,read]   a new random key, and its key file entry
 * hash-key --stdin                                 the hash of a key read from standard input
 * </pre>
 */
public final class ApiKeyTool {

    private static final String USAGE = """
            usage: hash-key --id <key id> [--operations send,read,...]
                   hash-key --stdin      (reads <id>.<secret> from standard input, prints its hash)
            operations: %s
            """.formatted(Operation.names());

    private ApiKeyTool() {
    }

    /** Runs the command; returns the process exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String id = null;
        String operations = "send";
        boolean stdin = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--id" -> id = i + 1 < args.length ? args[++i] : null;
                case "--operations" -> operations = i + 1 < args.length ? args[++i] : "";
                case "--stdin" -> stdin = true;
                default -> {
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        if (stdin) {
            return hashFromStdin(in, out, err);
        }
        if (!ApiKeyHash.isValidId(id)) {
            err.print("a key id (--id) of 1 to 64 letters, digits, '-' or '_' is required\n" + USAGE);
            return 2;
        }
        List<String> names = new ArrayList<>();
        for (String name : operations.split(",")) {
            String trimmed = name.trim();
            if (Operation.named(trimmed).isEmpty()) {
                err.print("unknown operation '" + trimmed + "'\n" + USAGE);
                return 2;
            }
            names.add(trimmed);
        }
        String key = ApiKeyHash.newKey(id);
        out.println("# The key, for the service only (send it as 'authorization: Bearer <key>'); it is shown once:");
        out.println("# " + key);
        out.println("# The entry for the app's apiKeysFile (only the hash; safe to keep in a ConfigMap):");
        out.println("- id: " + id);
        out.println("  hash: " + ApiKeyHash.of(key));
        out.println("  operations: [" + String.join(", ", names) + "]");
        return 0;
    }

    private static int hashFromStdin(InputStream in, PrintStream out, PrintStream err) {
        try {
            String key = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (key == null || ApiKeyHash.idOf(key.trim()) == null) {
                err.println("expected one line <id>.<secret> on standard input");
                return 2;
            }
            out.println(ApiKeyHash.of(key.trim()));
            return 0;
        } catch (IOException e) {
            err.println("cannot read standard input: " + e.getMessage());
            return 1;
        }
    }
}
