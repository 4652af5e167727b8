package dev.colo.cli.config;

/** A config file that cannot be used: the message names the file, the key and the reason. */
public final class ConfigException extends Exception {
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
