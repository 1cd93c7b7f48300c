using System.Diagnostics;
using System.Text.Json;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A project's container image settings as the SDK computes them for <c>dotnet publish
/// /t:PublishContainer</c> (what azd runs), read with <c>dotnet msbuild -getProperty</c> after the
/// SDK's <c>ComputeContainerConfig</c> target. No image is built: the base image registry is out of
/// reach here. The msbuild process is this class's own, and is killed if it overruns.
/// </summary>
internal sealed record EvaluatedContainer(
    string Repository, string User, string BaseImage, string Family, IReadOnlyList<(string Port, string Type)> Ports)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    public static async Task<EvaluatedContainer> ReadAsync(string project)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // linux-x64 as azd passes it; no node reuse, so no MSBuild server outlives the test.
        foreach (var arg in new[]
        {
            "msbuild", project, "-nologo", "-nodeReuse:false", "-t:ComputeContainerConfig", "-p:RuntimeIdentifier=linux-x64",
            "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage",
            "-getProperty:ContainerFamily", "-getItem:ContainerPort",
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet msbuild did not start.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(s_timeout);
            Assert.True(process.ExitCode == 0, $"dotnet msbuild exited {process.ExitCode}: {await output}{await error}");
            return Parse(await output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static EvaluatedContainer Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var properties = root.GetProperty("Properties");
        var ports = root.GetProperty("Items").GetProperty("ContainerPort").EnumerateArray()
            .Select(p => (p.GetProperty("Identity").GetString()!, p.GetProperty("Type").GetString()!))
            .ToList();
        return new EvaluatedContainer(
            properties.GetProperty("ContainerRepository").GetString()!,
            properties.GetProperty("ContainerUser").GetString()!,
            properties.GetProperty("ContainerBaseImage").GetString()!,
            properties.GetProperty("ContainerFamily").GetString()!,
            ports);
    }
}
