package org.parsepush.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Everything logged while it is open, as text, so tests can look for leaked secrets. */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previousLevel = root.getLevel();

    private CapturedLogs() {
    }

    /** Starts capturing at DEBUG and above. */
    public static CapturedLogs capture() {
        CapturedLogs logs = new CapturedLogs();
        logs.setContext(logs.root.getLoggerContext());
        logs.start();
        logs.root.setLevel(Level.DEBUG);
        logs.root.addAppender(logs);
        return logs;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String thrown = event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy());
        lines.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage() + " " + thrown);
    }

    /** Every captured line, joined. */
    public String text() {
        return lines.stream().collect(Collectors.joining("\n"));
    }

    /** How many lines were captured. */
    public int size() {
        return lines.size();
    }

    @Override
    public void close() {
        root.detachAppender(this);
        root.setLevel(previousLevel);
        stop();
    }
}
