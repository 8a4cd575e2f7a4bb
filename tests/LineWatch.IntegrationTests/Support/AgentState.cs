using System.Net.Http.Json;
using System.Text.Json;

namespace LineWatch.IntegrationTests.Support;

/// <summary>A running agent's cameras as its dashboard API serves them (/api/state, a snapshot taken every second).</summary>
internal static class AgentState
{
    public static async Task<JsonElement> Camera(HttpClient http, string name) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/state")).GetProperty("cameras").EnumerateArray().First(c => c.GetProperty("name").GetString() == name);

    /// <summary>The names of the cameras listed, in the API's order.</summary>
    public static async Task<string[]> Names(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/state")).GetProperty("cameras").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();

    public static async Task<long> WindowsScored(HttpClient http, string camera) => (await Camera(http, camera)).GetProperty("windows_scored").GetInt64();
}
