namespace Chat.LoadTest.Targets;

/// <summary>
/// A sink that also wants every frame's bytes, whatever its type: the join-storm mode reads the
/// presence frames (<c>presence</c>, <c>join</c>, <c>leave</c>) that the targets' parsers skip.
/// </summary>
public interface IFrameSink
{
    /// <summary>One whole WebSocket message, valid only during the call.</summary>
    void OnFrameBytes(ReadOnlySpan<byte> frame);
}
