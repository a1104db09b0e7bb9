package io.roster.imports;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/v1/users/import: CSV and JSON, per-row results, dry runs, limits. */
class ImportTest extends ServerTest {
  static Person admin;

  @BeforeAll
  static void start() {
    admin = journeys.newOrgWithRootAdmin("Importers Ltd");
  }

  static Http.Response csv(String body, String query) {
    return http.post("/api/v1/users/import" + query).bearer(admin.accessToken()).raw(body, "text/csv").send();
  }

  static long users() {
    return server.count("SELECT count(*) FROM users");
  }

  @Test
  void csvEdgeCasesAreReadAsASpreadsheetWouldWriteThem() {
    String taken = journeys.newOrgWithRootAdmin("Someone Else").email();
    String csv = "\uFEFFemail,firstName,lastName,role,groups\r\n"
        + "ann@import.test,\"Smith, Ann\",\"O\"\"Neil\",USER,sales;emea\r\n"
        + "\r\n"
        + "BOB@Import.Test,Bob,\"Multi\r\nLine\",ADMIN,\r\n"
        + "ann@import.test,Ann,Again,USER,\r\n"
        + taken.toUpperCase() + ",Taken,Elsewhere,USER,\r\n"
        + "cy@import.test,Cy,Unknown,SUPERUSER,\r\n"
        + "not-an-email,Dee,Bad,USER,\r\n"
        + "eve@import.test,Eve,\"Comma, Name\",ADMIN,\r\n"
        + "\r\n";
    Http.Response r = csv(csv, "");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonObject report = r.json();
    assertThat(report.getInteger("created")).as(report.encode()).isEqualTo(2);
    assertThat(report.getInteger("duplicates")).isEqualTo(2);
    assertThat(report.getInteger("invalid")).isEqualTo(3);
    JsonArray rows = report.getJsonArray("rows");
    assertThat(rows).hasSize(7);
    assertRow(rows.getJsonObject(0), 2, "ann@import.test", "CREATED");
    // A quoted field may span lines (the row's line is where it starts); a name may not hold a line break.
    assertRow(rows.getJsonObject(1), 4, "bob@import.test", "INVALID");
    assertThat(rows.getJsonObject(1).getJsonArray("errors").encode()).contains("\"field\":\"lastName\"");
    assertRow(rows.getJsonObject(2), 6, "ann@import.test", "DUPLICATE");
    assertRow(rows.getJsonObject(3), 7, taken, "DUPLICATE");
    assertRow(rows.getJsonObject(4), 8, "cy@import.test", "INVALID");
    assertThat(rows.getJsonObject(4).getJsonArray("errors").encode()).contains("\"field\":\"role\"");
    assertRow(rows.getJsonObject(5), 9, "not-an-email", "INVALID");
    assertRow(rows.getJsonObject(6), 10, "eve@import.test", "CREATED");
    assertThat(rows.getJsonObject(3).encode()).doesNotContain("Someone Else");

    JsonObject ann = http.get("/api/v1/users?q=ann@import.test").bearer(admin.accessToken()).send().items().getJsonObject(0);
    assertThat(ann.getString("firstName")).isEqualTo("Smith, Ann");
    assertThat(ann.getString("lastName")).isEqualTo("O\"Neil");
    assertThat(ann.getString("status")).isEqualTo("INVITED");
    assertThat(ann.getJsonArray("groups").getList()).containsExactly("sales", "emea");
    JsonObject eve = http.get("/api/v1/users?q=eve@import.test").bearer(admin.accessToken()).send().items().getJsonObject(0);
    assertThat(eve.getString("role")).isEqualTo("ADMIN");
    assertThat(eve.getString("lastName")).isEqualTo("Comma, Name");

    // Each created user is invited like any other and can accept.
    journeys.acceptAndEnroll("ann@import.test", Journeys.PASSWORD);
    assertThat(server.awaitMail("eve@import.test", "invitation").token()).isNotNull();
    List<String> actions = http.get("/api/v1/audit-events?limit=200").bearer(admin.accessToken()).send().items().stream()
        .map(e -> ((JsonObject) e).getString("action")).toList();
    assertThat(actions).contains("USERS_IMPORTED", "USER_CREATED", "INVITATION_SENT");
  }

