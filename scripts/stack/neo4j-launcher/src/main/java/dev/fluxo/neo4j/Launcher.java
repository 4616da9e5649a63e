package dev.fluxo.neo4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with only the Bolt connector, for fluxo's native stack (no Neo4j server
 * distribution is reachable from Maven Central, the embedded API is).
 *
 * <p>Usage: {@code Launcher --home=<dir> [--bolt=127.0.0.1:7687] [--pagecache-mb=256] [--tx-memory-mb=256]}.
 * Runs until SIGTERM/SIGINT; the shutdown hook stops the databases cleanly (checkpoint, store files closed)
 * so the next start needs no recovery.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = parse(args);
    String home = options.get("home");
    if (home == null || home.isBlank()) {
      System.err.println("neo4j-launcher: --home=<dir> is required");
      System.exit(2);
    }
    String[] bolt = options.getOrDefault("bolt", "127.0.0.1:7687").split(":", 2);
    long pageCacheMb = Long.parseLong(options.getOrDefault("pagecache-mb", "256"));
    long txMemoryMb = Long.parseLong(options.getOrDefault("tx-memory-mb", "256"));

    DatabaseManagementService managementService =
        new DatabaseManagementServiceBuilder(Path.of(home))
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(bolt[0], Integer.parseInt(bolt[1])))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(bolt[0], Integer.parseInt(bolt[1])))
            // Loopback development server: the compose file runs the server image with NEO4J_AUTH=none too.
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            // Bounded memory so the stack fits on a laptop next to Kafka, Temporal and PostgreSQL.
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
            .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.mebiBytes(txMemoryMb))
            .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(txMemoryMb / 2))
            // No 256 MB preallocated transaction log files on a developer disk.
            .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
            // Netty waits a 5 s quiet period per event-loop group (bolt and bolt-local) before it lets
            // shutdown finish; 1 s keeps `stack down` at a few seconds without cutting off live requests.
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("neo4j-launcher: shutting down");
                  managementService.shutdown();
                  System.out.println("neo4j-launcher: stopped");
                  stopped.countDown();
                },
                "neo4j-launcher-shutdown"));
    System.out.printf("neo4j-launcher: Neo4j started, Bolt on %s:%s, home %s%n", bolt[0], bolt[1], home);
    stopped.await();
  }

  /** Accepts {@code --key=value} arguments only; anything else stops start-up with one line. */
  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        System.err.println("neo4j-launcher: unexpected argument " + arg + " (expected --key=value)");
        System.exit(2);
      }
      options.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return options;
  }
}
