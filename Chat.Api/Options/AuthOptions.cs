using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>Token issuing and validation. Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HS256 key shared by every replica; at least 32 bytes of UTF-8. The AppHost generates one.</summary>
    [Required]
    public string SigningKey { get; set; } = "";

    [Required]
    public string Issuer { get; set; } = "chat";

    [Required]
    public string Audience { get; set; } = "chat";

    /// <summary>How long a guest token is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);
}
