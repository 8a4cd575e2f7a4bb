using System.Collections.Concurrent;
using System.Net;
using System.Text;
using LineWatch.Agent.Dashboard;
using LineWatch.Configuration;
using Microsoft.AspNetCore.Http;

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
    private Func<string, bool> _verify = password => password == Password;
    private int _verifications;

    public DashboardAuthTests()
    {
        var options = new DashboardAuthOptions { Mode = DashboardAuthMode.Basic, Username = "operator", PasswordHash = "the stored hash" };
        _auth = new DashboardAuth(options, (password, stored) =>
        {
            Assert.Equal("the stored hash", stored);
            Interlocked.Increment(ref _verifications);
            return _verify(password);
        }, _clock);
    }

    private Access Request(string password, string client = "192.0.2.10")
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/state";
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{password}"));
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        return _auth.Check(context);
    }

    [Fact]
    public void Repeated_requests_with_the_same_good_credentials_are_verified_once()
    {
        for (var i = 0; i < 20; i++) Assert.Equal(Access.Allow, Request(Password));
        Assert.Equal(1, _verifications);
    }

    [Fact]
    public void Good_credentials_are_verified_again_after_five_minutes()
    {
        Request(Password);
        _clock.Advance(TimeSpan.FromMinutes(4.9));
        Assert.Equal(Access.Allow, Request(Password));
        Assert.Equal(1, _verifications);
        _clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.Equal(Access.Allow, Request(Password));
        Assert.Equal(2, _verifications);
    }

    [Fact]
    public void After_five_wrong_passwords_from_one_address_it_gets_a_wait_and_no_verification()
    {
        for (var i = 0; i < 5; i++) Assert.Equal(Access.Deny, Request($"guess {i}"));
        Assert.Equal(5, _verifications);

        Assert.Equal(Access.Throttle(TimeSpan.FromMinutes(1)), Request("guess 5"));
        Assert.Equal(Access.Throttle(TimeSpan.FromMinutes(1)), Request(Password));
        Assert.Equal(5, _verifications);

        Assert.Equal(Access.Allow, Request(Password, client: "192.0.2.11"));
        Assert.Equal(6, _verifications);
    }

    [Fact]
    public void Credentials_remembered_before_the_wrong_ones_still_get_in()
    {
        Assert.Equal(Access.Allow, Request(Password));
        for (var i = 0; i < 6; i++) Request($"guess {i}");
        Assert.Equal(Access.Allow, Request(Password));
        Assert.Equal(6, _verifications);
    }

    [Fact]
    public void The_wait_ends_when_the_oldest_wrong_password_is_a_minute_old()
    {
        Request("guess 0");
        _clock.Advance(TimeSpan.FromSeconds(20));
        for (var i = 1; i < 5; i++) Request($"guess {i}");
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Access.Throttle(TimeSpan.FromSeconds(10)), Request(Password));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Access.Allow, Request(Password));
        Assert.Equal(6, _verifications);
    }

    [Fact]
    public void A_right_password_clears_the_wrong_ones_before_it()
    {
        for (var i = 0; i < 4; i++) Request($"guess {i}");
        Assert.Equal(Access.Allow, Request(Password));
        for (var i = 0; i < 4; i++) Assert.Equal(Access.Deny, Request($"guess {i}"));
        Assert.Equal(9, _verifications);
    }

    [Fact]
    public void Wrong_passwords_sent_in_parallel_are_limited_too()
    {
        // Each verification blocks until the test lets go: a limit that counted only finished verifications
        // would let all ten verify at once.
        using var release = new ManualResetEventSlim();
        _verify = _ =>
        {
            release.Wait();
            return false;
        };
        var results = new ConcurrentQueue<Access>();
        var threads = Enumerable.Range(0, 10).Select(i => new Thread(() => results.Enqueue(Request($"guess {i}")))).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            // The time limit only keeps a broken limit from hanging the run; the answer does not depend on speed.
            Assert.True(SpinWait.SpinUntil(() => results.Count == 5, TimeSpan.FromSeconds(30)), $"{results.Count} requests answered while the others verify");
            Assert.Equal(5, _verifications);
        }
        finally
        {
            release.Set();
            threads.ForEach(t => t.Join());
        }
        Assert.Equal(5, results.Count(a => a == Access.Deny));
        Assert.Equal(5, results.Count(a => a.RetryAfter is not null));
    }

    [Fact]
    public void An_IPv6_client_is_counted_by_its_64_and_an_IPv4_mapped_one_as_IPv4()
    {
        for (var i = 1; i <= 5; i++) Request($"guess {i}", client: $"2001:db8:1:2::{i}");
        Assert.NotNull(Request("guess 6", client: "2001:db8:1:2:ffff::1").RetryAfter);
        Assert.Equal(Access.Deny, Request("guess 6", client: "2001:db8:1:3::1"));

        for (var i = 1; i <= 5; i++) Request($"guess {i}", client: "::ffff:198.51.100.7");
        Assert.NotNull(Request("guess 6", client: "198.51.100.7").RetryAfter);
        Assert.Equal(11, _verifications);
    }

    [Fact]
    public async Task A_waiting_client_is_answered_429_with_Retry_After_in_whole_seconds_and_told_why()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        await _auth.Refuse(context, Access.Throttle(TimeSpan.FromSeconds(12.3)), loginPage: "");
        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        Assert.Equal("13", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        Assert.Equal("Too many wrong passwords from this address: try again in 13 s.", new StreamReader(context.Response.Body).ReadToEnd());
    }
}
