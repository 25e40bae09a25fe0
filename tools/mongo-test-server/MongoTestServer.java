// MongoDB wire-protocol TEST server for Dialogo's tests (never for production).
//
// In-memory mongo-java-server (de.bwaldvogel:mongo-java-server 1.47.0).
// Run through scripts/mongo-test-server.sh, or directly (Java 11+ single-file launch):
//
//   java -cp "$(cat tools/mongo-test-server/target/classpath.txt)" \
//        tools/mongo-test-server/MongoTestServer.java [port]
//
// port defaults to 0 (a free port). Once listening it prints exactly one line
// "READY <port>" to stdout, then runs until killed; SIGTERM/SIGINT shut it down
// cleanly. All data lives in memory: a restart starts from an empty server.

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.netty.channel.Channel;

import java.util.List;
import java.util.concurrent.CountDownLatch;

public class MongoTestServer {

    /**
     * Version reported to clients. mongo-java-server 1.47.0 only ships
     * ServerVersion.MONGO_3_6 / MONGO_4_0 / MONGO_5_0 with wire versions 6 / 7 / 8
     * (its "5.0" reports wire 8), and the Node driver 7.x refuses anything below 9.
     * So implement MongoVersion ourselves: 5.0.0 / wire version 13 (the real 5.0).
     */
    enum ReportedVersion implements MongoVersion {
        MONGO_5_0_WIRE_13(List.of(5, 0, 0), 13);

        private final List<Integer> versionArray;
        private final int wireVersion;

        ReportedVersion(List<Integer> versionArray, int wireVersion) {
            this.versionArray = versionArray;
            this.wireVersion = wireVersion;
        }

        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    /**
     * MemoryBackend that also answers the "hello" command (1.47.0 only knows the
     * legacy "ismaster"; the driver's handshake uses ismaster, but an explicit
     * db.admin().command({ hello: 1 }) would fail with "no such command").
     */
    static class TestBackend extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if ("hello".equalsIgnoreCase(command)) {
                Document response = super.handleCommand(channel, databaseName, "ismaster", query);
                response.put("isWritablePrimary", Boolean.TRUE);
                return response;
            }
            return super.handleCommand(channel, databaseName, command, query);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        if (args.length > 0) {
            try {
                port = Integer.parseInt(args[0].trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                System.err.println("usage: MongoTestServer [port]   (0..65535, default 0 = free port)");
                System.exit(2);
            }
        }

        TestBackend backend = new TestBackend();
        backend.version(ReportedVersion.MONGO_5_0_WIRE_13);
        MongoServer server = new MongoServer(backend);
        try {
            server.bind("127.0.0.1", port);
        } catch (RuntimeException e) {
            System.err.println("mongo-test-server: cannot bind 127.0.0.1:" + port + ": " + e);
            server.shutdownNow();
            System.exit(1);
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.shutdownNow();
            } finally {
                stopped.countDown();
            }
        }, "mongo-test-server-shutdown"));

        System.out.println("READY " + server.getLocalAddress().getPort());
        System.out.flush();

        // Netty's event-loop threads keep the JVM alive, but do not rely on it:
        // block main until the shutdown hook has run.
        stopped.await();
    }
}
