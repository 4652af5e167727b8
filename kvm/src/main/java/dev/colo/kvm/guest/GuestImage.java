package dev.colo.kvm.guest;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A flat guest binary, loaded at GuestAbi.LOAD_ADDR and entered at its first byte. */
public record GuestImage(String name, byte[] bytes) {
    /** The bundled network-service guest (built from kvm/src/main/guest by the Maven build). */
    public static final String BUNDLED = "/dev/colo/kvm/guest/colo-guest.bin";

    public static GuestImage bundled() {
        try (InputStream in = GuestImage.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled guest " + BUNDLED + " is not on the classpath (built by `mvn -pl kvm package`, needs gcc)");
            }
            return new GuestImage("colo-guest", in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled guest: " + e.getMessage(), e);
        }
    }

    /** Raw machine code, for tests and experiments. */
    public static GuestImage of(String name, byte[] code) {
        return new GuestImage(name, code.clone());
    }

    /** First 12 hex digits of the image's SHA-256: both VMs of a pair must run the same image. */
    public String digest() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
