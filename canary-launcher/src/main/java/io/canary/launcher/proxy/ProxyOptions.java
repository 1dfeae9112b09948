package io.canary.launcher.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The proxy's options of {@code canary node}, as a Picocli mixin: {@link #settings} turns them into
 * {@link ProxySettings}, or null when no proxy is asked for.
 */
public final class ProxyOptions {

    @Option(names = "--proxy-port", paramLabel = "PORT",
            description = "Run the transparent reverse proxy on this port (needs --upstream): any method, path and body "
                    + "is passed to the routed version's upstream and back. 0 picks a free port.")
    Integer proxyPort;

    @Option(names = "--upstream", paramLabel = "VERSION=URL[,URL...]",
            description = "Where the proxy sends a version's traffic (repeatable), e.g. v2=http://10.0.0.5:8000; "
                    + "several URLs are balanced round robin.")
    List<String> upstreams;

    @Option(names = "--sticky-header", paramLabel = "NAME",
            description = "Header whose value keeps a user on one version. Default: " + ProxySettings.DEFAULT_STICKY_HEADER + ".")
    String stickyHeader;

    @Option(names = "--sticky-cookie", paramLabel = "NAME",
            description = "Cookie whose value keeps a user on one version when the sticky header is absent.")
    String stickyCookie;

    @Option(names = "--pin", paramLabel = "RULE",
            description = "A rule that pins requests to a version (repeatable; replaces the default header:X-Canary-Version): "
                    + "header:NAME or cookie:NAME (the value names the version), header:NAME=VERSION or cookie:NAME=VERSION "
                    + "(present: that version). 'none' turns pinning off. Pinned requests are kept out of the canary analysis.")
    List<String> pins;

    @Option(names = "--mirror", paramLabel = "[VERSION=]SHARE",
            description = "Copy this share of the baseline's requests to VERSION (default: the active rollout's canary), "
                    + "fire-and-forget, e.g. 10%% or v2=10%%.")
    String mirror;

    @Option(names = "--upstream-timeout", paramLabel = "DURATION",
            description = "An upstream silent this long gets the client a 504. Default: 30s.")
    Duration upstreamTimeout;

    @Option(names = "--upstream-connect-timeout", paramLabel = "DURATION",
            description = "An upstream that does not accept a connection this long gets the client a 504. Default: 5s.")
    Duration connectTimeout;

    @Option(names = "--client-timeout", paramLabel = "DURATION",
            description = "A client silent this long (mid-request or idle on keep-alive) is disconnected. Default: 30s.")
    Duration clientTimeout;

    @Option(names = "--proxy-max-body", paramLabel = "SIZE",
            description = "Largest request body the proxy passes on (larger: 413), e.g. 10m, 512k. Default: 100m.")
    String maxBody;

    @Option(names = "--proxy-max-header", paramLabel = "SIZE",
            description = "Largest request line plus headers (larger: 431). Default: 16k.")
    String maxHeader;

    /**
     * @return the proxy's settings, or null when neither --proxy-port nor --upstream is given
     * @throws IllegalArgumentException naming the bad option
     */
    public ProxySettings settings(String bindHost) {
        boolean any = upstreams != null && !upstreams.isEmpty();
        if (proxyPort == null) {
            if (any || mirror != null || pins != null || stickyCookie != null) {
                throw new IllegalArgumentException("--upstream, --pin, --mirror and --sticky-cookie configure the proxy: "
                        + "add --proxy-port PORT");
            }
            return null;
        }
        if (!any) {
            throw new IllegalArgumentException("--proxy-port needs at least one --upstream VERSION=URL");
        }
        ProxySettings.Builder b = ProxySettings.builder().bindHost(bindHost).port(proxyPort);
        for (String u : upstreams) {
            b.upstream(UpstreamSpec.parse(u));
        }
        if (stickyHeader != null) b.stickyHeader(stickyHeader);
        if (stickyCookie != null) b.stickyCookie(stickyCookie);
        if (pins != null) {
            List<PinRule> rules = new ArrayList<>();
            for (String p : pins) {
                if (!p.trim().equalsIgnoreCase("none")) {
                    rules.add(PinRule.parse(p));
                }
            }
            b.pins(rules);
        }
        if (mirror != null) b.mirror(MirrorSpec.parse(mirror));
        if (upstreamTimeout != null) b.upstreamTimeout(upstreamTimeout);
        if (connectTimeout != null) b.connectTimeout(connectTimeout);
        if (clientTimeout != null) b.clientTimeout(clientTimeout);
        if (maxBody != null) b.maxBodyBytes(parseSize("--proxy-max-body", maxBody));
        if (maxHeader != null) b.maxHeaderBytes((int) Math.min(Integer.MAX_VALUE, parseSize("--proxy-max-header", maxHeader)));
        return b.build();
    }

    /** {@code 512}, {@code 64k}, {@code 10m}, {@code 1g} (powers of 1024; a trailing {@code b}/{@code ib} is allowed). */
    static long parseSize(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1).trim();
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a size like 512, 64k, 10m or 1g");
        }
    }
}
