namespace Chat.Api.Storage;

/// <summary>The id a send was stored under, and whether this call stored it or an earlier one did.</summary>
public readonly record struct AppendResult(string Id, bool Duplicate);
