using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client;

namespace Tessera.Server.Tests.Infrastructure;

public static class HttpAssertions
{
    public static async Task<HttpResponseMessage> ShouldHaveStatus(this Task<HttpResponseMessage> call, HttpStatusCode expected)
    {
        var response = await call;
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered: {body}");
        }
        return response;
    }

    public static async Task<T> ReadJson<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(TesseraClient.JsonOptions))!;

    public static async Task<JsonElement> ReadProblem(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
