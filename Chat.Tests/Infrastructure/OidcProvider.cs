using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider for tests, offline: a loopback endpoint serving a discovery document
/// and a JWKS with one RSA key, and a method that signs tokens with it. The API finds the keys
/// through discovery exactly as it would at a real provider.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string Audience = "chat-api";

    private static readonly string[] s_code = ["code"];
    private static readonly string[] s_public = ["public"];
    private static readonly string[] s_rs256 = ["RS256"];

    private readonly HttpListener _listener = new();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly Task _serving;

    public OidcProvider()
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = "test-provider-key" };
        var port = FreePort();
        Issuer = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Issuer + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Issuer { get; }

    /// <summary>A token for the provider's user <paramref name="sub"/>, with any claim overridable.</summary>
    public string Token(
        string sub,
        string? name = null,
        string? preferredUsername = null,
        string? audience = null,
        string? issuer = null,
        DateTime? expires = null)
    {
        var claims = new List<Claim> { new("sub", sub) };
        if (name is not null)
        {
            claims.Add(new Claim("name", name));
        }

        if (preferredUsername is not null)
        {
            claims.Add(new Claim("preferred_username", preferredUsername));
        }

        var end = expires ?? DateTime.UtcNow.AddMinutes(30);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            IssuedAt = end.AddHours(-1),
            NotBefore = end.AddHours(-1),
            Expires = end,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
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

        _rsa.Dispose();
    }

    private async Task ServeAsync()
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
        var discovery = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/jwks",
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["response_types_supported"] = s_code,
            ["subject_types_supported"] = s_public,
            ["id_token_signing_alg_values_supported"] = s_rs256,
        });

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

            var body = context.Request.Url?.AbsolutePath switch
            {
                "/.well-known/openid-configuration" => discovery,
                "/jwks" => jwks,
                _ => null,
            };
            context.Response.StatusCode = body is null ? 404 : 200;
            context.Response.ContentType = "application/json";
            if (body is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
            }

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
