package io.canary.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code KEY=VALUE} lists people type: {@code --peers}, {@code --nodes},
 * {@code --initial-weights} and {@code weights set}. One reading for all of them, so they accept the
 * same separators (commas or white space) and refuse the same mistakes with the same words.
 */
public final class KeyValues {

    private KeyValues() {
    }

    /**
     * The entries of {@code text} in their order; blank entries are skipped, keys and values trimmed.
     *
     * @param keyName what a key is, for the duplicate message, e.g. {@code version}
     * @param example a well-formed entry, for the shape message, e.g. {@code v2=0.1}
     * @return the entries, possibly none: callers say what an empty list means to them
     * @throws IllegalArgumentException for an entry without a key or a value ({@code 'v1' must look like
     *     v2=0.1}) or a key given twice ({@code version v1 is given twice})
     */
    public static Map<String, String> parse(String text, String keyName, String example) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String entry : text.trim().split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' must look like " + example);
            }
            String key = entry.substring(0, eq).trim();
            if (entries.put(key, entry.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException(keyName + " " + key + " is given twice");
            }
        }
        return entries;
    }

    /**
     * Version shares: {@code v1=0.9,v2=0.1} or {@code v1=90% v2=10%}. Only the syntax is checked
     * here; whether they sum to 1 and name known versions is the node's to say.
     *
     * @throws IllegalArgumentException naming the bad entry, or when there is none
     */
    public static Map<String, Double> parseShares(String text) {
        Map<String, Double> shares = new LinkedHashMap<>();
        parse(text, "version", "v2=0.1").forEach((version, value) -> {
            try {
                shares.put(version, parseShare(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("share of " + version + " is not a number: '" + value + "'");
            }
        });
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("give at least one VERSION=SHARE, e.g. v1=0.9 v2=0.1");
        }
        return shares;
    }

    /**
     * {@code 0.05} or {@code 5%} as 0.05.
     *
     * @throws NumberFormatException when it is neither
     */
    public static double parseShare(String value) {
        String v = value.trim();
        return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100 : Double.parseDouble(v);
    }
}
