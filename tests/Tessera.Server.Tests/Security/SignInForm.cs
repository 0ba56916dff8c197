using System.Text.RegularExpressions;

namespace Tessera.Server.Tests.Security;

/// <summary>Signs in through the login form with cookies handled by hand, so that a test sees every Set-Cookie as sent.</summary>
internal static partial class SignInForm
{
    /// <summary>The Set-Cookie headers of the form's page and of a successful sign-in, with <paramref name="headers"/> on both requests.</summary>
    public static async Task<(IReadOnlyList<string> Page, IReadOnlyList<string> SignIn)> SignInAsync(HttpClient http, string username, string password,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, "login");
        Add(get, headers);
        using var page = await http.SendAsync(get);
        page.EnsureSuccessStatusCode();
        var pageCookies = page.Headers.TryGetValues("Set-Cookie", out var set) ? set.ToList() : [];
        var token = TokenOf(await page.Content.ReadAsStringAsync());
        using var post = new HttpRequestMessage(HttpMethod.Post, "login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Username"] = username, ["Password"] = password, ["__RequestVerificationToken"] = token,
            }),
        };
        Add(post, headers);
        post.Headers.Add("Cookie", string.Join("; ", pageCookies.Select(c => c.Split(';')[0])));
        using var signedIn = await http.SendAsync(post);
        if ((int)signedIn.StatusCode != 302)
            throw new InvalidOperationException($"The sign-in answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        return (pageCookies, signedIn.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.ToList() : []);
    }

    /// <summary>The antiforgery token of a page's form.</summary>
    public static string TokenOf(string page) => Token().Match(page).Groups[1].Value;

    private static void Add(HttpRequestMessage request, IReadOnlyDictionary<string, string>? headers)
    {
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
