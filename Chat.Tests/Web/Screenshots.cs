using Microsoft.Playwright;

namespace Chat.Tests.Web;

/// <summary>Screenshots of the main states, kept as test artifacts (CI keeps <c>artifacts/</c>).</summary>
internal static class Screenshots
{
    /// <summary>artifacts/screenshots under the repository root (found by Chat.sln), created when missing.</summary>
    public static string Directory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Chat.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? AppContext.BaseDirectory;
        return System.IO.Directory.CreateDirectory(Path.Combine(root, "artifacts", "screenshots")).FullName;
    }

    public static Task SaveAsync(this IPage page, WebAppFixture app, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.ScreenshotDirectory, name + ".png"), FullPage = false });
}
