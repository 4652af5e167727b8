/**
 * TCP sequence rewriting on the secondary: makes the SVM's TCP numbers line up with the PVM's
 * (offset = SVM ISN - PVM ISN; ack += offset toward the SVM, seq -= offset from it), in place.
 */
package dev.colo.proxy.rewrite;
