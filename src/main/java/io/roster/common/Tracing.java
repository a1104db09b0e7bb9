package io.roster.common;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP over HTTP, spans to
 * ENDPOINT/v1/traces; OTEL_SERVICE_NAME, default roster). Vert.x reports the spans: the HTTP
 * server, the event-bus hop to a command verticle, and the SQL statements it runs. A URL's query
 * string is removed from every span before export, since a page link's query carries a token.
 */
public final class Tracing {
  private Tracing() {}

  /** The SDK to give Vert.x's tracer, or null when tracing is off. */
  public static OpenTelemetrySdk fromEnvironment(Map<String, String> env) {
    String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      return null;
    }
    SpanExporter otlp = OtlpHttpSpanExporter.builder().setEndpoint(endpoint.replaceAll("/+$", "") + "/v1/traces").build();
    Resource service = Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), env.getOrDefault("OTEL_SERVICE_NAME", "roster"))));
    SdkTracerProvider traces = SdkTracerProvider.builder().setResource(service)
        .addSpanProcessor(BatchSpanProcessor.builder(new WithoutQueries(otlp)).setScheduleDelay(Duration.ofSeconds(1)).build())
        .build();
    return OpenTelemetrySdk.builder().setTracerProvider(traces)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
  }

  /** Drops the query string of URL-valued attributes (url.full, http.url, http.target, url.query). */
  static final class WithoutQueries implements SpanExporter {
    private static final List<String> URL_KEYS = List.of("url.full", "http.url", "http.target");
    private final SpanExporter next;

    WithoutQueries(SpanExporter next) {
      this.next = next;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return next.export(spans.stream().<SpanData>map(WithoutQueries::scrub).toList());
    }

    private static SpanData scrub(SpanData span) {
      AttributesBuilder clean = Attributes.builder();
      boolean changed = false;
      for (Map.Entry<AttributeKey<?>, Object> e : span.getAttributes().asMap().entrySet()) {
        String key = e.getKey().getKey();
        if (key.equals("url.query")) {
          changed = true;
          continue;
        }
        if (URL_KEYS.contains(key) && e.getValue() instanceof String url && url.indexOf('?') >= 0) {
          clean.put(key, url.substring(0, url.indexOf('?')));
          changed = true;
          continue;
        }
        @SuppressWarnings("unchecked")
        AttributeKey<Object> k = (AttributeKey<Object>) e.getKey();
        clean.put(k, e.getValue());
      }
      if (!changed) {
        return span;
      }
      Attributes attributes = clean.build();
      return new DelegatingSpanData(span) {
        @Override
        public Attributes getAttributes() {
          return attributes;
        }
      };
    }

    @Override
    public CompletableResultCode flush() {
      return next.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return next.shutdown();
    }
  }
}
