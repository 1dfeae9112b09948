package io.canary.launcher;

/**
 * Exit codes of every {@code canary} command, in one place so that scripts can rely on them.
 *
 * <ul>
 *   <li>{@value #OK}: success.</li>
 *   <li>{@value #FAILURE}: the command ran but its operation failed (a node unreachable, nodes
 *       disagree, a proposal aborted).</li>
 *   <li>{@value #USAGE}: bad options or bad input (unknown option, malformed peer list or model
 *       spec, invalid weights).</li>
 *   <li>{@value #ENVIRONMENT}: the machine refused (a port already in use, an unwritable data
 *       directory).</li>
 *   <li>{@value #DAMAGED_LOG}: {@code canary node} found its state log damaged before its end (not a
 *       crash's torn last line) and will not start on it; the line names the file, the line and
 *       what to do.</li>
 *   <li>{@value #INTERNAL}: a bug; the one line names the exception.</li>
 *   <li>143: {@code canary node} stopped by SIGTERM (128 + 15, set by the JVM after the shutdown
 *       hook closed the node cleanly); 130 after Ctrl+C.</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int ENVIRONMENT = 3;
    public static final int DAMAGED_LOG = 4;
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
