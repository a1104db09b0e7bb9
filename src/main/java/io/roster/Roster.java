package io.roster;

import io.roster.auth.AuthVerticle;
import io.roster.auth.Passwords;
import io.roster.auth.SessionCache;
import io.roster.auth.SigningKey;
import io.roster.common.Bus;
import io.roster.common.Metrics;
import io.roster.common.Settings;
import io.roster.db.Database;
import io.roster.http.HttpVerticle;
import io.roster.imports.ImportVerticle;
import io.roster.lockout.LockoutTimerVerticle;
import io.roster.mail.MailVerticle;
import io.roster.orgs.OrgCommandVerticle;
import io.roster.orgs.OrgCommands;
import io.roster.scim.ScimVerticle;
import io.roster.sso.SsoCommandVerticle;
import io.roster.users.Invitations;
import io.roster.users.UserCommandVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Roster: database ready and migrated, then the verticles deployed in order, HTTP
 * last so that requests only arrive once every consumer exists. Main runs one; tests run several.
 */
public final class Roster {
  private static final Logger LOG = LoggerFactory.getLogger(Roster.class);

  private final Vertx vertx;
  private final Database database;
  private final Pool pool;
  private final SessionCache sessions;
  private final int port;

  private Roster(Vertx vertx, Database database, Pool pool, SessionCache sessions, int port) {
    this.vertx = vertx;
    this.database = database;
    this.pool = pool;
    this.sessions = sessions;
    this.port = port;
  }

  public static Future<Roster> start(Vertx vertx, JsonObject conf) {
    Metrics.register();
    return vertx.executeBlocking(() -> {
      Database db = Database.open(Settings.string(conf, "DATABASE_URL", null), Path.of(Settings.string(conf, "DATA_DIR", "data")));
      db.migrate();
      return db;
    }).compose(db -> deploy(vertx, conf, db));
  }

  private static Future<Roster> deploy(Vertx vertx, JsonObject conf, Database db) {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    PgConnectOptions connect = db.connectOptions().setCachePreparedStatements(true);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(Settings.integer(conf, "DATABASE_POOL_SIZE", 16)).setMaxWaitQueueSize(10_000))
        .connectingTo(connect)
        .using(vertx)
        .build();
    Passwords passwords = new Passwords(vertx, cores);
    String baseUrl = Settings.string(conf, "PUBLIC_BASE_URL", "http://localhost:8080");
    Duration invitationTtl = Settings.duration(conf, "INVITATION_TTL", Duration.ofDays(7));
    Invitations invitations = new Invitations(baseUrl, invitationTtl, Settings.duration(conf, "RESET_TOKEN_TTL", Duration.ofHours(1)));
    JsonObject tokenConf = Settings.slice(conf, "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "MFA_TOKEN_TTL");
    JsonObject mailConf = Settings.slice(conf, "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS",
        "MAIL_FROM", "MAIL_POLL_INTERVAL");
    JsonObject httpConf = Settings.slice(conf, "HTTP_HOST", "HTTP_PORT", "SUPPORT_API_KEY", "PUBLIC_BASE_URL");

    SessionCache sessions = new SessionCache();
    return SigningKey.load(pool, Settings.string(conf, "JWT_PRIVATE_KEY_PEM", null))
        .compose(key -> sessions.start(vertx, connect).map(key))
        .compose(key -> {
          JWTAuth signer = JWTAuth.create(vertx, key.authOptions());
          return vertx.deployVerticle(() -> new OrgCommandVerticle(pool, invitations), new DeploymentOptions())
              .compose(id -> vertx.deployVerticle(() -> new UserCommandVerticle(pool, invitations, sessions),
                  new DeploymentOptions().setInstances(cores)))
              .compose(id -> vertx.deployVerticle(() -> new AuthVerticle(pool, passwords, invitations, signer, sessions),
                  new DeploymentOptions().setInstances(cores).setConfig(tokenConf)))
              .compose(id -> vertx.deployVerticle(() -> new ImportVerticle(pool, baseUrl, invitationTtl),
                  new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
              .compose(id -> vertx.deployVerticle(() -> new SsoCommandVerticle(pool, sessions), new DeploymentOptions()))
              .compose(id -> vertx.deployVerticle(() -> new ScimVerticle(pool, invitations, sessions, baseUrl),
                  new DeploymentOptions()))
              .compose(id -> vertx.deployVerticle(new LockoutTimerVerticle(pool),
                  new DeploymentOptions().setConfig(Settings.slice(conf, "LOCKOUT_SWEEP_INTERVAL"))))
              .compose(id -> vertx.deployVerticle(new MailVerticle(pool), new DeploymentOptions().setConfig(mailConf)))
              .compose(id -> bootstrap(vertx, pool, conf))
              .compose(id -> deployHttp(vertx, pool, key, sessions, httpConf, cores))
              .map(port -> new Roster(vertx, db, pool, sessions, port));
        })
        .onFailure(err -> {
          pool.close();
          closeQuietly(db);
        });
  }

  /**
   * One HTTP instance per core, all sharing one port. Vert.x shares a listening socket between
   * instances only for a fixed port, so HTTP_PORT 0 (tests) first asks the OS for a free one.
   */
  private static Future<Integer> deployHttp(Vertx vertx, Pool pool, SigningKey key, SessionCache sessions, JsonObject conf,
      int cores) {
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
    return vertx.deployVerticle(() -> new HttpVerticle(pool, key, sessions), new DeploymentOptions().setConfig(fixed).setInstances(cores))
        .map(port);
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

  public Pool pool() {
    return pool;
  }

  public SessionCache sessions() {
    return sessions;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Undeploys everything (HTTP drains first), then closes the pool and any embedded database. */
  public Future<Void> close() {
    sessions.shutdown();
    return vertx.close().andThen(x -> closeQuietly(database));
  }

  private static void closeQuietly(Database db) {
    try {
      db.close();
    } catch (Exception e) {
      LOG.warn("Closing the database failed: {}", e.toString());
    }
  }
}
