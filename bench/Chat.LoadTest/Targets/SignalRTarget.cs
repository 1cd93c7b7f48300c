using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.LoadTest.Targets;

/// <summary>
/// A SignalR hub over its JSON hub protocol, spoken directly on a WebSocket (negotiation skipped):
/// records end with 0x1E; <c>Send</c>'s completion is the ack; <c>message</c> invocations are deliveries.
/// </summary>
public sealed class SignalRTarget(Uri url) : ChatTarget(url)
{
    private const byte RecordSeparator = 0x1E;

    public override async Task<ChatSocket> ConnectAsync(string room, string user, IPAddress source, CancellationToken cancellationToken)
    {
        var socket = await OpenWebSocketAsync(WebSocketUri(Url, $"/hub?username={Uri.EscapeDataString(user)}"), source, cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, cancellationToken);
        await ReceiveRecordAsync(socket, cancellationToken); // the handshake answer, {}
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":1,"invocationId":"join","target":"Join","arguments":["{{room}}"]}""" + "\u001e"),
            WebSocketMessageType.Text, true, cancellationToken);
        return new SignalRSocket(socket, room);
    }

    private static async Task ReceiveRecordAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
        }
        while (!result.EndOfMessage);
    }

    private sealed class SignalRSocket(WebSocket socket, string room) : ChatSocket(socket)
    {
        private long _invocation;

        public override ValueTask SendAsync(string content, string clientId, CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref _invocation);
            var record = Encoding.UTF8.GetBytes(
                $$"""{"type":1,"invocationId":"{{id}}","target":"Send","arguments":["{{room}}","{{content}}","{{clientId}}"]}""" + "\u001e");
            return Socket.SendAsync(record.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        protected override void OnFrame(ReadOnlySpan<byte> frame, IDeliverySink sink)
        {
            while (!frame.IsEmpty)
            {
                var end = frame.IndexOf(RecordSeparator);
                var record = end < 0 ? frame : frame[..end];
                frame = end < 0 ? default : frame[(end + 1)..];
                OnRecord(record, sink);
            }
        }

        private static void OnRecord(ReadOnlySpan<byte> record, IDeliverySink sink)
        {
            var reader = new Utf8JsonReader(record);
            var depth = 0;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        break;
                    case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("type"u8):
                        reader.Read();
                        var type = reader.GetInt32();
                        if (type == 3)
                        {
                            // Completion: the join's or a send's. Joins carry the id "join".
                            if (!record.StartsWith("{\"type\":3,\"invocationId\":\"join\""u8) && record.IndexOf("\"invocationId\":\"join\""u8) < 0)
                            {
                                if (record.IndexOf("\"error\""u8) >= 0)
                                {
                                    sink.OnError();
                                }
                                else
                                {
                                    sink.OnAck();
                                }
                            }

                            return;
                        }

                        if (type != 1)
                        {
                            return; // ping, close
                        }

                        break;
                    case JsonTokenType.PropertyName when depth == 2 && reader.ValueTextEquals("content"u8):
                        reader.Read();
                        sink.OnMessage(reader.ValueSpan);
                        return;
                }
            }
        }
    }
}
