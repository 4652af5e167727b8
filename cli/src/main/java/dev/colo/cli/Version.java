package dev.colo.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest when packaged, else "development". */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"colo " + (v == null ? "development build" : v) + ", Java " + Runtime.version()};
    }
}
