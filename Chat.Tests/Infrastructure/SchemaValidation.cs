using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Validates a document against one of the schemas in <c>Chat.Tests/Schemas/</c> (copied into the
/// test output) with JsonSchema.Net, and describes every failure by location and message.
/// </summary>
internal static class SchemaValidation
{
    public static IReadOnlyList<string> Errors(string schemaFile, JsonElement document)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", schemaFile));
        // A registry per schema, so two schemas never share (or collide in) the global one.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // azd's schema points at its AI extensions' schemas by URL. Nothing is fetched here (the tests
        // run offline); each stands in as the `false` schema, so a document that would need one fails
        // rather than passing unchecked.
        foreach (var remote in RemoteReferences(JsonNode.Parse(text)))
        {
            options.SchemaRegistry.Register(remote, JsonSchema.FromText("false", options, remote));
        }

        var schema = JsonSchema.FromText(text, options);
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<string>();
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                errors.Add($"{detail.InstanceLocation} ({detail.EvaluationPath}, {keyword}): {message}");
            }
        }

        return errors.Count > 0 ? errors : ["invalid, with no detail"];
    }

    private static HashSet<Uri> RemoteReferences(JsonNode? node)
    {
        var found = new HashSet<Uri>();
        Collect(node, found);
        return found;

        static void Collect(JsonNode? node, HashSet<Uri> found)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "$ref" && value is JsonValue reference && reference.TryGetValue<string>(out var target)
                            && Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                        {
                            found.Add(new Uri(uri.GetLeftPart(UriPartial.Query)));
                        }
                        else
                        {
                            Collect(value, found);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Collect(item, found);
                    }

                    break;
            }
        }
    }
}
