package io.canary.bench.scale;

import io.canary.NodeConfig;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A helper JVM that hosts a slice of a large cluster for {@link ScaleBench}. Arguments: the data
 * directory, the timing overrides ({@code name=duration,...}, possibly empty, ending with a comma), then {@code id=port} for every member (coordinator first), then {@code --mine} and the
 * ids to start here. Prints {@code READY} once started; stops when its standard input closes
 * (so it never outlives the benchmark that started it).
 */
public final class ScaleHost {
    private ScaleHost() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        NodeConfig config = Timings.config(java.util.Arrays.stream(args[1].split(",")).filter(a -> !a.isEmpty()).toList());
        Map<String, HostPort> members = new LinkedHashMap<>();
        Map<String, ControlPort> mine = new LinkedHashMap<>();
        boolean inMine = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--mine")) {
                inMine = true;
            } else if (inMine) {
                HostPort address = members.get(args[i]);
                mine.put(args[i], ControlPort.bind("127.0.0.1", address.port()));
            } else {
                String[] kv = args[i].split("=", 2);
                members.put(kv[0], new HostPort("127.0.0.1", Integer.parseInt(kv[1])));
            }
        }
        try (NodeSlice slice = new NodeSlice(members, mine, dataDir, config)) {
            System.out.println("READY " + slice.nodes().size());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // Wait for the parent to close our input.
            }
        }
    }
}
