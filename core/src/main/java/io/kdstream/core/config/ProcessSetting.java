package io.kdstream.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A setting of the whole process rather than of one command (such as {@code engine.threads}): read once at start-up,
 * before any command parses its own settings, and taken off the command line and the environment so that the
 * command, which rejects keys it does not know, never sees it.
 *
 * @param value the value given ({@code --key=value} wins over {@code KDS_KEY}), or null when neither was
 * @param args  the arguments without the flag
 * @param env   the environment without the variable
 */
public record ProcessSetting(String value, List<String> args, Map<String, String> env) {

    /** Takes {@code --key=value} and {@code KDS_KEY} (see {@link Settings#envName}) out of the arguments and environment. */
    public static ProcessSetting take(String key, List<String> args, Map<String, String> env) {
        String value = null;
        List<String> rest = new ArrayList<>();
        String flag = "--" + key + "=";
        for (String a : args) {
            if (a.startsWith(flag)) {
                value = a.substring(flag.length());
            } else {
                rest.add(a);
            }
        }
        Map<String, String> restEnv = new LinkedHashMap<>(env);
        String fromEnv = restEnv.remove(Settings.envName(key));
        return new ProcessSetting(value == null ? fromEnv : value, List.copyOf(rest), Map.copyOf(restEnv));
    }
}
