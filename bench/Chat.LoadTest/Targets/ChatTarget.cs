using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Chat.LoadTest.Targets;

/// <summary>Receives what a socket delivers; one per connection, called from its receive loop only.</summary>
public interface IDeliverySink
{
    /// <summary>Any frame arrived (the first is the join's history).</summary>
    void OnFrame();

    /// <summary>A chat message's content (UTF-8, as sent) arrived.</summary>
    void OnMessage(ReadOnlySpan<byte> content);

    /// <summary>The server acknowledged one of this socket's sends.</summary>
    void OnAck();

    /// <summary>The server refused a frame.</summary>
    void OnError();

    /// <summary>The server closed the socket before the run ended.</summary>
    void OnClosed(WebSocketCloseStatus? status);
}

/// <summary>One system under test: how to open a member's socket and speak its protocol.</summary>
public abstract class ChatTarget : IDisposable
{
    private readonly Dictionary<IPAddress, HttpMessageInvoker> _invokers = [];

    protected ChatTarget(Uri url) => Url = url;

    public Uri Url { get; }

    /// <summary>True when the server re-sends old messages (the seed): repeats are not duplicates.</summary>
    public virtual bool RepeatsHistory => false;

    /// <summary>True when sends are acknowledged; otherwise a written send counts as acked.</summary>
    public virtual bool Acknowledges => true;

    public static ChatTarget Create(string system, Uri url) => system switch
    {
        "chat" => new ChatV1Target(url, usernameInQuery: false),
        "inprocess" => new ChatV1Target(url, usernameInQuery: true),
        "seed" => new SeedTarget(url),
        "signalr" => new SignalRTarget(url),
        _ => throw new ArgumentException($"Unknown system '{system}': use chat, seed, signalr or inprocess."),
    };

    /// <summary>Signs a user in ahead of its connect, where the system has sign-ins; a no-op otherwise.</summary>
    public virtual Task SignInAsync(string user) => Task.CompletedTask;

    public abstract Task<ChatSocket> ConnectAsync(string room, string user, IPAddress source, CancellationToken cancellationToken);

    /// <summary>A WebSocket whose TCP connection starts from <paramref name="source"/> (more loopback ports).</summary>
    protected async Task<WebSocket> OpenWebSocketAsync(Uri uri, IPAddress source, CancellationToken cancellationToken)
    {
        HttpMessageInvoker invoker;
        lock (_invokers)
        {
            if (!_invokers.TryGetValue(source, out invoker!))
            {
                invoker = new HttpMessageInvoker(new SocketsHttpHandler
                {
                    ConnectCallback = async (context, token) =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            socket.Bind(new IPEndPoint(source, 0));
                            await socket.ConnectAsync(context.DnsEndPoint, token);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                    PooledConnectionLifetime = TimeSpan.Zero,
                });
                _invokers.Add(source, invoker);
            }
        }

        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await client.ConnectAsync(uri, invoker, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var invoker in _invokers.Values)
            {
                invoker.Dispose();
            }
        }
    }

    protected static Uri WebSocketUri(Uri http, string pathAndQuery)
    {
        var builder = new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws" };
        var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        builder.Path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        builder.Query = query < 0 ? "" : pathAndQuery[(query + 1)..];
        return builder.Uri;
    }
}
