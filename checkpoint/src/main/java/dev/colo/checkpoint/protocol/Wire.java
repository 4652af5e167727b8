package dev.colo.checkpoint.protocol;

/**
 * Constants of the checkpoint link. A frame is {@code [u32 BE length][u8 type][body]}; the length
 * counts type and body and may not exceed the receiver's maximum.
 */
public final class Wire {
    /** "COLO" in ASCII. */
    public static final int MAGIC = 0x434f4c4f;
    public static final int VERSION = 1;
    public static final int LENGTH_FIELD = 4;
    /**
     * Default state chunk. Measured on 2 cores (CheckpointBench): 256 KiB pipelines capture, network and
     * staging better than 1 or 4 MiB, and heartbeats interleave.
     */
    public static final int DEFAULT_CHUNK_SIZE = 256 << 10;
    /** Room for the largest chunk plus its header. */
    public static final int DEFAULT_MAX_FRAME = DEFAULT_CHUNK_SIZE + 64;
    /** Longest string field (node ids, reasons). */
    public static final int MAX_STRING = 1024;

    private Wire() {
    }
}
