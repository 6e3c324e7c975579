package io.kdstream.core.config;

/** A setting that is missing, unknown, malformed or out of range. The message names the key and the fix. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public ConfigException(String message) {
        super(message);
    }

    /** Throws unless {@code ok}, naming the setting, its value and the rule. */
    public static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new ConfigException("setting " + key + "=" + value + " is invalid: " + rule + " (set --" + key
                    + "=... or " + Settings.envName(key) + ")");
        }
    }
}
