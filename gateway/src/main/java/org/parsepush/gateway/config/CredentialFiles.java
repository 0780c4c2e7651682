package org.parsepush.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Start-time checks on credential files, so a typo fails at start and not at the first push. */
final class CredentialFiles {

    private CredentialFiles() {
    }

    static void checkReadable(String key, String file, List<String> problems) {
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            problems.add(key + ": file not found: " + path.toAbsolutePath());
        } else if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add(key + ": not a readable file: " + path.toAbsolutePath());
        }
    }
}
