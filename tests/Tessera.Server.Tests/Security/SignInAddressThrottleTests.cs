using System.Net;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>Guessing across many accounts from one address is held back by the per-address limit (its own server: it holds back loopback).</summary>
public sealed class SignInAddressThrottleTests(SignInAddressThrottleTests.Server server) : IClassFixture<SignInAddressThrottleTests.Server>
{
    public sealed class Server : TestServer
    {
        public Server() => Settings["SignIn:MaxFailuresPerAddress"] = "8";
    }

    [Fact]
    public async Task ManyAccounts_FromOneAddress_AreHeldBack()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var guess = server.Http($"guess-{i}", "wrong-password");
            statuses.Add((await guess.GetAsync("api/users/me")).StatusCode);
        }

        statuses.Take(8).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(8).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
    }
}
