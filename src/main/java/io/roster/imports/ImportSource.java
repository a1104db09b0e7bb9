package io.roster.imports;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads import rows one at a time from CSV (header email,firstName,lastName,role[,groups];
 * groups separated by ';'; quotes, a UTF-8 BOM and CRLF accepted) or from a JSON array of
 * create bodies. Streaming: only the current row is held.
 */
abstract class ImportSource implements AutoCloseable {
  static final int MAX_ROWS = 100_000;
  private static final List<String> HEADER = List.of("email", "firstname", "lastname", "role");
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The next row, or null at the end. Throws ApiException for a body that is not of the format. */
  abstract ImportRow next() throws IOException;

  @Override
  public abstract void close() throws IOException;

  static ImportSource open(String format, String body) {
    String text = body.startsWith("\uFEFF") ? body.substring(1) : body;
    try {
      return "json".equals(format) ? new Json(text) : new Csv(text);
    } catch (IOException e) {
      throw notOfFormat(format, e);
    }
  }

  /** Reads the whole body once, only counting: a body that is not of its format, or too long, is refused before anything is written. */
  static int count(String format, String body) {
    int rows = 0;
    try (ImportSource source = open(format, body)) {
      while (source.next() != null) {
        if (++rows > MAX_ROWS) {
          throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "An import holds at most " + MAX_ROWS + " rows");
        }
      }
    } catch (IOException e) {
      throw notOfFormat(format, e);
    }
    return rows;
  }

  static ApiException notOfFormat(String format, Exception e) {
    String what = "json".equals(format) ? "a JSON array of users" : "CSV with the header email,firstName,lastName,role[,groups]";
    String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return ApiException.invalid("body", "must be " + what + " (" + why + ")");
  }

  private static final class Csv extends ImportSource {
    private final CsvParser parser;
    private final boolean withGroups;
    private int recordLine;

    Csv(String text) throws IOException {
      parser = (CsvParser) CSV.getFactory().createParser(new StringReader(text));
      List<String> header = nextRecord();
      List<String> names = header == null ? List.of() : header.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
      boolean plain = names.equals(HEADER);
      withGroups = names.size() == 5 && names.subList(0, 4).equals(HEADER) && names.get(4).equals("groups");
      if (!plain && !withGroups) {
        throw ApiException.invalid("body", "the CSV header must be email,firstName,lastName,role[,groups]");
      }
    }

    /** The values of the next record and, in recordLine, the physical line where it starts; null at the end. */
    private List<String> nextRecord() throws IOException {
      JsonToken t;
      while ((t = parser.nextToken()) != null) {
        if (t == JsonToken.START_ARRAY && parser.getParsingContext().getParent().inArray()) {
          List<String> values = new ArrayList<>();
          recordLine = -1;
          while ((t = parser.nextToken()) != null && t != JsonToken.END_ARRAY) {
            if (recordLine < 0) {
              recordLine = parser.currentTokenLocation().getLineNr();
            }
            values.add(parser.getText());
          }
          return values;
        }
      }
      return null;
    }

    @Override
    ImportRow next() throws IOException {
      List<String> values;
      while ((values = nextRecord()) != null) {
        if (values.stream().allMatch(v -> v == null || v.isBlank())) {
          continue; // an empty line is skipped, not reported
        }
        int expected = withGroups ? 5 : 4;
        JsonArray shape = new JsonArray();
        if (values.size() > expected) {
          shape.add(ApiException.fieldError("row", "has " + values.size() + " columns; the header has " + expected));
        }
        List<String> groups = withGroups && values.size() > 4 && values.get(4) != null && !values.get(4).isBlank()
            ? Arrays.asList(values.get(4).split(";")) : List.of();
        return ImportRow.of(recordLine, get(values, 0), get(values, 1), get(values, 2), get(values, 3), groups, shape);
      }
      return null;
    }

    private static String get(List<String> values, int i) {
      return i < values.size() ? values.get(i) : null;
    }

    @Override
    public void close() throws IOException {
      parser.close();
    }
  }

  private static final class Json extends ImportSource {
    private final JsonParser parser;
    private int index;

    Json(String text) throws IOException {
      parser = new JsonFactory(JSON).createParser(text);
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw ApiException.invalid("body", "must be a JSON array of users");
      }
    }

    @Override
    ImportRow next() throws IOException {
      JsonToken t = parser.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        if (t == JsonToken.END_ARRAY && parser.nextToken() != null) {
          throw ApiException.invalid("body", "has content after the array");
        }
        return null;
      }
      index++;
      JsonNode node = parser.readValueAsTree();
      if (!node.isObject()) {
        JsonArray shape = new JsonArray().add(ApiException.fieldError("row", "must be an object"));
        return new ImportRow(index, null, null, null, null, null, List.of(), shape);
      }
      JsonArray shape = new JsonArray();
      List<String> groups = new ArrayList<>();
      JsonNode g = node.get("groups");
      if (g != null && !g.isNull()) {
        if (g.isArray()) {
          g.forEach(v -> {
            if (v.isTextual()) {
              groups.add(v.asText());
            } else {
              shape.add(ApiException.fieldError("groups", "must be an array of strings"));
            }
          });
        } else {
          shape.add(ApiException.fieldError("groups", "must be an array of strings"));
        }
      }
      return ImportRow.of(index, text(node, "email", shape), text(node, "firstName", shape), text(node, "lastName", shape),
          text(node, "role", shape), groups, shape);
    }

    private static String text(JsonNode node, String field, JsonArray shape) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isTextual()) {
        shape.add(ApiException.fieldError(field, "must be a string"));
        return "";
      }
      return v.asText();
    }

    @Override
    public void close() throws IOException {
      parser.close();
    }
  }
}
