using EcgStream.Daemon.Configuration;
using Microsoft.Playwright;

namespace EcgStream.Daemon.Tests;

/// <summary>A fact that needs Debian's chromium at /usr/bin/chromium; skipped with a message without it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} not installed (apt-get install chromium; tools/setup.sh does)";
    }
}

public class LiveViewTests
{
    [ChromiumFact]
    public async Task The_live_view_renders_strips_and_events_in_headless_chromium()
    {
        var dir = Support.TempDir();
        var config = new DaemonConfig
        {
            Beds =
            [
                new BedConfig { Id = "bed-1", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = Support.ScenarioFile(dir, Support.PauseScenario), Speed = 3, Loop = true } },
                new BedConfig { Id = "bed-2", Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 8 } },
            ],
        };
        await using var host = await Support.StartAsync(config);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"], // Playwright gives the browser a fresh temporary profile itself
            Timeout = 60_000,
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 720 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        // the token link: the token rides in the fragment once, and leaves the address bar at once
        await page.GotoAsync($"{host.Address}#token={Support.Token}", new() { Timeout = 30_000 });

        // both beds get a panel with streamed samples; the pause shows in the event log
        await page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.bed')].filter(b => Number(b.dataset.samples) > 300).length === 2
                  && [...document.querySelectorAll('#events li')].some(li => li.textContent.includes('PAUSE'))
            """, null, new() { Timeout = 40_000, PollingInterval = 200 });
        Assert.Equal("live", await page.InnerTextAsync("#status"));
        Assert.DoesNotContain("token", page.Url);
        Assert.Equal(["bed-1", "bed-2"], await page.EvalOnSelectorAllAsync<string[]>(".bed", "els => els.map(e => e.dataset.bed)"));
        // the trace is drawn: count the bright green pixels of each canvas
        var traced = await page.EvalOnSelectorAllAsync<int[]>("canvas", """
            cs => cs.map(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                                for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 200 && d[i] < 120) n++; return n; })
            """);
        Assert.All(traced, n => Assert.True(n > 500, $"only {n} trace pixels"));
        var log = await page.InnerTextAsync("#events");
        Assert.Contains("bed-1", log);
        Assert.Contains("PAUSE onset", log);
        Assert.Empty(errors);
        var shot = Environment.GetEnvironmentVariable("ECGSTREAM_LIVEVIEW_SCREENSHOT") ?? Path.Combine(dir, "liveview.png");
        await page.ScreenshotAsync(new() { Path = shot });
        Assert.True(new FileInfo(shot).Length > 10_000);
    }
}
