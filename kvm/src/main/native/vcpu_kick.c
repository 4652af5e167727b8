/*
 * The one piece of the VMM that cannot be Java: a signal handler. Pausing a vCPU that spins in guest
 * code without exits needs a signal sent to its thread, so that KVM_RUN returns EINTR; the signal must
 * have a handler (its default action kills the process), and the handler must be native code that
 * runs in signal context. It does nothing: the interruption is the point.
 */
#include <signal.h>
#include <string.h>

static void colo_kick_noop(int sig)
{
    (void) sig;
}

/* The signal used for kicks: a real-time one that neither glibc nor the JVM uses. */
int colo_kick_signal(void)
{
    return SIGRTMIN + 6;
}

/* Installs the no-op handler, without SA_RESTART so that blocking calls (KVM_RUN, poll) return EINTR. */
int colo_kick_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = colo_kick_noop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(colo_kick_signal(), &sa, NULL);
}
