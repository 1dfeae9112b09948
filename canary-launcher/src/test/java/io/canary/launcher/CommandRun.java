package io.canary.launcher;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** What a command did: its exit code and everything it printed to stdout and stderr. */
public record CommandRun(int code, String out, String err) {

    /** Runs {@code canary ARGS} as the binary does: every converter and the one-line error handler. */
    public static CommandRun canary(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /** Runs one command object on its own, without the root command. */
    public static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = io.canary.launcher.CanaryCli.commandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /** The {@code --nodes} value for data planes by node id: {@code node-a=http://...,node-b=...}. */
    public static String nodesOption(Map<String, String> dataUrls) {
        StringBuilder sb = new StringBuilder();
        dataUrls.forEach((id, url) -> sb.append(sb.length() == 0 ? "" : ",").append(id).append('=').append(url));
        return sb.toString();
    }
}
