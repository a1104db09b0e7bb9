package io.roster.common;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A refusal with an API error code. It crosses the event bus as a ReplyException whose failure
 * code is the enum ordinal and whose message is a JSON object (detail plus extra problem fields).
 */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject extra;
  /** Facts for the server's own use (never sent, never crossing the event bus). */
  private final JsonObject notes = new JsonObject();

  public ApiException(ErrorCode code, String detail) {
    this(code, detail, new JsonObject());
  }

  public ApiException(ErrorCode code, String detail, JsonObject extra) {
    super(detail, null, false, false);
    this.code = code;
    this.extra = extra;
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, field + ": " + message,
        new JsonObject().put("errors", new JsonArray().add(fieldError(field, message))));
  }

  public static JsonObject fieldError(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  public static ApiException notFound() {
    return new ApiException(ErrorCode.NOT_FOUND, "No such resource");
  }

  public ErrorCode code() { return code; }

  /** Attaches a fact for the server's own use: it is never part of the answer. */
  public ApiException note(String key, Object value) {
    notes.put(key, value);
    return this;
  }

  public JsonObject notes() { return notes; }

  public JsonObject extra() { return extra; }

  /** Fails an event-bus message with this refusal, or with an internal error for anything else. */
  public static void reply(Message<?> msg, Throwable err) {
    if (err instanceof ApiException e) {
      msg.fail(e.code.ordinal(), new JsonObject().put("detail", e.getMessage()).put("extra", e.extra).encode());
    } else {
      msg.fail(ErrorCode.INTERNAL.ordinal(), new JsonObject().put("detail", String.valueOf(err)).encode());
    }
  }

  /** The inverse of {@link #reply}: turns a failed request's exception back into an ApiException. */
  public static Throwable fromReply(Throwable err) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() >= 0 && re.failureCode() < ErrorCode.values().length) {
      ErrorCode code = ErrorCode.values()[re.failureCode()];
      if (code == ErrorCode.INTERNAL) {
        return new IllegalStateException(re.getMessage());
      }
      JsonObject body = new JsonObject(re.getMessage());
      return new ApiException(code, body.getString("detail"), body.getJsonObject("extra", new JsonObject()));
    }
    if (err instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return new ApiException(ErrorCode.OVERLOADED, "The server is busy; try again",
          new JsonObject().put("retryAfter", 1));
    }
    return err;
  }
}
