package io.kdstream.app;

import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Preset;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.DatasetException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream stream}: the data path on one machine. Starts an embedded broker, the loader and the augmenter,
 * streams the dataset (Fashion-MNIST from Debian's package by default) for {@code pipeline.epochs} epochs, shows
 * a progress line per stage and ends with a summary.
 */
public final class StreamCommand {
    /** Small-image defaults that apply unless set: a milder crop suits 28 px images (METHOD.md). */
    public static final Map<String, String> DEFAULTS = Map.of("augment.crop-scale-min", "0.35", "kafka.partitions", "2");

    private StreamCommand() {
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings parsed = Settings.parse(args, env, positional).withDefaults(DEFAULTS);
        KafkaSettings kafka;
        LoaderConfig loaderConfig;
        AugmenterConfig augConfig;
        Settings s;
        try {
            s = Preset.apply(parsed);
            kafka = KafkaSettings.from(s);
            loaderConfig = LoaderConfig.from(s, List.of(kafka.group(Augmenter.STAGE)));
            augConfig = AugmenterConfig.from(s, List.of());
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            s.requireAllUsed();
            loaderConfig.dataset().open(true); // fail before the broker starts if the data is missing
        } catch (ConfigException | DatasetException e) {
            System.err.println("kdstream stream: " + e.getMessage());
            return 2;
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings local = kafka.withBootstrap(broker.bootstrapServers());
            LocalRun.run(List.of(new Loader(loaderConfig, local, registry), new Augmenter(augConfig, local, registry)),
                    ticker);
            return 0;
        } catch (RuntimeException e) {
            System.err.println("kdstream stream failed: " + e.getMessage());
            return 1;
        } finally {
            ticker.dispose();
        }
    }
}
