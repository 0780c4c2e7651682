package org.parsepush.gateway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container image in the tarball Jib writes ({@code docker load}'s format: a
 * {@code manifest.json}, the image's configuration and one gzipped tar per layer), opened
 * into a folder, with its layers laid one over the other into a root file tree.
 */
final class ImageTarball {

    private final Path opened;
    private final JsonNode manifest;
    private final JsonNode configuration;

    private ImageTarball(Path opened) throws IOException {
        this.opened = opened;
        JsonNode manifests = new ObjectMapper().readTree(opened.resolve("manifest.json").toFile());
        assertEquals(1, manifests.size(), "one image in the tarball: " + manifests);
        this.manifest = manifests.get(0);
        this.configuration = new ObjectMapper().readTree(opened.resolve(manifest.path("Config").asText()).toFile());
    }

    /** Opens {@code tarball} into {@code dir}. */
    static ImageTarball open(Path tarball, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        tar("-xf", tarball.toString(), "-C", dir.toString());
        return new ImageTarball(dir);
    }

    /** The names it is tagged with, {@code repository:tag}. */
    List<String> tags() {
        List<String> tags = new ArrayList<>();
        manifest.path("RepoTags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }

    /** The runtime configuration: {@code User}, {@code Env}, {@code Entrypoint}, {@code ExposedPorts}... */
    JsonNode config() {
        return configuration.path("config");
    }

    /** The layers, first to last, unpacked into {@code root} with their owners and modes. */
    Path unpack(Path root) throws IOException, InterruptedException {
        Files.createDirectories(root);
        for (JsonNode layer : manifest.path("Layers")) {
            // Jib's layers carry libarchive's creation times, which GNU tar does not know.
            tar("--warning=no-unknown-keyword", "--numeric-owner", "--same-permissions", "-xzf",
                    opened.resolve(layer.asText()).toString(), "-C", root.toString());
        }
        return root;
    }

    private static void tar(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(List.of(arguments));
        HostCommand.run(command, Map.of());
    }
}
