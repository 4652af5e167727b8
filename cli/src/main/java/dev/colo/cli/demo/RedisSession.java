package dev.colo.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client process with its stdin and stdout piped, holding one TCP connection to the server for its
 * whole life, so the session is the same before and after a failover: redis-cli, or (with {@code raw}) socat
 * carrying Redis inline commands, whose RESP replies are read here. Each command waits for its reply, with a
 * deadline.
 */
final class RedisSession implements AutoCloseable {
    private final Process process;
    private final boolean raw;
    private final Writer in;
    private final BufferedReader replies;

    /** @param raw the process is a byte pipe to the server (socat): replies come as RESP */
    RedisSession(Process process, boolean raw) {
        this.process = process;
        this.raw = raw;
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends one command line and returns its (first) reply line; throws if none came within the deadline. */
    String ask(String command, long timeoutMillis) throws IOException, InterruptedException {
        in.write(command + (raw ? "\r\n" : "\n"));
        in.flush();
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            try {
                String line = replies.readLine();
                return raw && line != null ? resp(line) : line;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            String line = reply.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IOException("redis-cli ended (exit " + (process.isAlive() ? "?" : process.exitValue()) + ") after '" + command + "'");
            }
            return line.trim();
        } catch (TimeoutException e) {
            throw new IOException("no reply to '" + command + "' within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw new IOException("reading the reply to '" + command + "': " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** A RESP reply as redis-cli prints it: "+OK" -> OK, ":1" -> 1, "$4" "colo" -> colo, "$-1" -> empty. */
    private String resp(String line) throws IOException {
        if (line.isEmpty()) {
            return line;
        }
        switch (line.charAt(0)) {
            case '$':
                return line.startsWith("$-1") ? "" : replies.readLine();
            case '+':
            case ':':
                return line.substring(1);
            case '-':
                return "(error) " + line.substring(1);
            default:
                return line;
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // it is being killed anyway
        }
        process.destroyForcibly();
    }
}
