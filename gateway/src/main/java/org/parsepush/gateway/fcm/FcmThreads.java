package org.parsepush.gateway.fcm;

import com.google.firebase.FirebaseApp;
import com.google.firebase.ThreadManager;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads of one service account's Admin SDK instance. The SDK sends each message as a
 * blocking request on a thread of its own, and by default all Firebase apps of the JVM share
 * one pool of 100: every credential of every app would then be held to 100 messages in
 * flight in all, about 3,300 messages/s at a 30 ms round trip to FCM. Here each credential
 * gets its own pool of {@code fcm.threadsPerCredential}, started on demand and let go when idle.
 */
final class FcmThreads extends ThreadManager {

    private final int threads;
    private final String name;

    FcmThreads(int threads, String name) {
        this.threads = threads;
        this.name = name;
    }

    @Override
    protected ExecutorService getExecutor(FirebaseApp app) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), getThreadFactory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    protected void releaseExecutor(FirebaseApp app, ExecutorService executor) {
        executor.shutdown();
    }

    @Override
    protected ThreadFactory getThreadFactory() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
