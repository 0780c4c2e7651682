package org.parsepush.gateway.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A memory cgroup of its own under the test's, with a limit, as a container runtime makes for
 * a container with {@code resources.limits.memory}: the JVM reads its limit from there. Works
 * with cgroup v1's memory controller and with cgroup v2.
 */
final class MemoryCgroup implements AutoCloseable {

    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private final Path dir;

    private MemoryCgroup(Path dir) {
        this.dir = dir;
    }

    /** A new cgroup limited to {@code bytes}: under cgroup v1's memory controller, else under cgroup v2. */
    static MemoryCgroup limitedTo(long bytes) throws IOException {
        String v2Path = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] fields = line.split(":", 3);
            if (List.of(fields[1].split(",")).contains("memory") && Files.isDirectory(CGROUPS.resolve("memory"))) {
                return create(CGROUPS.resolve("memory").resolve(relative(fields[2])), "memory.limit_in_bytes", bytes);
            }
            if (fields[0].equals("0") && fields[1].isEmpty()) {
                v2Path = fields[2];
            }
        }
        if (v2Path != null && Files.exists(CGROUPS.resolve("cgroup.controllers"))) {
            return create(CGROUPS.resolve(relative(v2Path)), "memory.max", bytes);
        }
        throw new IOException("no memory cgroup to make a limited one under (see /proc/self/cgroup)");
    }

    private static String relative(String cgroupPath) {
        return cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    }

    private static MemoryCgroup create(Path parent, String limitFile, long bytes) throws IOException {
        Path dir = parent.resolve("push-gateway-image-test-" + UUID.randomUUID());
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve(limitFile), Long.toString(bytes));
        } catch (IOException e) {
            throw new IOException("cannot make a memory cgroup under " + parent + " (the image tests run as root, as a"
                    + " container runtime does): " + e, e);
        }
        return new MemoryCgroup(dir);
    }

    /** The file a process writes its id to, to join. */
    Path procs() {
        return dir.resolve("cgroup.procs");
    }

    /** Removes the cgroup; its processes must have ended. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
