package io.roster.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outbox: mails survive an SMTP outage and go out once, whatever the number of replicas. */
class MailOutboxTest {

  @Test
  void aMailQueuedWhileSmtpIsDownIsDeliveredWhenItComesBack() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (TestServer server = TestServer.start(Map.of("SMTP_PORT", port))) {
      Journeys.Org org = new Journeys(server).newOrg("Outage Inc");
      String email = org.rootEmail();
      long deadline = System.currentTimeMillis() + 10_000;
      while (server.count("SELECT count(*) FROM mail_outbox WHERE recipient = ? AND attempts > 0 AND last_error IS NOT NULL", email) == 0) {
        assertThat(System.currentTimeMillis()).as("the send was tried and failed").isLessThan(deadline);
        TestServer.sleep(100);
      }
      assertThat(server.count("SELECT count(*) FROM mail_outbox WHERE recipient = ? AND sent_at IS NULL", email)).isEqualTo(1);

      GreenMail late = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      late.start();
      try {
        assertThat(late.waitForIncomingEmail(20_000, 1)).as("delivered after SMTP came back").isTrue();
        assertThat(late.getReceivedMessages()[0].getSubject()).containsIgnoringCase("invitation");
        deadline = System.currentTimeMillis() + 5_000;
        while (server.count("SELECT count(*) FROM mail_outbox WHERE recipient = ? AND sent_at IS NOT NULL", email) == 0) {
          assertThat(System.currentTimeMillis()).isLessThan(deadline);
          TestServer.sleep(50);
        }
        assertThat(server.count("SELECT count(*) FROM mail_outbox WHERE recipient = ? AND text_body IS NULL", email))
            .as("a delivered mail's link is not kept").isEqualTo(1);
        assertThat(late.getReceivedMessages()).hasSize(1);
      } finally {
        late.stop();
      }
    }
  }

  @Test
  void twoReplicasSendEachMailOnce() {
    try (TestServer a = TestServer.start(); TestServer b = a.replica(Map.of())) {
      Person admin = new Journeys(a).newOrgWithRootAdmin("Twice Shy");
      List<String> emails = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String email = Journeys.uniqueEmail("once" + i);
        emails.add(email);
        new Journeys(i % 2 == 0 ? a : b).create(admin, email, "USER");
      }
      for (String email : emails) {
        a.awaitMail(email, "invitation");
      }
      TestServer.sleep(1000);
      for (String email : emails) {
        assertThat(a.mailCount(email)).as(email).isEqualTo(1);
      }
      assertThat(a.count("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")).isZero();
    }
  }
}
