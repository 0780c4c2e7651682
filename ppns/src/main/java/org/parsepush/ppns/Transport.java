package org.parsepush.ppns;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.Version;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket layer: Linux epoll where its native library loads and belongs to the same
 * Netty release as its classes (less garbage and fewer system calls with tens of thousands
 * of idle devices), Java NIO everywhere else.
 */
enum Transport {
    EPOLL {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }
    },
    NIO {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }
    };

    static Transport choose(boolean preferNative) {
        return preferNative && NativeLibrary.USABLE ? EPOLL : NIO;
    }

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverChannel();

    /** Netty's default number of threads (twice the cores), named for thread dumps. */
    EventLoopGroup newGroup() {
        return new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("ppns-io"), ioHandlerFactory());
    }

    /** Whether epoll may be used, decided once per JVM. */
    private static final class NativeLibrary {

        private static final Logger log = LoggerFactory.getLogger(Transport.class);
        static final boolean USABLE = Epoll.isAvailable() && sameRelease();

        /**
         * A native library from another release loads, but lacks JNI methods its classes call
         * on error paths, so the first socket error would throw UnsatisfiedLinkError.
         */
        private static boolean sameRelease() {
            Map<String, Version> versions = Version.identify(Epoll.class.getClassLoader());
            Version library = versions.get("netty-transport-native-epoll");
            Version classes = versions.get("netty-transport-classes-epoll");
            if (library != null && classes != null
                    && library.artifactVersion().equals(classes.artifactVersion())) {
                return true;
            }
            log.info("not using epoll: its native library is {} but its classes are {}; using NIO",
                    library == null ? "of unknown version" : library.artifactVersion(),
                    classes == null ? "of unknown version" : classes.artifactVersion());
            return false;
        }
    }
}