  private static void assertRow(JsonObject row, int line, String email, String result) {
    assertThat(row.getInteger("line")).as(row.encode()).isEqualTo(line);
    assertThat(row.getString("email")).isEqualTo(email);
    assertThat(row.getString("result")).isEqualTo(result);
  }

  @Test
  void jsonArraysImportWithIndexLines() {
    JsonArray body = new JsonArray()
        .add(new JsonObject().put("email", "jo@json.test").put("firstName", "Jo").put("lastName", "Json").put("role", "USER")
            .put("groups", new JsonArray().add("it")))
        .add("not an object")
        .add(new JsonObject().put("email", "kim@json.test").put("firstName", 7).put("lastName", "K").put("role", "USER"))
        .add(new JsonObject().put("email", "lee@json.test").put("firstName", "Lee").put("lastName", "L").put("role", "CO_MANAGED_USER"));
    Http.Response r = http.post("/api/v1/users/import").bearer(admin.accessToken()).json(body).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().getInteger("created")).isEqualTo(2);
    assertThat(r.json().getInteger("invalid")).isEqualTo(2);
    JsonArray rows = r.json().getJsonArray("rows");
    assertRow(rows.getJsonObject(0), 1, "jo@json.test", "CREATED");
    assertThat(rows.getJsonObject(1).getInteger("line")).isEqualTo(2);
    assertThat(rows.getJsonObject(1).getString("result")).isEqualTo("INVALID");
    assertRow(rows.getJsonObject(2), 3, "kim@json.test", "INVALID");
    assertRow(rows.getJsonObject(3), 4, "lee@json.test", "CREATED");
  }

  @Test
  void aDryRunReportsTheSameAndWritesNothing() {
    String csv = "email,firstName,lastName,role\ndry1@run.test,D,R,USER\ndry1@run.test,D,R,USER\ndry2@run.test,D,R,NOPE\n";
    long usersBefore = users();
    long mailsBefore = server.count("SELECT count(*) FROM mail_outbox");
    long auditBefore = server.count("SELECT count(*) FROM audit_events");
    Http.Response dry = csv(csv, "?dryRun=true");
    assertThat(dry.status()).isEqualTo(200);
    assertThat(users()).isEqualTo(usersBefore);
    assertThat(server.count("SELECT count(*) FROM mail_outbox")).isEqualTo(mailsBefore);
    assertThat(server.count("SELECT count(*) FROM audit_events")).isEqualTo(auditBefore);
    Http.Response real = csv(csv, "");
    assertThat(real.json()).isEqualTo(dry.json());
    assertThat(users()).isEqualTo(usersBefore + 1);
  }

  @Test
  void badBodiesAreRefusedAndChangeNothing() {
    long before = users();
    byte[] garbage = new byte[100 * 1024];
    new Random(42).nextBytes(garbage);
    Http.Response binary = http.post("/api/v1/users/import").bearer(admin.accessToken()).bytes(garbage, "text/csv").send();
    assertThat(binary.status()).as(binary.toString()).isEqualTo(400);
    assertThat(binary.code()).isEqualTo("VALIDATION_FAILED");
    for (String body : List.of("name,mail\nx,y\n", "email,firstName,lastName\na@b.test,A,B\n", "email,firstName,lastName,role\n\"unclosed,A,B,USER\n")) {
      Http.Response r = csv(body, "");
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    }
    Http.Response notArray = http.post("/api/v1/users/import").bearer(admin.accessToken()).json(new JsonObject().put("email", "x")).send();
    assertThat(notArray.status()).isEqualTo(400);
    Http.Response brokenJson = http.post("/api/v1/users/import").bearer(admin.accessToken())
        .raw("[{\"email\":\"late@broken.test\",\"firstName\":\"A\",\"lastName\":\"B\",\"role\":\"USER\"}, {", "application/json").send();
    assertThat(brokenJson.status()).isEqualTo(400);
    assertThat(users()).isEqualTo(before);
    assertThat(csv("email,firstName,lastName,role\n", "").json().getJsonArray("rows")).isEmpty();
  }

  @Test
  void moreThanOneHundredThousandRowsIsTooLarge() {
    StringBuilder sb = new StringBuilder("email,firstName,lastName,role\n");
    for (int i = 0; i <= 100_000; i++) {
      sb.append("x").append(i).append("@big.test,A,B,USER\n");
    }
    long before = users();
    Http.Response r = csv(sb.toString(), "");
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.code()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(users()).isEqualTo(before);
  }

  @Test
  void thousandsOfRowsCrossBatchBoundariesExactly() {
    StringBuilder sb = new StringBuilder("email,firstName,lastName,role,groups\n");
    for (int i = 0; i < 2_500; i++) {
      sb.append("many").append(i).append("@batch.test,Many,Row").append(i).append(",USER,g").append(i % 3).append('\n');
    }
    sb.append("many7@batch.test,Dup,Row,USER,\n");
    Http.Response r = csv(sb.toString(), "");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("created")).isEqualTo(2_500);
    assertThat(r.json().getInteger("duplicates")).isEqualTo(1);
    assertThat(r.json().getJsonArray("rows").getJsonObject(2_500).getInteger("line")).isEqualTo(2_502);
    assertThat(server.count("SELECT count(*) FROM users WHERE email LIKE 'many%@batch.test'")).isEqualTo(2_500);
    assertThat(server.count("SELECT count(*) FROM action_tokens t JOIN users u ON u.id = t.user_id WHERE u.email LIKE 'many%@batch.test'"))
        .isEqualTo(2_500);
    assertThat(server.count("SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'many%@batch.test'")).isEqualTo(2_500);
  }

  @Test
  void aBatchThatCannotBeWrittenStopsTheImportAndLeavesNoHalfCreatedUser() {
    // The database refuses one row of the second batch, as a crash or a lost connection would.
    server.sql("""
        CREATE FUNCTION refuse_boom() RETURNS trigger AS $$
        BEGIN IF NEW.email = 'boom1500@crash.test' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END;
        $$ LANGUAGE plpgsql""");
    server.sql("CREATE TRIGGER refuse_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_boom()");
    try {
      StringBuilder sb = new StringBuilder("email,firstName,lastName,role\n");
      for (int i = 0; i < 2_500; i++) {
        sb.append("boom").append(i).append("@crash.test,B,C,USER\n");
      }
      Http.Response r = csv(sb.toString(), "");
      assertThat(r.status()).as(r.toString()).isEqualTo(503);
      assertThat(r.code()).isEqualTo("OVERLOADED");
      assertThat(r.header("Retry-After")).isNotNull();
      assertThat(r.json().getInteger("created")).isEqualTo(1_000);
      assertThat(r.json().getJsonArray("rows")).hasSize(1_000);
      assertThat(server.count("SELECT count(*) FROM users WHERE email LIKE 'boom%@crash.test'")).isEqualTo(1_000);
      assertThat(server.count("SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'boom%@crash.test'")).isEqualTo(1_000);
      assertThat(server.count("SELECT count(*) FROM users WHERE email = 'boom1000@crash.test'")).isZero();
    } finally {
      server.sql("DROP TRIGGER refuse_boom ON users");
      server.sql("DROP FUNCTION refuse_boom()");
    }
    // Sending it again finishes the job.
    StringBuilder again = new StringBuilder("email,firstName,lastName,role\n");
    for (int i = 0; i < 2_500; i++) {
      again.append("boom").append(i).append("@crash.test,B,C,USER\n");
    }
    Http.Response r = csv(again.toString(), "");
    assertThat(r.json().getInteger("created")).isEqualTo(1_500);
    assertThat(r.json().getInteger("duplicates")).isEqualTo(1_000);
  }

  @Test
  void onlyUserManagersImportAndOnlyIntoTheirOwnOrganization() {
    Person other = journeys.newOrgWithRootAdmin("Other Importer");
    Person user = journeys.invite(admin, "USER");
    Http.Response forbidden = http.post("/api/v1/users/import").bearer(user.accessToken())
        .raw("email,firstName,lastName,role\nz@z.test,Z,Z,USER\n", "text/csv").send();
    assertThat(forbidden.status()).isEqualTo(403);
    Http.Response r = http.post("/api/v1/users/import").bearer(other.accessToken())
        .raw("email,firstName,lastName,role\nmine@other.test,M,O,USER\n", "text/csv").send();
    assertThat(r.json().getInteger("created")).isEqualTo(1);
    assertThat(http.get("/api/v1/users?q=mine@other.test").bearer(admin.accessToken()).send().items()).isEmpty();
    assertThat(http.get("/api/v1/users?q=mine@other.test").bearer(other.accessToken()).send().items()).hasSize(1);
  }
}
