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
 * a mount namespace of its own, {@code /proc}, {@code /dev} and {@code /sys} from the host, a
 * fresh tmpfs on {@code /tmp}, one writable volume, the image's user, environment and working
 * directory, and a memory limit from a cgroup of its own. The network is the host's, so the
 * process's loopback ports are the test's. Needs root, as a container runtime does.
 */
final class LocalContainer {

    /** Mounts, joins the cgroup, then enters the root as the image's user; the last arguments are the command. */
    private static final String ENTER = """
            set -eu
            root=$1 volume=$2 volume_at=$3 cgroup_procs=$4 workdir=$5 uid=$6 gid=$7
            shift 7
            /usr/bin/mount --bind "$root" "$root"
            /usr/bin/mount -o remount,bind,ro "$root"
            /usr/bin/mount -t proc proc "$root/proc"
            /usr/bin/mount --rbind /dev "$root/dev"
            /usr/bin/mount --rbind /sys "$root/sys"
            /usr/bin/mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
            if [ -n "$volume" ]; then /usr/bin/mount --bind "$volume" "$root$volume_at"; fi
            echo $$ > "$cgroup_procs"
            exec /usr/bin/unshare --root="$root" --wd="$workdir" --setgid "$gid" --setuid "$uid" "$@"
            """;

    private LocalContainer() {
    }

    /**
     * Starts {@code command} (the image's entrypoint when empty) in the image unpacked at
     * {@code root}, with {@code volume} (if not null) mounted at {@code volumeAt} and
     * {@code extraEnv} over the image's environment.
     */
    static GatewayProcess start(Path root, JsonNode config, MemoryCgroup cgroup, Path volume, String volumeAt,
                                Map<String, String> extraEnv, List<String> command) throws IOException {
        if (!Files.isDirectory(root.resolve(volumeAt.substring(1)))) {
            throw new IllegalArgumentException("the image has no directory " + volumeAt + " to mount the volume on");
        }
        String[] user = config.path("User").asText().split(":");
        List<String> launch = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", ENTER, "enter", root.toString(), volume == null ? "" : volume.toString(), volumeAt,
                cgroup.procs().toString(), config.path("WorkingDir").asText("/"), user[0], user.length > 1 ? user[1] : user[0]));
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
}
