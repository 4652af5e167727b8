/*
 * The line service run on every TCP connection: one command per "\n"-terminated line, one answer
 * line per command (see service.c for the commands). State shared by all connections (the key/value
 * store, the command counter) lives in guest memory for the VM's lifetime.
 */
#ifndef GUEST_SERVICE_H
#define GUEST_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#define SERVICE_LINE_MAX 1024  /* longer lines are answered "ERR line too long" */

struct tcp_conn;

struct line_session {
    char line[SERVICE_LINE_MAX + 1]; /* + 1: room for a "\r" before the "\n" */
    uint32_t line_len;
    bool line_too_long;      /* discarding the rest of an over-long line */
    bool blob_active;        /* a BLOB answer is still being produced */
    uint64_t blob_left;      /* BLOB payload bytes still to queue (its "\n" follows) */
    uint32_t blob_phase;     /* offset of the next byte in the 'a'..'z' cycle */
    bool closing;            /* QUIT (or the peer's FIN) handled: input is discarded */
};

void service_init(void);
void service_open(struct tcp_conn *c);
/* Consumes received lines and queues answers as far as the send buffer allows. */
void service_pump(struct tcp_conn *c);

#endif
