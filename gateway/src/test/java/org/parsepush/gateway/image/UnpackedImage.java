package org.parsepush.gateway.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The image {@code mvn verify} built (its tarball named by the {@code image.tar} property),
 * unpacked once for all the tests of a run, under {@code target/image-test}.
 *
 * @param tarball the image as written
 * @param root    its layers laid into one root file tree
 */
record UnpackedImage(ImageTarball tarball, Path root) {

    private static UnpackedImage shared;

    static synchronized UnpackedImage get() throws IOException, InterruptedException {
        if (shared == null) {
            assertTrue("root".equals(System.getProperty("user.name")), "the image tests mount file systems and make"
                    + " cgroups, as a container runtime does, so they run as root (CI does); -DskipITs leaves them out");
            Path dir = Path.of("target", "image-test").toAbsolutePath();
            HostCommand.run("rm", "-rf", dir.toString());
            ImageTarball tarball = ImageTarball.open(Path.of(System.getProperty("image.tar")), dir.resolve("tarball"));
            shared = new UnpackedImage(tarball, tarball.unpack(dir.resolve("root")));
        }
        return shared;
    }
}
