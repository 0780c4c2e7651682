package org.parsepush.gateway.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.parsepush.gateway.GatewayProcess;

/**
 * Runs a command in an unpacked image the way a container runtime (and the Helm chart's pod)
 * would, with only the tools every Linux has: the image's root file tree mounted read-only in
 * a mount namespace of its own, {@code /proc}, {@code /dev} and {@code /sys} from the host,
 * an {@code /etc/hosts} and {@code /etc/resolv.conf} (as the kubelet mounts a pod's),
 * the given volumes, the image's user, environment and working directory, and a memory limit
 * from a cgroup of its own. The network is the host's, so the process's loopback ports are
 * the test's. Needs root, as a container runtime does.
 */
final class LocalContainer {

    /** A name that only the container's {@code /etc/hosts} knows, for 127.0.0.1. */
    static final String TEST_HOST = "loopback.push-gateway.test";

    /**
     * Something mounted into the container.
     *
     * @param host     a host directory or file, or null for a fresh tmpfs
     * @param at       where, inside the container
     * @param readOnly mounted read-only
     */
    record Mount(Path host, String at, boolean readOnly) {

        /** A writable host directory (a pod's {@code emptyDir} or persistent volume). */
        static Mount volume(Path host, String at) {
            return new Mount(host, at, false);
        }

        /** A read-only host directory (a pod's ConfigMap or Secret volume). */
        static Mount readOnly(Path host, String at) {
            return new Mount(host, at, true);
        }

        /** An empty tmpfs, writable by anyone (a pod's {@code emptyDir} in memory). */
        static Mount tmpfs(String at) {
            return new Mount(null, at, false);
        }

        /**
         * The name resolution files, as the kubelet mounts a pod's: an {@code /etc/hosts} that
         * also names 127.0.0.1 {@link #TEST_HOST}, and the host's {@code /etc/resolv.conf}.
         */
        static List<Mount> nameResolution(Path dir) throws IOException {
            Path hosts = Files.writeString(Files.createDirectories(dir).resolve("hosts"),
                    "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 " + TEST_HOST + "\n");
            return List.of(readOnly(hosts, "/etc/hosts"), readOnly(Path.of("/etc/resolv.conf"), "/etc/resolv.conf"));
        }

        /** Makes the directory or file mounted on, where the image lacks it, as a container runtime does. */
        private void makeTarget(Path root) throws IOException {
            Path target = root.resolve(at.substring(1));
            if (host != null && Files.isRegularFile(host)) {
                Files.createDirectories(target.getParent());
                if (!Files.exists(target)) {
                    Files.createFile(target);
                }
            } else {
                Files.createDirectories(target);
            }
        }

        private String commands(Path root) {
            String target = quote(root + at);
            if (host == null) {
                return "/usr/bin/mount -t tmpfs -o mode=1777 tmpfs " + target + "\n";
            }
            String bind = "/usr/bin/mount --bind " + quote(host.toString()) + " " + target + "\n";
            return readOnly ? bind + "/usr/bin/mount -o remount,bind,ro " + target + "\n" : bind;
        }
    }

    private LocalContainer() {
    }

    /**
     * Starts {@code command} (the image's entrypoint when empty) in {@code image}, with
     * {@code mounts} and {@code extraEnv} over the image's environment.
     */
    static GatewayProcess start(UnpackedImage image, MemoryCgroup cgroup, List<Mount> mounts,
                                Map<String, String> extraEnv, List<String> command) throws IOException {
        Path root = image.root();
        JsonNode config = image.tarball().config();
        List<String> launch = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", enterScript(root, config, cgroup, mounts), "enter"));
        if (command.isEmpty()) {
            config.path("Entrypoint").forEach(part -> launch.add(part.asText()));
            config.path("Cmd").forEach(part -> launch.add(part.asText()));
        } else {
            launch.addAll(command);
        }
        ProcessBuilder builder = new ProcessBuilder(launch);
        builder.environment().clear();
        builder.environment().putAll(environment(config));
        builder.environment().putAll(extraEnv);
        return GatewayProcess.start(builder);
    }

    /**
     * The script run in the new mount namespace: mounts the root read-only, the host's
     * {@code /proc}, {@code /dev} and {@code /sys}, the name resolution files and
     * {@code mounts}; joins the cgroup; then runs its arguments inside the root, as the image's
     * user, in its working directory.
     */
    private static String enterScript(Path root, JsonNode config, MemoryCgroup cgroup, List<Mount> mounts)
            throws IOException {
        String rootDir = quote(root.toString());
        StringBuilder script = new StringBuilder("set -eu\n")
                .append("/usr/bin/mount --bind ").append(rootDir).append(' ').append(rootDir).append('\n')
                .append("/usr/bin/mount -o remount,bind,ro ").append(rootDir).append('\n')
                .append("/usr/bin/mount -t proc proc ").append(quote(root + "/proc")).append('\n')
                .append("/usr/bin/mount --rbind /dev ").append(quote(root + "/dev")).append('\n')
                .append("/usr/bin/mount --rbind /sys ").append(quote(root + "/sys")).append('\n');
        List<Mount> all = new ArrayList<>(Mount.nameResolution(root.resolveSibling("etc-" + root.getFileName())));
        all.addAll(mounts);
        for (Mount mount : all) {
            mount.makeTarget(root);
            script.append(mount.commands(root));
        }
        String[] user = config.path("User").asText().split(":");
        return script.append("echo $$ > ").append(quote(cgroup.procs().toString())).append('\n')
                .append("exec /usr/bin/unshare --root=").append(rootDir)
                .append(" --wd=").append(quote(config.path("WorkingDir").asText("/")))
                .append(" --setgid ").append(user.length > 1 ? user[1] : user[0]).append(" --setuid ").append(user[0])
                .append(" \"$@\"\n").toString();
    }

    /** The image's {@code Env}, {@code NAME=value} each. */
    static Map<String, String> environment(JsonNode config) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode entry : config.path("Env")) {
            String variable = entry.asText();
            int equals = variable.indexOf('=');
            env.put(variable.substring(0, equals), variable.substring(equals + 1));
        }
        return env;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
