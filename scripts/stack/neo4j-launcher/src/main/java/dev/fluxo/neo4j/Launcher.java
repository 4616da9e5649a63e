package dev.fluxo.neo4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Usage: {@code Launcher --home=<dir> [--bolt=127.0.0.1:7687] [--pagecache-mb=256] [--tx-memory-mb=256]
 * [--warmup=true]}. Runs until SIGTERM/SIGINT; the shutdown hook stops the databases cleanly (checkpoint,
 * store files closed) so the next start needs no recovery. With {@code --warmup=true} it starts, runs a few
 * queries and exits: the stack runs that once under {@code -XX:ArchiveClassesAtExit} so later starts map the
 * ~15k classes Neo4j loads from a class-data archive instead of parsing them from 200 jars.
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
    SocketAddress boltAddress = new SocketAddress(bolt[0], Integer.parseInt(bolt[1]));
    long pageCacheMb = Long.parseLong(options.getOrDefault("pagecache-mb", "256"));
    long txMemoryMb = Long.parseLong(options.getOrDefault("tx-memory-mb", "256"));

    DatabaseManagementService managementService =
        new DatabaseManagementServiceBuilder(Path.of(home))
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, boltAddress)
            .setConfig(BoltConnector.advertised_address, boltAddress)
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

    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable shutdown =
        () -> {
          if (!stopping.compareAndSet(false, true)) return;
          System.out.println("neo4j-launcher: shutting down");
          managementService.shutdown();
          System.out.println("neo4j-launcher: stopped");
          stopped.countDown();
        };
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-launcher-shutdown"));
    System.out.printf("neo4j-launcher: Neo4j started, Bolt on %s, home %s%n", boltAddress, home);

    if (Boolean.parseBoolean(options.getOrDefault("warmup", "false"))) {
      warmUp(managementService);
      shutdown.run();
      System.exit(0);
    }
    stopped.await();
  }

  /** The read and write paths fluxo uses, so their classes end up in the class-data archive. */
  private static void warmUp(DatabaseManagementService managementService) {
    var db = managementService.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    db.executeTransactionally("MERGE (a:Warmup {id: 1})-[r:LINKS_TO]->(b:Warmup {id: 2}) SET r.at = datetime()");
    db.executeTransactionally("MATCH (a:Warmup)-[r:LINKS_TO]->(b) RETURN a, r, b, count(*) AS n");
    db.executeTransactionally("MATCH (n:Warmup) DETACH DELETE n");
    System.out.println("neo4j-launcher: warm-up queries done");
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
