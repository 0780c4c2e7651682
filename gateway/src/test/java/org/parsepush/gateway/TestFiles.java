package org.parsepush.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** File changes the way Kubernetes makes them: the new content appears at once, never half written. */
public final class TestFiles {

    private TestFiles() {
    }

    /** Replaces {@code target}'s content with {@code content} by an atomic rename. */
    public static void replace(Path target, byte[] content) throws IOException {
        Path next = Files.createTempFile(target.getParent(), ".next-", ".tmp");
        Files.write(next, content);
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@link #replace(Path, byte[])} with text. */
    public static void replace(Path target, String content) throws IOException {
        replace(target, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@link #replace(Path, byte[])} with the content of another file. */
    public static void replaceWith(Path target, Path source) throws IOException {
        replace(target, Files.readAllBytes(source));
    }
}
