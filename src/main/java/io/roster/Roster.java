package io.roster;

import io.roster.auth.AuthVerticle;
import io.roster.auth.Passwords;
import io.roster.auth.KeyRing;
import io.roster.common.Bus;
import io.roster.common.CommandVerticle;
import io.roster.common.Metrics;
import io.roster.common.Settings;
import io.roster.crypto.Secrets;
import io.roster.db.Database;
import io.roster.housekeeping.PurgeVerticle;
import io.roster.http.Edge;
import io.roster.http.Health;
import io.roster.http.HttpVerticle;
import io.roster.http.ManagementVerticle;
import io.roster.http.RateLimiter;
import io.roster.imports.ImportVerticle;
import io.roster.lifecycle.Lifecycle;
import io.roster.lockout.LockoutTimerVerticle;
import io.roster.mail.MailVerticle;
import io.roster.orgs.OrgCommandVerticle;
import io.roster.orgs.OrgCommands;
import io.roster.scim.ScimVerticle;
import io.roster.sessions.SessionCache;
import io.roster.sso.SsoCommandVerticle;
import io.roster.users.UserCommandVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.roster.db.Servers;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Roster: database ready and migrated, then the verticles deployed in order, HTTP
 * last so that requests only arrive once every consumer exists; {@link #close} undoes it in the
 * reverse order. Main runs one; tests run several.
 */
public final class Roster {
  private static final Logger LOG = LoggerFactory.getLogger(Roster.class);

  private final Vertx vertx;
  private final Database database;
  private final Pool pool;
  private final SessionCache sessions;
  private final Health health;
  private final Deployments deployed;
  private final int port;
  private final int managementPort;
  private Future<Void> closing;

  /** The deployment ids of each stage, so that shutdown can stop them one stage at a time. */
  private static final class Deployments {
    final List<String> commands = new ArrayList<>();
    final List<String> background = new ArrayList<>();
    String http;
    String management;
  }

  private Roster(Vertx vertx, Database database, Pool pool, SessionCache sessions, Health health, Deployments deployed,
      int port, int managementPort) {
    this.vertx = vertx;
    this.database = database;
    this.pool = pool;
    this.sessions = sessions;
    this.health = health;
    this.deployed = deployed;
    this.port = port;
    this.managementPort = managementPort;
  }

  public static Future<Roster> start(Vertx vertx, JsonObject conf) {
    Metrics.register();
    Secrets[] secrets = new Secrets[1];
    return vertx.executeBlocking(() -> {
      // First, before anything is opened: with DATABASE_URL and no ENCRYPTION_KEY this refuses to start.
      secrets[0] = Secrets.fromConfig(conf);
      Database db = Database.open(Settings.string(conf, "DATABASE_URL", null), Path.of(Settings.string(conf, "DATA_DIR", "data")));
      db.migrate();
      // Off the event loops: the first password check would otherwise read the list there.
      io.roster.domain.CommonPasswords.preload();
      return db;
    }).compose(db -> deploy(vertx, conf, db, secrets[0]));
  }

  /**
   * Every database call has a deadline: statements are cancelled by PostgreSQL after
   * DATABASE_STATEMENT_TIMEOUT, a connection is opened within DATABASE_CONNECT_TIMEOUT, and a
   * request waits at most DATABASE_ACQUIRE_TIMEOUT for a pooled one; a command that still has
   * no answer by its deadline (a frozen server) is answered 503 by {@link CommandVerticle}.
   */
  private static Pool pool(Vertx vertx, JsonObject conf, Servers servers) {
    String statementMs = String.valueOf(Settings.duration(conf, "DATABASE_STATEMENT_TIMEOUT", Duration.ofSeconds(5)).toMillis());
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) Settings.duration(conf, "DATABASE_CONNECT_TIMEOUT", Duration.ofSeconds(2)).toMillis());
    PoolOptions options = new PoolOptions().setMaxSize(Settings.integer(conf, "DATABASE_POOL_SIZE", 16))
        .setMaxWaitQueueSize(10_000)
        .setConnectionTimeout((int) Settings.duration(conf, "DATABASE_ACQUIRE_TIMEOUT", Duration.ofSeconds(2)).toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    // Each new connection goes to the server that takes writes now (Servers: one, or a primary and
    // its standbys), so after a failover the pool reconnects to the promoted one by itself.
    return PgBuilder.pool().with(options).with(net)
        .connectingTo(() -> servers.writable(vertx).map(o -> (io.vertx.sqlclient.SqlConnectOptions)
            o.setCachePreparedStatements(true).addProperty("statement_timeout", statementMs)))
        .using(vertx).build();
  }

  private static Future<Roster> deploy(Vertx vertx, JsonObject conf, Database db, Secrets secrets) {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    Pool pool = pool(vertx, conf, db.servers());
    Passwords passwords = new Passwords(vertx, Passwords.threads(), Settings.duration(conf, "LOGIN_QUEUE_TIMEOUT", Duration.ofSeconds(1)));
    String baseUrl = Settings.string(conf, "PUBLIC_BASE_URL", "http://localhost:8080");
    JsonObject tokenConf = Settings.slice(conf, "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "MFA_TOKEN_TTL", "LOGIN_ATTEMPT_LEASE",
        "SESSION_MAX_LIFETIME");
    JsonObject mailConf = Settings.slice(conf, "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_CONNECTIONS",
        "MAIL_FROM", "MAIL_POLL_INTERVAL", "PUBLIC_BASE_URL");
    JsonObject httpConf = Settings.slice(conf, "HTTP_HOST", "HTTP_PORT", "SUPPORT_API_KEY", "PUBLIC_BASE_URL",
        "SHUTDOWN_DRAIN_TIMEOUT", "LOG_FORMAT");
    JsonObject managementConf = Settings.slice(conf, "HTTP_HOST", "MANAGEMENT_PORT");

    SessionCache sessions = new SessionCache();
    Health health = new Health(pool);
    Edge edge = new Edge(conf);
    Metrics.connections(edge, Edge::openConnections);
    RateLimiter limiter = new RateLimiter(conf);
    Lifecycle lifecycle = new Lifecycle(vertx, pool, sessions, baseUrl,
        Settings.duration(conf, "INVITATION_TTL", Duration.ofDays(7)), Settings.duration(conf, "RESET_TOKEN_TTL", Duration.ofHours(1)));
    Deployments deployed = new Deployments();
    int[] managementPort = new int[1];
    return KeyRing.load(vertx, pool, secrets, Settings.string(conf, "JWT_PRIVATE_KEY_PEM", null), baseUrl,
            Settings.duration(conf, "ACCESS_TOKEN_TTL", Duration.ofMinutes(15)))
        .compose(key -> sessions.start(vertx, db.servers()).map(key))
        .compose(key -> {
          DeploymentOptions perCore = new DeploymentOptions().setInstances(cores);
          return command(vertx, deployed, () -> new OrgCommandVerticle(pool, lifecycle, sessions), new DeploymentOptions())
              .compose(x -> command(vertx, deployed, () -> new UserCommandVerticle(pool, lifecycle), perCore))
              .compose(x -> command(vertx, deployed, () -> new AuthVerticle(pool, passwords, lifecycle, key, secrets, sessions),
                  new DeploymentOptions().setInstances(cores).setConfig(tokenConf)))
              .compose(x -> command(vertx, deployed, () -> new ImportVerticle(pool, lifecycle),
                  new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
              .compose(x -> command(vertx, deployed, () -> new SsoCommandVerticle(pool, lifecycle), new DeploymentOptions()))
              .compose(x -> command(vertx, deployed, () -> new ScimVerticle(pool, lifecycle, baseUrl), new DeploymentOptions()))
              .compose(x -> vertx.deployVerticle(new LockoutTimerVerticle(pool, lifecycle),
                  new DeploymentOptions().setConfig(Settings.slice(conf, "LOCKOUT_SWEEP_INTERVAL"))))
              .compose(id -> {
                deployed.background.add(id);
                return vertx.deployVerticle(new PurgeVerticle(pool),
                    new DeploymentOptions().setConfig(Settings.slice(conf, "RETENTION", "PURGE_INTERVAL")));
              })
              .compose(id -> {
                deployed.background.add(id);
                return vertx.deployVerticle(new MailVerticle(pool), new DeploymentOptions().setConfig(mailConf));
              })
              .compose(id -> {
                deployed.background.add(id);
                ManagementVerticle management = new ManagementVerticle(health);
                return vertx.deployVerticle(management, new DeploymentOptions().setConfig(managementConf))
                    .map(mid -> {
                      deployed.management = mid;
                      managementPort[0] = management.port();
                      return mid;
                    });
              })
              .compose(id -> bootstrap(vertx, pool, conf))
              .compose(id -> deployHttp(vertx, pool, key, sessions, edge, health, limiter, httpConf, cores, deployed))
              .map(port -> new Roster(vertx, db, pool, sessions, health, deployed, port, managementPort[0]));
        })
        .onFailure(err -> {
          pool.close();
          closeQuietly(db);
        });
  }

  private static Future<String> command(Vertx vertx, Deployments deployed, Supplier<CommandVerticle> verticle,
      DeploymentOptions options) {
    return vertx.deployVerticle(verticle::get, options).onSuccess(deployed.commands::add);
  }

  /**
   * One HTTP instance per core, all sharing one port. Vert.x shares a listening socket between
   * instances only for a fixed port, so HTTP_PORT 0 (tests) first asks the OS for a free one.
   */
  private static Future<Integer> deployHttp(Vertx vertx, Pool pool, KeyRing key, SessionCache sessions, Edge edge,
      Health health, RateLimiter limiter, JsonObject conf, int cores, Deployments deployed) {
    JsonObject fixed = conf.copy();
    if (Settings.integer(conf, "HTTP_PORT", 8080) == 0) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(
          Settings.string(conf, "HTTP_HOST", "127.0.0.1")))) {
        fixed.put("HTTP_PORT", probe.getLocalPort());
      } catch (java.io.IOException e) {
        return Future.failedFuture(e);
      }
    }
    int port = Settings.integer(fixed, "HTTP_PORT", 8080);
    return vertx.deployVerticle(() -> new HttpVerticle(pool, key, sessions, edge, health, limiter),
            new DeploymentOptions().setConfig(fixed).setInstances(cores))
        .map(id -> {
          deployed.http = id;
          return port;
        });
  }

  /** On an empty database with BOOTSTRAP_* set: the first organization and its Root Admin's invitation. */
  private static Future<Void> bootstrap(Vertx vertx, Pool pool, JsonObject conf) {
    String org = Settings.string(conf, "BOOTSTRAP_ORG_NAME", null);
    String email = Settings.string(conf, "BOOTSTRAP_ADMIN_EMAIL", null);
    if (org == null || email == null) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(7302)").execute()
            .compose(x -> tx.query("SELECT count(*) FROM organizations").execute())
            .map(rs -> rs.iterator().next().getLong(0) == 0))
        .compose(empty -> {
          if (!empty) {
            return Future.succeededFuture();
          }
          JsonObject cmd = new JsonObject().put("name", org).put("bootstrap", true)
              .put("rootAdmin", new JsonObject().put("email", email.trim().toLowerCase()).put("firstName", "Root").put("lastName", "Admin"));
          return Bus.request(vertx, OrgCommands.ADDRESS, OrgCommands.CREATE, cmd).map(reply -> {
            LOG.info("Bootstrapped organization '{}' ({}); Root Admin {} is invited: {}/invitation?token={}", org,
                reply.getString("id"), email, Settings.string(conf, "PUBLIC_BASE_URL", "http://localhost:8080"),
                reply.getString("invitationToken"));
            return null;
          });
        });
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public Pool pool() {
    return pool;
  }

  public SessionCache sessions() {
    return sessions;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * The shutdown sequence (SIGTERM): readiness turns 503 at once; the API listener stops
   * accepting and every request it already has finishes (up to SHUTDOWN_DRAIN_TIMEOUT); the
   * mail dispatcher and the lockout timer finish their current unit; then the command
   * verticles, the management port, the pool and the embedded database close, in that order.
   * Calling it again answers the same future.
   */
  public synchronized Future<Void> close() {
    if (closing != null) {
      return closing;
    }
    health.stopping();
    closing = undeploy(deployed.http == null ? List.of() : List.of(deployed.http))
        .compose(x -> undeploy(deployed.background))
        .compose(x -> undeploy(deployed.commands))
        .compose(x -> undeploy(deployed.management == null ? List.of() : List.of(deployed.management)))
        .eventually(() -> {
          sessions.shutdown();
          return pool.close();
        })
        .eventually(vertx::close)
        .andThen(x -> closeQuietly(database))
        .mapEmpty();
    return closing;
  }

  private Future<Void> undeploy(List<String> ids) {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : ids) {
      all.add(vertx.undeploy(id).recover(err -> {
        LOG.warn("Undeploying {} failed: {}", id, err.toString());
        return Future.succeededFuture();
      }));
    }
    return Future.all(all).mapEmpty();
  }

  private static void closeQuietly(Database db) {
    try {
      db.close();
    } catch (Exception e) {
      LOG.warn("Closing the database failed: {}", e.toString());
    }
  }
}
