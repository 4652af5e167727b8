package dev.colo.pcap;

/** Sanity limits shared by readers and writers. */
final class Limits {
    /**
     * Largest captured length accepted, whatever a file's snaplen says: libpcap's MAXIMUM_SNAPLEN. A bigger length is
     * a corrupt header, and trusting it (e.g. 0x7fffffff) would mean a 2 GiB allocation.
     */
    static final int MAX_CAPTURED_LENGTH = 256 * 1024;

    private Limits() {
    }
}
