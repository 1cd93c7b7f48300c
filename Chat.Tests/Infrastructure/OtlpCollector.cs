using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/HTTP endpoint on loopback: it accepts every export (traces, logs, metrics),
/// keeps the raw protobuf bodies and answers 200. Tests search the bytes for what must, or must
/// not, have been exported; no protobuf parsing is needed for that.
/// </summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();
    private readonly Task _serving;

    public OtlpCollector()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public IReadOnlyCollection<(string Path, byte[] Body)> Exports => _exports;

    /// <summary>
    /// Whether any export body contains <paramref name="text"/> (UTF-8); with
    /// <paramref name="signal"/> (<c>traces</c>, <c>logs</c>, <c>metrics</c>) only that signal's.
    /// </summary>
    public bool Contains(string text, string? signal = null)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return _exports.Any(e => (signal is null || e.Path.EndsWith("/" + signal, StringComparison.Ordinal))
            && e.Body.AsSpan().IndexOf(needle) >= 0);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TestTimeouts.Default);
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending accept.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _exports.Enqueue((context.Request.Url?.AbsolutePath ?? "", body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
