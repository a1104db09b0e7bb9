package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/v1/users: cursor paging that neither repeats nor skips. */
class UserListTest extends ServerTest {
  static Person admin;

  @BeforeAll
  static void start() {
    admin = journeys.newOrgWithRootAdmin("Lister GmbH");
    // Bulk set-up straight in the database: 150 users, some sharing a creation instant.
    server.sql("""
        INSERT INTO users (id, organization_id, email, first_name, last_name, role, status, created_at)
        SELECT gen_random_uuid(), ?::uuid, 'bulk' || g || '@example.test', 'First' || g, 'Last' || (g % 7), 'USER', 'INVITED',
               now() - (g / 3) * interval '1 second'
        FROM generate_series(1, 150) g""", admin.orgId());
    // Mixed statuses, so that sort=status has something to order.
    server.sql("UPDATE users SET status = 'DEACTIVATED', deactivation_reason = 'ADMIN' WHERE email LIKE 'bulk1_@example.test'");
    server.sql("UPDATE users SET locked_until = now() + interval '1 hour' WHERE email LIKE 'bulk2_@example.test'");
  }

  private static List<String> walkField(String query, String field) {
    List<String> values = new ArrayList<>();
    String cursor = null;
    do {
      Http.Response page = http.get("/api/v1/users?limit=37" + query + (cursor == null ? "" : "&cursor=" + cursor))
          .bearer(admin.accessToken()).send();
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      page.items().forEach(u -> values.add(((JsonObject) u).getString(field)));
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    return values;
  }

  private static int total() {
    return (int) server.count("SELECT count(*) FROM users WHERE organization_id = ?::uuid", admin.orgId());
  }

  private static List<String> walk(String query, int limit) {
    List<String> emails = new ArrayList<>();
    String cursor = null;
    do {
      Http.Response page = http.get("/api/v1/users?limit=" + limit + query + (cursor == null ? "" : "&cursor=" + cursor))
          .bearer(admin.accessToken()).send();
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      assertThat(page.items().size()).isLessThanOrEqualTo(limit);
      page.items().forEach(u -> emails.add(((JsonObject) u).getString("email")));
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    return emails;
  }

  @Test
  void everyUserIsSeenExactlyOnceInEverySort() {
    for (String sort : new String[] {"", "&sort=email", "&sort=-email", "&sort=lastName", "&sort=-createdAt", "&sort=status"}) {
      List<String> emails = walk(sort, 40);
      assertThat(emails).as(sort).hasSize(total()).doesNotHaveDuplicates();
    }
    // Each sort orders by its key, across page boundaries (the set-up has several values of each).
    assertThat(walkField("&sort=email", "email")).isSorted();
    assertThat(walkField("&sort=-email", "email")).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(walkField("&sort=lastName", "lastName")).isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER.thenComparing(x -> x))
        .contains("Last0", "Last6");
    List<String> statuses = walkField("&sort=status", "status");
    assertThat(statuses).isSorted().contains("ACTIVE", "DEACTIVATED", "INVITED", "LOCKED_OUT");
    assertThat(walkField("&sort=-createdAt", "createdAt")).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  void defaultPageIsFiftyAndTheLastPageHasNoCursor() {
    Http.Response first = http.get("/api/v1/users").bearer(admin.accessToken()).send();
    assertThat(first.items()).hasSize(50);
    assertThat(first.json().getString("nextCursor")).isNotNull();
    Http.Response all = http.get("/api/v1/users?limit=200").bearer(admin.accessToken()).send();
    assertThat(all.items()).hasSize(total());
    assertThat(all.json().containsKey("nextCursor")).isTrue();
    assertThat(all.json().getString("nextCursor")).isNull();
  }

  @Test
  void pagingStaysCompleteWhileUsersAreAdded() {
    List<String> seen = new ArrayList<>();
    Http.Response page = http.get("/api/v1/users?limit=60").bearer(admin.accessToken()).send();
    page.items().forEach(u -> seen.add(((JsonObject) u).getString("email")));
    new Journeys(server).create(admin, "zz-late@example.test", "USER");
    String cursor = page.json().getString("nextCursor");
    while (cursor != null) {
      page = http.get("/api/v1/users?limit=60&cursor=" + cursor).bearer(admin.accessToken()).send();
      page.items().forEach(u -> seen.add(((JsonObject) u).getString("email")));
      cursor = page.json().getString("nextCursor");
    }
    assertThat(seen).doesNotHaveDuplicates().hasSize(total()).contains("zz-late@example.test");
  }

  @Test
  void filtersByStatusRoleAndText() {
    assertThat(walk("&status=ACTIVE", 50)).containsExactly(admin.email());
    assertThat(walk("&status=LOCKED_OUT", 50)).hasSize(10).allMatch(e -> e.matches("bulk2\\d@example.test"));
    assertThat(walk("&status=DEACTIVATED", 50)).hasSize(10);
    assertThat(walk("&role=ADMIN", 50)).containsExactly(admin.email());
    assertThat(walk("&q=BULK12", 50)).containsExactlyInAnyOrder(
        "bulk12@example.test", "bulk120@example.test", "bulk121@example.test", "bulk122@example.test", "bulk123@example.test",
        "bulk124@example.test", "bulk125@example.test", "bulk126@example.test", "bulk127@example.test", "bulk128@example.test",
        "bulk129@example.test");
    assertThat(walk("&q=first7", 50)).hasSize(11);
    assertThat(walk("&q=%25", 50)).isEmpty();
  }
}
