using System.Net;
using System.Text;
using LineWatch.Agent.Dashboard;
using LineWatch.Configuration;

namespace LineWatch.Tests.Dashboard;

/// <summary>
/// Basic auth's cost: PBKDF2 is counted through the verifier the agent passes in (here a cheap stand-in), so the
/// tests see exactly when a password is checked.
/// </summary>
public sealed class DashboardAuthTests
{
    private const string Password = "correct horse battery";
    private readonly ManualClock _clock = new();
    private readonly DashboardAuth _auth;
    private int _verifications;

    public DashboardAuthTests()
    {
        var options = new DashboardAuthOptions { Mode = DashboardAuthMode.Basic, Username = "operator", PasswordHash = "the stored hash" };
        _auth = new DashboardAuth(options, (password, stored) =>
        {
            Assert.Equal("the stored hash", stored);
            Interlocked.Increment(ref _verifications);
            return password == Password;
        }, _clock);
    }

    private bool Request(string password, string client = "192.0.2.10")
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = "/api/state";
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{password}"));
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        return _auth.IsAuthorised(context);
    }

    [Fact]
    public void Repeated_requests_with_the_same_good_credentials_are_verified_once()
    {
        for (var i = 0; i < 20; i++) Assert.True(Request(Password));
        Assert.Equal(1, _verifications);
    }

    [Fact]
    public void Good_credentials_are_verified_again_after_five_minutes()
    {
        Request(Password);
        _clock.Advance(TimeSpan.FromMinutes(4.9));
        Assert.True(Request(Password));
        Assert.Equal(1, _verifications);
        _clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.True(Request(Password));
        Assert.Equal(2, _verifications);
    }
}
