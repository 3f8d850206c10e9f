using Microsoft.Playwright;

namespace Jobs.Testing;

/// <summary>Debian's chromium (installed by tools/provision-browser.sh) driven by Playwright, headless and offline.</summary>
public static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = File.Exists(Executable) ? Executable : throw new InvalidOperationException("chromium is missing: run tools/provision-browser.sh"),
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>A screenshot of the page in the repository's .artifacts folder; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, ".artifacts"));
        var shot = Path.Combine(RepoPaths.Root, ".artifacts", name);
        await page.ScreenshotAsync(new() { Path = shot, FullPage = fullPage });
        return shot;
    }
}
