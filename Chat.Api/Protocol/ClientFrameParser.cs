using System.Text.Json;

namespace Chat.Api.Protocol;

/// <summary>
/// Parses one client frame with <see cref="Utf8JsonReader"/>: no DOM, and duplicate property
/// names are caught (a JSON document with two <c>content</c> fields is ambiguous, so it is refused).
/// A frame without <c>type</c> but with <c>content</c> is the seed's <c>{username, content}</c>
/// shape and counts as a message; its <c>username</c> is ignored, the token decides.
/// </summary>
public static class ClientFrameParser
{
    private const int MaxEchoedTypeLength = 32;

    private static readonly JsonReaderOptions s_readerOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 32,
    };

    [Flags]
    private enum Seen
    {
        None = 0,
        Type = 1,
        Content = 2,
        ClientId = 4,
        Username = 8,
        AccessToken = 16,
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, int maxContentLength, out ClientFrame frame, out FrameError error)
    {
        frame = default;
        string? type = null;
        string? content = null;
        string? clientId = null;
        string? accessToken = null;
        string? fieldError = null;
        var typeIsKnownString = false;

        try
        {
            var reader = new Utf8JsonReader(utf8, isFinalBlock: true, new JsonReaderState(s_readerOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new FrameError(ErrorCodes.InvalidJson, "A frame must be one JSON object.", null);
                return false;
            }

            var seen = Seen.None;
            HashSet<string>? otherNames = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Seen property;
                try
                {
                    property = Classify(ref reader);
                }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate (\ud800) is valid JSON but cannot be compared as text.
                    error = new FrameError(ErrorCodes.InvalidJson, "A property name contains an unpaired surrogate.", null);
                    return false;
                }

                if (property == Seen.None)
                {
                    otherNames ??= new HashSet<string>(StringComparer.Ordinal);
                    if (ReadText(ref reader, "a property name", ref fieldError) is not { } name)
                    {
                        // ValueTextEquals can tell a name is none of ours without unescaping it.
                        error = new FrameError(ErrorCodes.InvalidJson, "A property name contains an unpaired surrogate.", null);
                        return false;
                    }

                    if (!otherNames.Add(name))
                    {
                        error = new FrameError(ErrorCodes.InvalidJson, "Duplicate property name.", null);
                        return false;
                    }
                }
                else if ((seen & property) != 0)
                {
                    error = new FrameError(ErrorCodes.InvalidJson, "Duplicate property name.", null);
                    return false;
                }

                seen |= property;
                reader.Read();
                switch (property)
                {
                    case Seen.Type:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            type = ReadText(ref reader, "type", ref fieldError);
                            typeIsKnownString = type is not null;
                        }
                        else
                        {
                            fieldError ??= "type must be a string.";
                            // An object or array must be stepped over whole, or its inner names would be read as ours.
                            reader.Skip();
                        }

                        break;
                    case Seen.Content:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            content = ReadText(ref reader, "content", ref fieldError);
                        }
                        else
                        {
                            fieldError ??= "content must be a string.";
                            reader.Skip();
                        }

                        break;
                    case Seen.ClientId:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            clientId = ReadText(ref reader, "client_id", ref fieldError);
                        }
                        else if (reader.TokenType != JsonTokenType.Null)
                        {
                            fieldError ??= "client_id must be a string.";
                            reader.Skip();
                        }

                        break;
                    case Seen.AccessToken:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            accessToken = ReadText(ref reader, "access_token", ref fieldError);
                        }
                        else
                        {
                            fieldError ??= "access_token must be a string.";
                            reader.Skip();
                        }

                        break;
                    default:
                        // Unknown fields (and the seed's username) are skipped so that clients
                        // newer than this server keep working.
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = new FrameError(ErrorCodes.InvalidJson, "A frame must be one JSON object.", null);
                return false;
            }
        }
        catch (JsonException)
        {
            error = new FrameError(ErrorCodes.InvalidJson, "The frame is not valid JSON.", null);
            return false;
        }

        // Echo the client id only when it is valid: an invalid one may not even be encodable.
        if (clientId is not null && ContentRules.ValidateClientId(clientId) is { } clientIdError)
        {
            fieldError ??= clientIdError;
            clientId = null;
        }

        if (fieldError is not null)
        {
            error = new FrameError(ErrorCodes.Validation, fieldError, clientId);
            return false;
        }

        var kind = ClientFrameKind.Message;
        if (typeIsKnownString)
        {
            switch (type)
            {
                case "message":
                    break;
                case "ping":
                    frame = new ClientFrame(ClientFrameKind.Ping, null, null);
                    error = default;
                    return true;
                case "typing":
                    frame = new ClientFrame(ClientFrameKind.Typing, null, null);
                    error = default;
                    return true;
                case "auth":
                    if (string.IsNullOrEmpty(accessToken))
                    {
                        error = new FrameError(ErrorCodes.Validation, "access_token is required.", null);
                        return false;
                    }

                    frame = new ClientFrame(ClientFrameKind.Auth, null, null, accessToken);
                    error = default;
                    return true;
                default:
                    var shown = type!.Length > MaxEchoedTypeLength ? type[..MaxEchoedTypeLength] + "…" : type;
                    error = new FrameError(ErrorCodes.UnknownType, $"Unknown frame type '{shown}'.", clientId);
                    return false;
            }
        }
        else if (content is null)
        {
            error = new FrameError(ErrorCodes.Validation, "type is required.", clientId);
            return false;
        }

        if (content is null)
        {
            error = new FrameError(ErrorCodes.Validation, "content is required.", clientId);
            return false;
        }

        if (ContentRules.ValidateContent(content, maxContentLength) is { } contentError)
        {
            error = new FrameError(ErrorCodes.Validation, contentError, clientId);
            return false;
        }

        frame = new ClientFrame(kind, content, clientId);
        error = default;
        return true;
    }

    private static Seen Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("type"u8))
        {
            return Seen.Type;
        }

        if (reader.ValueTextEquals("content"u8))
        {
            return Seen.Content;
        }

        if (reader.ValueTextEquals("client_id"u8))
        {
            return Seen.ClientId;
        }

        if (reader.ValueTextEquals("access_token"u8))
        {
            return Seen.AccessToken;
        }

        return reader.ValueTextEquals("username"u8) ? Seen.Username : Seen.None;
    }

    private static string? ReadText(ref Utf8JsonReader reader, string field, ref string? fieldError)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is valid JSON but not valid text.
            fieldError ??= $"{field} contains an unpaired surrogate.";
            return null;
        }
    }
}
