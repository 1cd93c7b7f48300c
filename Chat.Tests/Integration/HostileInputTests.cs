using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md's hostile-input table, case by case against the running AppHost: each input
/// with the answer it must get (an error code, a close code or an HTTP status). Afterwards nothing
/// from a refused input is in Redis, and a well-behaved member of another room was never disturbed.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class HostileInputTests(ChatAppFixture app)
{
    private const string Allowed = "http://localhost:5170";

    /// <summary>Every refused input carries this, so Redis can be searched for leftovers.</summary>
    private const string Marker = "REFUSED-INPUT";

    private static readonly string s_deep = "{\"type\":\"message\",\"content\":\"x\",\"deep\":" + new string('[', 40) + new string(']', 40) + "}";

    [Fact]
    public async Task Every_hostile_input_gets_its_documented_answer_and_leaves_nothing_behind()
    {
        var room = TestRooms.New("hostile");
        var quiet = TestRooms.New("bystanders");
        var token = await app.GetTokenAsync("hostile");
        var (subject, session, name) = TestTokens.Claims(token);
        var other = await app.GetTokenAsync("hostile-other");
        var owner = await app.GetTokenAsync("hostile-owner");
        var privateRoom = TestRooms.New("secret");
        await CreatePrivateRoomAsync(owner, privateRoom);

        // A well-behaved pair in another room, talking throughout.
        await using var watcher = await app.ConnectAsync(quiet, "steady-reader");
        await using var talker = await app.ConnectAsync(quiet, "steady-writer");
        await watcher.ReceiveHistoryAsync();
        await talker.ReceiveHistoryAsync();
        var talked = new List<string>();

        // Handshakes the server must refuse, on rooms used nowhere else: they must leave no key.
        var refusedRooms = new List<string>();
        string Refused()
        {
            var r = TestRooms.New("refused");
            refusedRooms.Add(r);
            return r;
        }

        var loggedOut = await app.SignInAsync("hostile-gone-" + Guid.NewGuid().ToString("N")[..6]);
        await LogoutAsync((string)loggedOut["access_token"]!);

        var cases = new List<(string Input, Func<Task<string>> Run, string Expected)>
        {
            // Frames: malformed JSON, and valid JSON that is not an object.
            ("malformed JSON", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker), "error:invalid_json"),
            ("a JSON array", Frame(room, token, "[\"" + Marker + "\"]"), "error:invalid_json"),
            ("a JSON string", Frame(room, token, "\"" + Marker + "\""), "error:invalid_json"),
            ("a JSON number", Frame(room, token, "42"), "error:invalid_json"),
            ("JSON null", Frame(room, token, "null"), "error:invalid_json"),
            ("two JSON values", Frame(room, token, "{\"type\":\"ping\"} {\"content\":\"" + Marker + "\"}"), "error:invalid_json"),
            // Missing fields and wrong types.
            ("an empty object", Frame(room, token, "{}"), "error:validation"),
            ("a message without content", Frame(room, token, "{\"type\":\"message\"}"), "error:validation"),
            ("empty content", Frame(room, token, "{\"type\":\"message\",\"content\":\"\"}"), "error:validation"),
            ("white-space content", Frame(room, token, "{\"type\":\"message\",\"content\":\"  \\n\\t \"}"), "error:validation"),
            ("content as an object", Frame(room, token, "{\"type\":\"message\",\"content\":{\"a\":\"" + Marker + "\"}}"), "error:validation"),
            ("content as an array", Frame(room, token, "{\"type\":\"message\",\"content\":[\"" + Marker + "\"]}"), "error:validation"),
            ("content as a number", Frame(room, token, "{\"type\":\"message\",\"content\":42}"), "error:validation"),
            ("type as a number", Frame(room, token, "{\"type\":42,\"content\":\"" + Marker + "\"}"), "error:validation"),
            ("client_id as a number", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\",\"client_id\":42}"), "error:validation"),
            ("an empty client_id", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\",\"client_id\":\"\"}"), "error:validation"),
            ("a client_id of 65 characters", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\",\"client_id\":\"" + new string('k', 65) + "\"}"), "error:validation"),
            // Unknown types, nesting past the parser's depth, duplicate keys.
            ("an unknown type", Frame(room, token, "{\"type\":\"shout\",\"content\":\"" + Marker + "\"}"), "error:unknown_type"),
            ("nesting 40 deep", Frame(room, token, s_deep.Replace("\"x\"", "\"" + Marker + "\"", StringComparison.Ordinal)), "error:invalid_json"),
            ("duplicate content keys", Frame(room, token, "{\"type\":\"message\",\"content\":\"ok\",\"content\":\"" + Marker + "\"}"), "error:invalid_json"),
            ("duplicate unknown keys", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\",\"x\":1,\"x\":2}"), "error:invalid_json"),
            // Lone surrogates in values and in property names.
            ("a lone surrogate in content", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\\ud800\"}"), "error:validation"),
            ("a lone surrogate in a property name", Frame(room, token, "{\"type\":\"ping\",\"\\ud800\":1}"), "error:invalid_json"),
            ("a lone surrogate in client_id", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\",\"client_id\":\"\\udc00\"}"), "error:validation"),
            ("a lone surrogate in type", Frame(room, token, "{\"type\":\"\\ud800\",\"content\":\"" + Marker + "\"}"), "error:validation"),
            // Input policy: controls, bidirectional overrides, invisible-only content.
            ("a C0 control in content", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\\u0000\"}"), "error:validation"),
            ("a C1 control in content", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\\u0085\"}"), "error:validation"),
            ("a bidirectional override in content", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + "\\u202Egnp.exe\"}"), "error:validation"),
            ("zero-width-only content", Frame(room, token, "{\"type\":\"message\",\"content\":\"\\u200B\\u200D\\uFEFF\"}"), "error:validation"),
            // Sizes, encodings and frame kinds.
            ("content over 4,000 characters", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + new string('x', 4000) + "\"}"), "error:validation"),
            ("a frame over 16 KiB, whole", Frame(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + new string('x', 17_000) + "\"}"), "close:MessageTooBig"),
            ("a frame over 16 KiB in 100-byte continuations", Fragmented(room, token, "{\"type\":\"message\",\"content\":\"" + Marker + new string('x', 17_000) + "\"}"), "close:MessageTooBig"),
            ("invalid UTF-8", Bytes(room, token, [.. "{\"type\":\"message\",\"content\":\""u8, 0xC3, 0x28, .. "\"}"u8], WebSocketMessageType.Text), "close:InvalidPayloadData"),
            ("a binary frame", Bytes(room, token, Encoding.UTF8.GetBytes("{\"type\":\"message\",\"content\":\"" + Marker + "\"}"), WebSocketMessageType.Binary), "close:InvalidMessageType"),
            // Renewal with something that is not this user's token.
            ("an auth frame without a token", Frame(room, token, "{\"type\":\"auth\"}"), "error:validation"),
            ("an auth frame with garbage", Frame(room, token, "{\"type\":\"auth\",\"access_token\":\"garbage\"}", thenClose: true), "error:invalid_token,close:PolicyViolation"),
            // Tokens at the handshake.
            ("no token", Handshake(Refused(), null), "http:401"),
            ("a forged signature", Handshake(Refused(), token[..^6] + (token[^6..] == "AAAAAA" ? "BBBBBB" : "AAAAAA")), "http:401"),
            ("a token signed with another key", Handshake(Refused(), TestTokens.Guest(subject, name, session, key: "another-key-of-enough-length-0123456789abcdef")), "http:401"),
            ("an expired token", Handshake(Refused(), TestTokens.Guest(subject, name, session, expires: DateTime.UtcNow.AddMinutes(-5))), "http:401"),
            ("alg:none", Handshake(Refused(), TestTokens.WithoutSignature(subject, name, session)), "http:401"),
            ("a wrong issuer", Handshake(Refused(), TestTokens.Guest(subject, name, session, issuer: "evil")), "http:401"),
            ("a wrong audience", Handshake(Refused(), TestTokens.Guest(subject, name, session, audience: "evil")), "http:401"),
            ("a token for another session", Handshake(Refused(), TestTokens.Guest(subject, name, "forgedsession")), "http:401"),
            ("a revoked (signed-out) token", Handshake(Refused(), (string)loggedOut["access_token"]!), "http:401"),
            ("different header and query tokens", Handshake(Refused(), token, queryToken: other), "http:401"),
            ("a token that is not a JWT", Handshake(Refused(), "not-a-jwt"), "http:401"),
            // Request shape and membership.
            ("a bad room id", Handshake("-bad", token), "http:400"),
            ("a bad since", Handshake(Refused(), token, since: "yesterday"), "http:400"),
            ("a private room as a non-member", Handshake(privateRoom, token), "http:403"),
            ("a private room's history as a non-member", History(privateRoom, token), "http:403"),
            ("history with limit=abc", History(room, token, "?limit=abc"), "http:400"),
            // Evil Origins, refused before the token is looked at.
            ("Origin https://evil.example", Handshake(Refused(), token, origin: "https://evil.example"), "http:403"),
            ("the allowed Origin with a suffix", Handshake(Refused(), token, origin: Allowed + ".evil.example"), "http:403"),
            ("Origin null", Handshake(Refused(), token, origin: "null"), "http:403"),
            ("the allowed host on another port", Handshake(Refused(), token, origin: "http://localhost:5171"), "http:403"),
            ("an evil Origin without a token", Handshake(Refused(), null, origin: "https://evil.example"), "http:403"),
            ("an evil Origin signing in", SignIn("{\"username\":\"evil-origin\"}", "https://evil.example"), "http:403"),
            // Sign-in bodies.
            ("a guest name with markup", SignIn("{\"username\":\"<script>\"}"), "http:400"),
            ("a guest name with a bidirectional override", SignIn("{\"username\":\"abc\\u202Edef\"}"), "http:400"),
            ("a sign-in body that is not JSON", SignIn("{\"username\":"), "http:400"),
            ("a sign-in body with a duplicate key", SignIn("{\"username\":\"dup-a\",\"username\":\"dup-b\"}"), "http:400"),
            ("a guest name of only dots", SignIn("{\"username\":\"..\"}"), "http:400"),
        };

        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (input, run, expected) = cases[i];
            string actual;
            try
            {
                actual = await run();
            }
            catch (Exception ex)
            {
                actual = "exception:" + ex.GetType().Name + ": " + ex.Message;
            }

            if (actual != expected)
            {
                mismatches.Add($"{input}: expected {expected}, got {actual}");
            }

            if (i % 5 == 0)
            {
                talked.Add(await talker.SendMessageAsync($"steady {i}"));
            }
        }

        Assert.True(cases.Count >= 40, $"the table has {cases.Count} cases");
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));

        // Nothing refused was stored, and refused handshakes created no room.
        var db = app.Redis.GetDatabase();
        var stored = await db.StreamRangeAsync(new Chat.Api.Storage.RoomKeys(room).Messages);
        Assert.DoesNotContain(stored, e => ((string?)e["c"] ?? "").Contains(Marker, StringComparison.Ordinal));
        Assert.Empty(stored);
        var server = app.Redis.GetServers()[0];
        foreach (var refused in refusedRooms)
        {
            Assert.Empty(server.Keys(pattern: $"chat:{{{refused}}}*").ToList());
        }

        // The bystanders saw every message, in order, and were never closed.
        var seen = new List<string>();
        while (seen.Count < talked.Count)
        {
            var frame = await watcher.ReceiveUntilAsync(f => ChatClient.Type(f) == "message", awaited: "the steady talker's messages");
            seen.Add((string)frame["message"]!["id"]!);
        }

        Assert.Equal(talked, seen);
        Assert.Equal(WebSocketState.Open, watcher.Socket.State);
        Assert.Equal(WebSocketState.Open, talker.Socket.State);
    }

    [Fact]
    public async Task A_spoofed_username_field_is_ignored_and_the_token_decides()
    {
        var room = TestRooms.New("spoof");
        await using var client = await app.ConnectAsync(room, "honest");
        await client.ReceiveHistoryAsync();

        await client.SendTextAsync("{\"type\":\"message\",\"username\":\"mallory\",\"content\":\"who am i\",\"client_id\":\"spoof\"}");
        var echoed = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "message");

        Assert.Equal("honest", (string?)echoed["message"]!["username"]);
        var stored = await app.Redis.GetDatabase().StreamRangeAsync(new Chat.Api.Storage.RoomKeys(room).Messages);
        Assert.Equal("honest", (string?)Assert.Single(stored)["u"]);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=\"alert('x')\">")]
    [InlineData("\"><svg/onload=alert(1)>&amp;&lt;")]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("{{constructor.constructor('alert(1)')()}}")]
    public async Task An_xss_payload_comes_back_byte_for_byte(string payload)
    {
        var room = TestRooms.New("xss");
        await using var client = await app.ConnectAsync(room, "xss-sender");
        await client.ReceiveHistoryAsync();

        // The live frame may come before or after the ack; wait for it, not the ack.
        await client.SendAsync(new { type = "message", content = payload, client_id = "xss" });
        var live = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "message");
        await using var later = await app.ConnectAsync(room, "xss-reader");
        var history = await later.ReceiveHistoryAsync();

        Assert.Equal(payload, (string?)live["message"]!["content"]);
        Assert.Equal(payload, (string?)history["messages"]![0]!["content"]);
        Assert.Equal(payload, (string?)(await app.Redis.GetDatabase().StreamRangeAsync(new Chat.Api.Storage.RoomKeys(room).Messages))[0]["c"]);
    }

    private Func<Task<string>> Frame(string room, string token, string text, bool thenClose = false) =>
        () => SendAndObserveAsync(room, token, client => client.SendTextAsync(text), thenClose);

    private Func<Task<string>> Bytes(string room, string token, byte[] bytes, WebSocketMessageType type) =>
        () => SendAndObserveAsync(room, token, client => client.SendBytesAsync(bytes, type), thenClose: false);

    private Func<Task<string>> Fragmented(string room, string token, string text) =>
        () => SendAndObserveAsync(room, token, async client =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var offset = 0; offset < bytes.Length && client.Socket.State == WebSocketState.Open; offset += 100)
            {
                var end = Math.Min(offset + 100, bytes.Length);
                try
                {
                    await client.SendBytesAsync(bytes[offset..end], WebSocketMessageType.Text, endOfMessage: end == bytes.Length);
                }
                catch (WebSocketException)
                {
                    // The server closed mid-message, as it should once past the limit.
                    return;
                }
            }
        }, thenClose: false);

    private async Task<string> SendAndObserveAsync(string room, string token, Func<ChatClient, Task> send, bool thenClose)
    {
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, room, token);
        await client.ReceiveHistoryAsync();
        await send(client);
        var answers = new List<string>();
        while (await client.ReceiveAsync() is { } frame)
        {
            var type = ChatClient.Type(frame);
            if (type is "error" or "ack")
            {
                answers.Add(type == "error" ? "error:" + (string?)frame["code"] : "ack");
                if (!thenClose)
                {
                    return string.Join(",", answers);
                }
            }
        }

        answers.Add("close:" + client.Socket.CloseStatus);
        return string.Join(",", answers);
    }

    private Func<Task<string>> Handshake(string room, string? headerToken, string? queryToken = null, string? since = null, string? origin = null) =>
        async () =>
        {
            var uri = ChatClient.SocketUri(app.ApiUri, room, since, queryToken);
            try
            {
                return "http:" + (int)await ChatClient.HandshakeStatusAsync(uri, headerToken, origin);
            }
            catch (InvalidOperationException)
            {
                return "accepted";
            }
        };

    private Func<Task<string>> History(string room, string token, string query = "") =>
        async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/messages{query}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await app.Http.SendAsync(request);
            return "http:" + (int)response.StatusCode;
        };

    private Func<Task<string>> SignIn(string body, string? origin = null) =>
        async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            using var response = await app.Http.SendAsync(request);
            return "http:" + (int)response.StatusCode;
        };

    private async Task CreatePrivateRoomAsync(string ownerToken, string room)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rooms")
        {
            Content = new StringContent($"{{\"room_id\":\"{room}\",\"private\":true}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ownerToken);
        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task LogoutAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
