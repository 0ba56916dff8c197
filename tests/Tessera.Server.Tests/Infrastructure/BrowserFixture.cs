using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Tessera.Server.Tests.Infrastructure.BrowserFixture))]

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>TESSERA_TEST_CHROMIUM</c>) driven by
/// Playwright, started once for the whole run. Playwright never downloads a browser here.
/// Without Chromium the browser tests are skipped, except under CI, where they fail.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("TESSERA_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No background traffic: this machine's network is closed, and tests must not depend on it.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) on <paramref name="baseAddress"/>.</summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseAddress)
    {
        if (_browser is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException($"CI=true: Chromium is required at {ExecutablePath}.");
            }
            Assert.Skip($"Chromium is not installed at {ExecutablePath} (apt-get install chromium).");
        }
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // Generous: the suite runs DICOM peers, Orthanc and PostgreSQL beside the browser on two cores.
        context.SetDefaultTimeout(30_000);
        return context;
    }

    /// <summary>A page of a fresh context, not signed in.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress) => await (await NewContextAsync(baseAddress)).NewPageAsync();

    /// <summary>A page of a fresh context, signed in through the login form.</summary>
    public async Task<IPage> SignedInPageAsync(Uri baseAddress, string username, string password)
    {
        var page = await NewPageAsync(baseAddress);
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        // Submitted as the button would, without a pointer click: once in a few dozen runs on a loaded machine the
        // click on a fresh page was lost and nothing was submitted (the sign-in page itself is tested elsewhere).
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).EvaluateAsync("button => button.form.requestSubmit(button)");
        await page.WaitForURLAsync(u => !u.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
