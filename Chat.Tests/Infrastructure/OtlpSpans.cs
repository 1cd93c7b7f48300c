namespace Chat.Tests.Infrastructure;

/// <summary>One exported span: ids as lowercase hex, its name, and the service that sent it.</summary>
public sealed record ExportedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, string Service);

/// <summary>
/// Reads the spans out of OTLP/HTTP protobuf trace exports (<see cref="OtlpCollector"/>), with a
/// protobuf reader just big enough for the few fields tests look at:
/// <c>ExportTraceServiceRequest.resource_spans(1) → resource(1).attributes(1) and
/// scope_spans(2) → spans(2) → trace_id(1), span_id(2), parent_span_id(4), name(5)</c>.
/// </summary>
public static class OtlpSpans
{
    public static List<ExportedSpan> Read(OtlpCollector collector)
    {
        var spans = new List<ExportedSpan>();
        foreach (var (path, body) in collector.Exports)
        {
            if (!path.EndsWith("/traces", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (field, resourceSpans) in Fields(body))
            {
                if (field != 1)
                {
                    continue;
                }

                var service = "";
                foreach (var (f, value) in Fields(resourceSpans))
                {
                    if (f == 1)
                    {
                        service = ServiceName(value) ?? service;
                    }
                }

                foreach (var (f, scopeSpans) in Fields(resourceSpans))
                {
                    if (f != 2)
                    {
                        continue;
                    }

                    foreach (var (g, span) in Fields(scopeSpans))
                    {
                        if (g == 2)
                        {
                            spans.Add(Span(span, service));
                        }
                    }
                }
            }
        }

        return spans;
    }

    private static ExportedSpan Span(byte[] span, string service)
    {
        string trace = "", id = "", parent = "", name = "";
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower(value); break;
                case 2: id = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = System.Text.Encoding.UTF8.GetString(value); break;
            }
        }

        return new ExportedSpan(trace, id, parent, name, service);
    }

    /// <summary>The resource's <c>service.name</c>: attributes are KeyValue{key(1), value(2): AnyValue{string_value(1)}}.</summary>
    private static string? ServiceName(byte[] resource)
    {
        foreach (var (field, attribute) in Fields(resource))
        {
            if (field != 1)
            {
                continue;
            }

            string? key = null;
            string? text = null;
            foreach (var (f, value) in Fields(attribute))
            {
                if (f == 1)
                {
                    key = System.Text.Encoding.UTF8.GetString(value);
                }
                else if (f == 2)
                {
                    text = Fields(value).Where(v => v.Field == 1).Select(v => System.Text.Encoding.UTF8.GetString(v.Value)).FirstOrDefault();
                }
            }

            if (key == "service.name")
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>The length-delimited fields of a message (others are skipped), in order.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = (int)Varint(message, ref position);
            switch (tag & 7)
            {
                case 0: Varint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    fields.Add((tag >> 3, message[position..(position + length)]));
                    position += length;
                    break;
                default: throw new FormatException($"Unexpected protobuf wire type {tag & 7}.");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
