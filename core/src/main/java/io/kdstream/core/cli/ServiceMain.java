package io.kdstream.core.cli;

import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Preset;
import io.kdstream.core.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The shared start-up of {@code kdstream run SERVICE} ({@code --help} is answered before, from the settings
 * catalogue): settings from flags and {@code KDS_*} variables, a
 * Prometheus registry with JVM meters served on {@code metrics.port}, the progress line, SIGTERM handling, and a
 * summary at the end. Errors in settings exit with status 2 and one line naming the setting.
 */
public final class ServiceMain {
    /** Builds a service from validated settings and the process's registry; must not start it. */
    @FunctionalInterface
    public interface Factory {
        /** Creates the service. */
        Service create(Settings settings, MeterRegistry registry);
    }

    private ServiceMain() {
    }

    /**
     * Runs one service until its bounded work is done or the process is told to stop.
     *
     * @return the process exit status
     */
    public static int run(String name, List<String> args, Map<String, String> env, Factory factory) {
        List<String> positional = new ArrayList<>();
        Settings settings;
        String replica;
        try {
            settings = Preset.apply(Settings.parse(args, env, positional));
            replica = settings.string(Keys.METRICS_REPLICA, ProcessMetrics.defaultReplica());
        } catch (ConfigException e) {
            System.err.println("kdstream " + name + ": " + e.getMessage());
            return 2;
        }
        ProcessMetrics metrics = new ProcessMetrics(name, replica);
        PrometheusMeterRegistry registry = metrics.registry();
        Service service;
        int port;
        String host;
        try {
            port = settings.integer(Keys.METRICS_PORT);
            host = settings.string(Keys.METRICS_HOST);
            service = factory.create(settings, registry);
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            settings.requireAllUsed();
        } catch (ConfigException e) {
            System.err.println("kdstream " + name + ": " + e.getMessage());
            metrics.close();
            return 2;
        }
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try (MetricsEndpoint endpoint = port > 0 ? new MetricsEndpoint(registry, host, port) : null) {
            if (endpoint != null) {
                System.err.println(name + ": metrics on http://" + host + ":" + endpoint.port() + "/metrics");
            }
            Thread hook = new Thread(service::stop, "kds-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (ProgressPrinter printer = ProgressPrinter.forConsole(ticker, List.of(service.progress()))) {
                service.start();
                printer.start();
                service.completion().block();
            } finally {
                service.stop();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already stopping; the hook runs stop() again, which is idempotent
                }
            }
            return 0;
        } catch (ConfigException e) {
            System.err.println("kdstream " + name + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("kdstream " + name + " failed: " + e.getMessage());
            e.printStackTrace(System.err);
            return 1;
        } finally {
            ticker.dispose();
            metrics.close();
        }
    }
}
