namespace Chat.Tests.Infrastructure;

/// <summary>Every test uses rooms of its own, so tests sharing one app never see each other's messages.</summary>
internal static class TestRooms
{
    public static string New(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];
}
